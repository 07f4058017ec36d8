"""Weapon-target assignment: which weapon engages which target, how many times.

``solve`` takes a ``WtaProblem`` (target values, kill probabilities, uses and
costs per weapon) and returns a ``WtaSolution``; ``read_instance`` reads the
public benchmark's text format; ``wta`` (in ``command``) is the command line. The
names load their module on first use, so that the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flankwatch.respond.wta.instance import WtaFormatError, parse_instance, read_instance
    from flankwatch.respond.wta.problem import WtaProblem, WtaSolution, check_feasible, objective
    from flankwatch.respond.wta.solver import METHODS, solve

_HOMES = {
    "WtaFormatError": "instance",
    "parse_instance": "instance",
    "read_instance": "instance",
    "WtaProblem": "problem",
    "WtaSolution": "problem",
    "check_feasible": "problem",
    "objective": "problem",
    "METHODS": "solver",
    "solve": "solver",
}
"""Each public name and the module of this package it lives in."""

__all__ = [
    "METHODS",
    "WtaFormatError",
    "WtaProblem",
    "WtaSolution",
    "check_feasible",
    "objective",
    "parse_instance",
    "read_instance",
    "solve",
]


def __getattr__(name: str) -> Any:
    """A public name, its module imported on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
