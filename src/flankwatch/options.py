"""Checks of the commands' number options, shared by every command.

Click's own range check lets ``nan`` through (no comparison with it holds) and answers
``inf`` with "greater than" where the fault is that it is not finite; these callbacks say
which. They import only the standard library and typer, so the command line starts light.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import typer


def number_within(
    least: float, most: float = math.inf, unit: str = ""
) -> Callable[[float | None], float | None]:
    """A typer callback that takes a finite number from ``least`` to ``most`` (in ``unit``,
    named in the message), or no value, and refuses anything else with a message naming
    the fault: not a number, not finite, too small, too large."""
    suffix = f" {unit}" if unit else ""

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if math.isnan(value):
            raise typer.BadParameter("nan is not a number")
        if math.isinf(value):
            raise typer.BadParameter(f"must be a finite number, not {value}")
        if value < least:
            raise typer.BadParameter(f"must be at least {least:g}{suffix}, not {value:g}")
        if value > most:
            raise typer.BadParameter(f"must be at most {most:g}{suffix}, not {value:g}")
        return value

    return check
