"""Event kinds: one enum for every kind the code writes, recorded as its string value."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import flankwatch
from flankwatch.alert import ALERT_CANCELLED, ALERT_ISSUED, ALERT_UPDATED
from flankwatch.events import EVENT_SCHEMA, Event, EventKind, events_from_arrow, events_to_arrow

PACKAGE = Path(flankwatch.__file__).parent

RECORDED = {
    "identity-changed",
    "border-crossed",
    "airspace-exited",
    "crossing-predicted",
    "crossing-cancelled",
    "alert-issued",
    "alert-updated",
    "alert-cancelled",
    "identity-proposed",
    "identity-declared",
    "squawk-emergency",
    "scrambled",
    "shot-fired",
    "shot-withheld",
    "target-destroyed",
    "shot-missed",
    "target-survived",
    "leaker",
    "target-left",
    "magazine-empty",
    "returned-to-base",
    "operator-decision",
}
"""The kinds recordings hold; a change here changes every recording."""


def test_the_recorded_strings_do_not_change() -> None:
    assert {kind.value for kind in EventKind} == RECORDED


def test_every_kind_is_documented() -> None:
    source = Path(flankwatch.events.__file__).read_text(encoding="utf-8")
    body = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and node.name == "EventKind"
    ).body
    documented = {
        target.id
        for node, after in zip(body, body[1:], strict=False)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    }
    assert documented == {kind.name for kind in EventKind}


def test_the_alert_names_are_the_members() -> None:
    assert ALERT_ISSUED is EventKind.ALERT_ISSUED
    assert ALERT_UPDATED is EventKind.ALERT_UPDATED
    assert ALERT_CANCELLED is EventKind.ALERT_CANCELLED


def test_a_kind_given_as_its_string_becomes_the_member_and_any_other_is_refused() -> None:
    assert Event(0.0, "border-crossed", "x").kind is EventKind.BORDER_CROSSED  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="border-crosed"):
        Event(0.0, "border-crosed", "x")  # type: ignore[arg-type]


def _kind_sources(node: ast.expr) -> list[ast.expr]:
    """The expressions a ``kind=`` argument can take its value from."""
    if isinstance(node, ast.IfExp):
        return _kind_sources(node.body) + _kind_sources(node.orelse)
    return [node]


def _is_member(node: ast.expr) -> bool:
    """``EventKind.X`` for a member X, or ``EventKind(value)``, which refuses any other value."""
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "EventKind"
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "EventKind"
        and node.attr in EventKind.__members__
    )


def _event_calls() -> list[tuple[Path, ast.Call, ast.FunctionDef | ast.AsyncFunctionDef | None]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [
            f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Event":
                inner = [f for f in functions if node in set(ast.walk(f))]
                found.append((path, node, inner[-1] if inner else None))
    return found


def test_every_event_the_code_creates_takes_its_kind_from_the_enum() -> None:
    """Each ``Event(...)`` in the package names an ``EventKind`` member, or passes on a
    parameter annotated ``EventKind`` (whose callers the type checker holds to members)."""
    calls = _event_calls()
    assert calls
    for path, call, function in calls:
        where = f"{path.relative_to(PACKAGE)}:{call.lineno}"
        given_kind = [k.value for k in call.keywords if k.arg == "kind"] or call.args[1:2]
        assert given_kind, where
        for source in _kind_sources(given_kind[0]):
            if _is_member(source):
                continue
            assert isinstance(source, ast.Name) and function is not None, where
            params = {a.arg: a for a in function.args.args + function.args.kwonlyargs}
            param = params.get(source.id)
            assert param is not None and param.annotation is not None, where
            assert ast.unparse(param.annotation) == "EventKind", where


def test_no_kind_is_written_as_a_bare_string() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "events.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in RECORDED:
                pytest.fail(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
events = st.builds(
    Event,
    t_s=st.floats(0.0, 1e7),
    kind=st.sampled_from(EventKind),
    message=st.text(max_size=40),
    track_id=st.integers(-1, 2**40),
    subject=st.text(max_size=10),
    data=st.dictionaries(st.text(max_size=10), values, max_size=5),
)


@given(st.lists(events, max_size=10))
def test_events_round_trip_through_arrow_and_parquet(original: list[Event]) -> None:
    table = events_to_arrow(original)
    assert table.schema == EVENT_SCHEMA
    assert table.column("kind").to_pylist() == [e.kind.value for e in original]
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    back = events_from_arrow(pq.read_table(io.BytesIO(buffer.getvalue())))
    assert back == original
    assert all(type(e.kind) is EventKind for e in back)


def test_every_kind_round_trips() -> None:
    original = [Event(float(i), kind, kind.name) for i, kind in enumerate(EventKind)]
    table = events_to_arrow(original)
    assert set(table.column("kind").to_pylist()) == RECORDED
    back = events_from_arrow(table)
    assert [e.kind for e in back] == list(EventKind)
