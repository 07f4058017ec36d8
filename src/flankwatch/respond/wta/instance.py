"""Reading weapon-target assignment instances in the benchmark's text format.

The format (Andersen, Pavlikov and Toffolo 2022, "Weapon-target assignment
problem: exact and approximate solution algorithms", Annals of Operations
Research): a first line ``W T K`` (weapons, targets, uses per weapon); then T
lines, each one target's value; then lines ``weapon target probability``
(0-based indices), the probability that one use of that weapon destroys that
target. Pairs not listed have probability 0 (may not engage). Blank lines are
skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from flankwatch.respond.wta.problem import WtaProblem


class WtaFormatError(ValueError):
    """An instance file that does not follow the format; the message names file and line."""


MAX_CELLS = 10_000_000
"""The most weapons x targets x uses per weapon an instance may have: the solvers keep
tables of that size (the largest public instance has 540,000)."""

_Fail = Callable[[int, str], WtaFormatError]
"""Builds the error for (line number, message)."""


def read_instance(path: Path | str) -> WtaProblem:
    """Read an instance file into a WtaProblem (cost weight 0)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WtaFormatError(f"{path}: cannot read: {error}") from None
    return parse_instance(text, str(path))


def parse_instance(text: str, name: str = "<instance>") -> WtaProblem:
    """Parse an instance's text; ``name`` (a file name) prefixes every error message."""
    lines = [
        (number, line.split())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    if not lines:
        raise WtaFormatError(f"{name}: empty file, expected a first line 'W T K'")

    def fail(number: int, message: str) -> WtaFormatError:
        return WtaFormatError(f"{name}, line {number}: {message}")

    number, fields = lines[0]
    if len(fields) != 3 or not all(field.isdigit() for field in fields):
        raise fail(number, f"expected 'W T K' (three whole numbers), got {' '.join(fields)!r}")
    n_weapons, n_targets, n_uses = (int(field) for field in fields)
    if n_weapons * n_targets * max(n_uses, 1) > MAX_CELLS:
        raise fail(
            number,
            f"{n_weapons} weapons x {n_targets} targets x {n_uses} uses is too large: "
            f"at most {MAX_CELLS:,} weapon-target-use cells",
        )
    if len(lines) < 1 + n_targets:
        raise fail(lines[-1][0], f"file ends after {len(lines) - 1} of {n_targets} target values")

    value = np.empty(n_targets)
    for j, (number, fields) in enumerate(lines[1 : 1 + n_targets]):
        value[j] = _number(fields, number, fail, "a target value")
        if not np.isfinite(value[j]) or value[j] < 0:
            raise fail(number, f"target {j} value {fields[0]} must be finite and >= 0")

    kill_prob = np.zeros((n_weapons, n_targets))
    seen = np.zeros((n_weapons, n_targets), dtype=bool)
    for number, fields in lines[1 + n_targets :]:
        if len(fields) != 3:
            raise fail(number, f"expected 'weapon target probability', got {' '.join(fields)!r}")
        weapon = _index(fields[0], n_weapons, "weapon", number, fail)
        target = _index(fields[1], n_targets, "target", number, fail)
        probability = _number(fields[2:], number, fail, "a probability")
        if not 0.0 <= probability < 1.0:
            raise fail(number, f"probability {fields[2]} must lie in [0, 1)")
        if seen[weapon, target]:
            raise fail(number, f"pair weapon {weapon}, target {target} given twice")
        seen[weapon, target] = True
        kill_prob[weapon, target] = probability
    return WtaProblem(
        value=value, kill_prob=kill_prob, uses=np.full(n_weapons, n_uses, dtype=np.int64)
    )


def _number(fields: list[str], number: int, fail: _Fail, what: str) -> float:
    if len(fields) != 1:
        raise fail(number, f"expected {what}, got {' '.join(fields)!r}")
    try:
        return float(fields[0])
    except ValueError:
        raise fail(number, f"expected {what}, got {fields[0]!r}") from None


def _index(field: str, size: int, what: str, number: int, fail: _Fail) -> int:
    if not field.isdigit() or int(field) >= size:
        raise fail(number, f"{what} index {field!r} is not a whole number in 0..{size - 1}")
    return int(field)
