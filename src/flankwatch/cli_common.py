"""What the commands share: their number options checked, text from files shown safely,
counts in words, and a failure printed with its exit code.

Click's own range check lets ``nan`` through (no comparison with it holds) and answers
``inf`` with "greater than" where the fault is that it is not finite; :func:`number_within`
says which. This module imports only the standard library and typer, so the command line
starts light; :func:`fail` loads rich when it prints.
"""

from __future__ import annotations

import math
import re
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


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``), so that a
    callsign or a column name from a file or a feed cannot drive the terminal."""
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, in the plural (``plural``, or ``noun`` and an s) unless ``n`` is 1:
    ``1 raid``, ``0 raids``, ``2 sensor entries``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def asterix_codes(out: str | None, sac: int | None, sic: int | None) -> tuple[int, int]:
    """The SAC and SIC of the CAT062 records sent to ``--asterix-out`` (the defaults where
    not given), once its URL has been checked; raises the exit of :func:`fail` (code 2) for
    a URL that is not ``udp://HOST:PORT``, or for a SAC or SIC given without it (it would
    mark nothing)."""
    from flankwatch.io.asterix_sink import DEFAULT_SAC, DEFAULT_SIC, parse_udp_url

    if out is None:
        if sac is not None or sic is not None:
            raise fail(
                "--asterix-sac and --asterix-sic mark the records sent to --asterix-out; "
                "give --asterix-out too"
            )
        return DEFAULT_SAC, DEFAULT_SIC
    try:
        parse_udp_url(out)
    except ValueError as error:
        raise fail(f"--asterix-out: {error}") from None
    return (DEFAULT_SAC if sac is None else sac, DEFAULT_SIC if sic is None else sic)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as an error on stderr; the exit to raise, with ``code`` (2 for bad
    input, 1 for a failure while running)."""
    from rich.text import Text

    from flankwatch.printing import errors

    errors.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    return typer.Exit(code)
