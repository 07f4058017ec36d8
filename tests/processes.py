"""Helpers for the tests of the run's child processes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flankwatch.processes import usable_cores

needs_two_cores = pytest.mark.skipif(usable_cores() < 2, reason="a second process needs 2 cores")
"""For tests that need a run's second process, which is used only with 2 cores or more."""


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended and not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return status != "Z"


def count_entries(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> Callable[[], int]:
    """Replace the context manager class ``module.name`` by one that counts how often it is
    entered (how many child processes it started); the count, as a function."""
    original = getattr(module, name)
    entered: list[object] = []

    class Counted(original):  # type: ignore[valid-type, misc]
        def __enter__(self) -> object:
            entered.append(self)
            return super().__enter__()

    monkeypatch.setattr(module, name, Counted)
    return lambda: len(entered)


def recorded_files(folder: Path) -> dict[str, bytes]:
    """Every file of a recording but its metadata (which holds the run's clock times)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "metadata.json"
    }
