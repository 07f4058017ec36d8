"""The after-action view's plots, drawn with matplotlib as inline SVG text.

The SVG keeps its text as text (the page's fonts draw it) and carries no date or
random identifiers, so the same recording gives the same file. Figures are made
without pyplot (no global figure state); matplotlib's settings are global, so
drawing holds a lock and may be called from several threads. Times on the x axes
are UTC clock times, in s since the run's start underneath.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MultipleLocator

from flankwatch.web.aar_airports import Airport, Closure
from flankwatch.web.aar_data import ThreatLine

MAX_ROWS = 80
"""Threats drawn in the timeline at most (all of them are in the table)."""
ROW_IN = 0.24
"""Height of one row of a plot, inches."""
WIDTH_IN = 10.0
"""Width of the plots, inches."""

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Mark:
    """How one kind of moment is drawn: matplotlib marker, colour, legend text, size (pt)."""

    marker: str
    color: str
    label: str
    size: float


MARKS: dict[str, Mark] = {
    "detected": Mark("o", "#1f77b4", "detected", 5),
    "crossed": Mark("|", "#000000", "crossed the border", 11),
    "identified": Mark("D", "#ff7f0e", "identified suspect/hostile", 5),
    "warning": Mark("^", "#9467bd", "public warning issued", 6),
    "miss": Mark("x", "#7f7f7f", "shot: missed", 7),
    "kill": Mark("X", "#d62728", "shot: kill", 8),
    "fired": Mark("x", "#bcbd22", "shot: in flight at the end", 7),
    "destroyed": Mark("*", "#d62728", "end: destroyed", 10),
    "came down": Mark("s", "#555555", "end: came down", 5),
    "lost": Mark("s", "#bbbbbb", "end: left the picture", 5),
    "track lost": Mark("s", "#bbbbbb", "end: track lost", 5),
    "still flying": Mark(">", "#2ca02c", "end: still flying", 6),
    "still tracked": Mark(">", "#2ca02c", "end: still tracked", 6),
}
"""How each moment of a threat's night is marked."""


@contextmanager
def _drawing(salt: str) -> Iterator[None]:
    """Matplotlib settings for reproducible SVG with text kept as text."""
    with (
        _LOCK,
        mpl.rc_context(
            {
                "svg.fonttype": "none",
                "svg.hashsalt": salt,
                "text.parse_math": False,
                "font.size": 9.0,
                "font.family": "sans-serif",
            }
        ),
    ):
        yield


def _svg(figure: Figure, prefix: str) -> str:
    """The figure as an ``<svg>`` element (no XML prologue), ready to inline in HTML;
    its element ids, and the references to them, start with ``prefix`` (ids stay unique
    in a page of several figures)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = text.replace(' id="', f' id="{prefix}').replace("url(#", f"url(#{prefix}")
    return text.replace('href="#', f'href="#{prefix}')


def _time_axis(axes: Axes, start: datetime, duration_s: float) -> None:
    """x axis: UTC clock times from 0 to ``duration_s`` (s since ``start``)."""
    axes.set_xlim(0.0, max(duration_s, 1.0))
    hours = duration_s / 3600.0
    step_s = 3600.0 if hours <= 12 else 3600.0 * (1 + int(hours // 12))
    if hours < 2:
        step_s = 600.0
    past_s = (start.minute * 60 + start.second + start.microsecond / 1e6) % step_s
    axes.xaxis.set_major_locator(MultipleLocator(step_s, offset=(step_s - past_s) % step_s))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _: (start + timedelta(seconds=float(x))).strftime("%H:%M"))
    )
    axes.set_xlabel(f"time (UTC), {start:%Y-%m-%d %H:%M} onwards")
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def _mark(axes: Axes, kind: str, x: list[float], y: list[float]) -> None:
    style = MARKS[kind]
    if x:
        axes.plot(
            x,
            y,
            linestyle="none",
            marker=style.marker,
            color=style.color,
            markersize=style.size,
            zorder=3,
        )


def timeline_svg(
    threats: tuple[ThreatLine, ...], start: datetime, duration_s: float, name: str
) -> str:
    """Each threat's night as one row: its life as a line, and a mark for its detection,
    border crossing, identification, warnings, shots and end (first :data:`MAX_ROWS`
    threats by first appearance)."""
    shown = threats[:MAX_ROWS]
    with _drawing(f"{name}-timeline"):
        figure = Figure(figsize=(WIDTH_IN, 1.6 + ROW_IN * max(len(shown), 1)))
        axes = figure.add_subplot()
        points: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in MARKS}

        def add(kind: str, t_s: float | None, row: int) -> None:
            if t_s is not None:
                points[kind][0].append(t_s)
                points[kind][1].append(row)

        for row, threat in enumerate(shown):
            axes.plot(
                [max(threat.first_s, 0.0), threat.last_s], [row, row], color="#999999", lw=1.2
            )
            if threat.crossed_s is not None:
                axes.plot([threat.crossed_s, threat.last_s], [row, row], color="#e377c2", lw=2.4)
            add("detected", threat.detected_s, row)
            add("crossed", threat.crossed_s, row)
            add("identified", threat.identified_s, row)
            for t_s in threat.warnings_s:
                add("warning", t_s, row)
            for shot in threat.shots:
                add(shot.outcome or "fired", shot.t_s, row)
            add(threat.end, threat.last_s, row)
        for kind, (x, y) in points.items():
            _mark(axes, kind, x, y)
        axes.set_yticks(range(len(shown)), [t.label for t in shown])
        axes.set_ylim(len(shown) - 0.5, -0.5)
        axes.tick_params(axis="y", length=0)
        _time_axis(axes, start, duration_s)
        handles = [Line2D([], [], color="#999999", lw=1.2, label="seen (truth or track)")]
        if points["crossed"][0]:
            handles.append(Line2D([], [], color="#e377c2", lw=2.4, label="inside the airspace"))
        handles += [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=MARKS[k].marker,
                color=MARKS[k].color,
                label=MARKS[k].label,
            )
            for k, (x, _) in points.items()
            if x
        ]
        axes.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.01),
            ncol=4,
            frameon=False,
            fontsize=8,
        )
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure, "timeline-")


def closures_svg(
    closures: tuple[Closure, ...],
    airports: tuple[Airport, ...],
    start: datetime,
    duration_s: float,
    name: str,
) -> str:
    """Airport closures as bars, one row per airport (``airports``, in order; each
    closure's airport must be among them); a closure still in force at the end is
    hatched to the end of the run; airports the public record names are marked so at
    the right."""
    codes = [a.icao for a in airports]
    with _drawing(f"{name}-closures"):
        figure = Figure(figsize=(WIDTH_IN, 1.0 + 0.4 * max(len(codes), 1)))
        axes = figure.add_subplot()
        for closure in closures:
            row = codes.index(closure.icao)
            end_s = closure.reopened_s if closure.reopened_s is not None else duration_s
            still = closure.reopened_s is None
            axes.broken_barh(
                [(closure.closed_s, end_s - closure.closed_s)],
                (row - 0.3, 0.6),
                facecolors="#d62728",
                alpha=0.75,
                hatch="//" if still else None,
                edgecolor="#7f1d1d",
            )
            axes.text(
                closure.closed_s + 60.0,
                row,
                f"{(end_s - closure.closed_s) / 60:.0f} min" + (" (still closed)" if still else ""),
                va="center",
                ha="left",
                color="white",
                fontsize=8,
            )
        for row, known in enumerate(airports):
            if known.in_public_record:
                axes.text(
                    1.01,
                    row,
                    "named in the public record",
                    transform=axes.get_yaxis_transform(),
                    va="center",
                    color="#9467bd",
                    fontsize=8,
                )
        axes.set_yticks(range(len(codes)), [f"{a.icao} {a.name}" for a in airports])
        axes.set_ylim(len(codes) - 0.5, -0.5)
        axes.tick_params(axis="y", length=0)
        _time_axis(axes, start, duration_s)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure, "closures-")
