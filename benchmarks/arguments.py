"""Argument checks shared by the benchmark scripts.

Bad input ends a script as argparse does: a usage line, then one line naming the option
and what is wrong, exit code 2, never a traceback. The ``type=`` helpers below refuse
values that would otherwise fail deep in a run (or, worse, be taken for the default);
:func:`scenario_argument` loads ``--scenario`` (cut to ``--duration``) the same way.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TypeVar

from flankwatch.scenario.loader import ScenarioError, load_scenario, with_changes
from flankwatch.scenario.schema import Scenario

_Number = TypeVar("_Number", int, float)


def one_line(error: Exception) -> str:
    """An error's message on one line (a scenario error lists its faults on lines of their
    own)."""
    head, *faults = str(error).splitlines() or [""]
    return " ".join([head, "; ".join(fault.strip() for fault in faults)]).strip()


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None


def positive_int(text: str) -> int:
    """``type=`` for a whole number above 0."""
    return _above_zero(_whole(text), text)


def non_negative_int(text: str) -> int:
    """``type=`` for a whole number of 0 or more."""
    return _not_negative(_whole(text), text)


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def positive_float(text: str) -> float:
    """``type=`` for a finite number above 0."""
    return _above_zero(_finite(text), text)


def non_negative_float(text: str) -> float:
    """``type=`` for a finite number of 0 or more."""
    return _not_negative(_finite(text), text)


def _above_zero(value: _Number, text: str) -> _Number:
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {text!r}")
    return value


def _not_negative(value: _Number, text: str) -> _Number:
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text!r}")
    return value


def existing_folder(text: str) -> Path:
    """``type=`` for a folder that exists."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text}: {'not a folder' if path.exists() else 'no such folder'}"
        )
    return path


def scenario_argument(
    parser: argparse.ArgumentParser, name: str, duration_s: float | None = None
) -> tuple[Scenario, str]:
    """The scenario ``--scenario name`` (a built-in name or a file) and its YAML text, cut
    to its first ``duration_s`` seconds if given (as ``flankwatch run --duration`` does);
    one that is not there or not valid ends the script with ``parser.error``."""
    try:
        scenario, text = load_scenario(name)
    except ScenarioError as error:
        parser.error(f"--scenario {one_line(error)}")
    if duration_s is None:
        return scenario, text
    try:
        return with_changes(scenario, name, duration_s=min(duration_s, scenario.duration_s)), text
    except ScenarioError as error:
        parser.error(f"--duration {duration_s:g}: {one_line(error)}")
