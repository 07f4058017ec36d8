"""Bad input for the property tests of YAML files, and the checks they share.

It generates: single values at the edges or of the wrong type (zero, negative,
huge, infinite, NaN, empty, long text, random scalars, small lists), random
structures of those values nested in lists and mappings, a valid parsed
document with one to three places replaced by such a value, negated, scaled,
deleted or wrapped in a list, and a valid document's text with one line
replaced by random text or cut short.

The checks: a text given to a parser is either accepted or refused with the
file's own error naming the file and listing its problems; random bytes in a
file are either loaded or refused with an error naming the file.
"""

from __future__ import annotations

import copy
import math
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from flankwatch.yamlfile import YamlFileError

T = TypeVar("T")

EDGE_NUMBERS: list[Any] = [0, -1, 1e308, -1e308, 2**70, math.inf, -math.inf, math.nan]
"""Numbers at the edges: zero, negative, huge, too large for 64 bits, infinite, NaN."""

EDGE_VALUES: list[Any] = [*EDGE_NUMBERS, "", "x" * 10_000, [], {}]
"""Values at the edges: those numbers, and empty or very long text, an empty list or mapping."""


def fast(max_examples: int) -> settings:
    """Hypothesis settings for a file property: no deadline, no example database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def values(edges: Sequence[Any], *extra: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One of ``edges``, or a random None, bool, integer, float or short text, or of ``extra``."""
    return st.one_of(
        st.sampled_from(edges),
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        *extra,
    )


def structures(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``leaves`` nested in small lists and mappings with text keys."""
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )


def places(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a parsed file: mapping values and list items, containers included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from places(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from places(value, (*prefix, i))


@st.composite
def mutated(
    draw: st.DrawFn,
    data: dict[str, Any],
    replacements: st.SearchStrategy[Any],
    scales: Sequence[float] = (0, 1e300),
) -> dict[str, Any]:
    """``data`` with one to three places replaced, scaled, negated, deleted or wrapped.

    A place is replaced by one of ``replacements``; a number is negated or
    multiplied by one of ``scales``, anything else is replaced instead.
    """
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(places(data))
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        node: Any = data
        for part in parents:
            node = node[part]
        old = node[last]
        action = draw(st.sampled_from(["replace", "delete", "negate", "scale", "wrap"]))
        if action == "delete":
            del node[last]
        elif action == "wrap":
            node[last] = [old]
        elif action in ("negate", "scale") and isinstance(old, int | float):
            node[last] = old * (-1 if action == "negate" else draw(st.sampled_from(scales)))
        else:
            node[last] = draw(replacements)
    return data


@st.composite
def edited_text(draw: st.DrawFn, text: str, cut: bool = False) -> str:
    """``text`` with one line replaced by random text or, if ``cut``, perhaps cut off there."""
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    if cut and draw(st.booleans()):
        return "".join(lines[:i]) + lines[i][: draw(st.integers(0, len(lines[i])))]
    return "".join(lines[:i] + [draw(st.text(max_size=40)) + "\n"] + lines[i + 1 :])


def parsed_or_refused(
    parse: Callable[[str, str], T], text: str, source: str, error: type[YamlFileError]
) -> T | None:
    """``parse(text, source)``, or None if it raised ``error`` naming ``source`` and its problems.

    Any other exception is let through, so the test fails.
    """
    try:
        return parse(text, source)
    except error as refusal:
        assert source in str(refusal)
        assert refusal.problems
        return None


def load_random_bytes(
    data: bytes, load: Callable[[Path], object], error: type[YamlFileError]
) -> None:
    """Write ``data`` to a file and ``load`` it: it loads, or raises ``error`` naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_bytes(data)
        try:
            load(path)
        except error as refusal:
            assert str(path) in str(refusal)
