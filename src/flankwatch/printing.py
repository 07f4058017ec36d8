"""What the command prints: a run's summary, and a replay beside its original.

Everything is printed as plain text (names and values come from the user's
files and are never read as console markup).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from flankwatch.report import ThreatRecord
from flankwatch.summary import RunSummary

console = Console(markup=False, emoji=False, highlight=False)
errors = Console(stderr=True, markup=False, emoji=False, highlight=False)


def print_summary(summary: RunSummary, start: datetime, wall_s: float, folder: Path | None) -> None:
    """Objects by category, the tracking score, threats, closures, alerts, plots, speed."""
    if summary.categories:
        _print_categories(summary)
    _print_tracking(summary)
    _print_threats(summary.threats, start)
    _print_closures(summary, start)
    console.print(
        f"alerts: {summary.alerts_issued} issued, {summary.cap_messages} CAP messages; "
        f"civil aircraft marked suspect or hostile: {summary.civil_misidentified}"
    )
    if summary.cot is not None:
        stats = summary.cot
        console.print(
            f"CoT: {stats.sent:,} events sent, {stats.dropped:,} dropped, "
            f"{stats.reconnects} reconnects"
            + (f"; last error: {stats.last_error}" if stats.last_error else "")
        )
    plots = ", ".join(f"{kind} {n:,}" for kind, n in summary.plots.items())
    factor = summary.simulated_s / wall_s if wall_s > 0 else float("inf")
    console.print(f"plots: {plots} ({summary.false_plots:,} false)")
    console.print(
        f"ran {summary.simulated_s / 3600:.2f} h of data in {wall_s:.1f} s "
        f"({factor:,.0f}x real time); recording: {folder if folder is not None else 'none'}"
    )


def _print_categories(summary: RunSummary) -> None:
    table = Table(title=f"{summary.scenario} (seed {summary.seed})", title_justify="left")
    for column in ("category", "objects", "launched", "detected", "median time to detect"):
        table.add_column(column, justify="left" if column == "category" else "right")
    for count in summary.categories:
        delay = count.median_detection_delay_s
        table.add_row(
            count.category,
            str(count.objects),
            str(count.launched),
            str(count.detected),
            "-" if delay is None else f"{delay / 60:.1f} min",
        )
    console.print(table)


def _print_tracking(summary: RunSummary) -> None:
    score = summary.tracking
    if score is None:
        console.print(
            f"tracking: no ground truth to score against; peak "
            f"{summary.peak_confirmed_tracks} confirmed tracks"
        )
        return
    confirm = score.median_time_to_confirm_s
    console.print(
        f"tracking: GOSPA {score.gospa_mean_m:.0f} m mean (c = 1 km; localisation "
        f"{score.localisation_share:.0%}, missed {score.missed_share:.0%}, false "
        f"{score.false_share:.0%}); {score.targets} targets, {score.tracks} tracks, "
        f"peak {summary.peak_confirmed_tracks} confirmed; {score.id_switches} track-number "
        f"changes, {score.fragmentations} fragmentations; median time to confirm "
        + ("-" if confirm is None else f"{confirm:.0f} s")
        + f"; {score.false_tracks} false tracks ({score.false_tracks_per_hour:.1f}/h)"
    )


MAX_THREAT_ROWS = 40
"""Above this many threats the summary groups them by category and origin."""


def _clock(start: datetime, t_s: float | None) -> str:
    return "-" if t_s is None else (start + timedelta(seconds=t_s)).strftime("%H:%M:%S")


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:+.1f} min"


def _print_threats(threats: list[ThreatRecord], start: datetime) -> None:
    """Per threat (or per category and origin when many): detection, warning, border, alerts."""
    if len(threats) <= MAX_THREAT_ROWS:
        table = Table(title="threats (UTC)", title_justify="left")
        for column in (
            "threat",
            "origin",
            "detected",
            "warned",
            "crossed border",
            "warning lead",
            "alerts",
        ):
            table.add_column(column)
        for threat in threats:
            table.add_row(
                threat.name,
                threat.origin,
                _clock(start, threat.detected_s),
                _clock(start, threat.warned_s),
                _clock(start, threat.crossed_s),
                _minutes(threat.lead_time_s),
                str(threat.alerts),
            )
        console.print(table)
        return
    table = Table(title="threats by category and origin", title_justify="left")
    for column in (
        "category",
        "origin",
        "threats",
        "detected",
        "warned",
        "crossed border",
        "median warning lead",
        "alerts",
    ):
        table.add_column(column)
    groups: dict[tuple[str, str], list[ThreatRecord]] = {}
    for threat in threats:
        groups.setdefault((threat.category, threat.origin), []).append(threat)
    for (category, origin), members in sorted(groups.items()):
        leads = [t.lead_time_s for t in members if t.lead_time_s is not None]
        table.add_row(
            category,
            origin,
            str(len(members)),
            str(sum(t.detected_s is not None for t in members)),
            str(sum(t.warned_s is not None for t in members)),
            str(sum(t.crossed_s is not None for t in members)),
            _minutes(float(np.median(leads)) if leads else None),
            str(sum(t.alerts for t in members)),
        )
    console.print(table)


def _print_closures(summary: RunSummary, start: datetime) -> None:
    if not summary.closures:
        console.print("airports: none closed")
        return
    table = Table(title="airport closures (UTC)", title_justify="left")
    for column in ("airport", "closed", "reopened", "closed for"):
        table.add_column(column)
    for closure in summary.closures:
        end = closure.reopened_s if closure.reopened_s is not None else summary.simulated_s
        table.add_row(
            closure.icao,
            _clock(start, closure.closed_s),
            _clock(start, closure.reopened_s),
            f"{(end - closure.closed_s) / 60:.0f} min"
            + ("" if closure.reopened_s is not None else " (still closed)"),
        )
    console.print(table)


COMPARED = (
    ("alerts issued", ("alerts_issued",)),
    ("CAP messages", ("cap_messages",)),
    ("airport closures", ("closures",)),
    ("civil aircraft marked suspect or hostile", ("civil_misidentified",)),
    ("peak confirmed tracks", ("peak_confirmed_tracks",)),
    ("GOSPA mean, m", ("tracking", "gospa_mean_m")),
    ("tracks", ("tracking", "tracks")),
    ("track-number changes", ("tracking", "id_switches")),
    ("false tracks", ("tracking", "false_tracks")),
    ("threats warned of", ("threats",)),
)
"""The figures a replay's summary is compared on: label and path into the summary."""


def print_comparison(original: dict[str, Any], replayed: dict[str, Any]) -> None:
    """A replay's figures beside the recording's own (both summaries as plain data)."""
    table = Table(title="replay against the original", title_justify="left")
    for column in ("figure", "original", "replay", "change"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for label, path in COMPARED:
        before, after = _figure(original, path), _figure(replayed, path)
        change = "" if before == after else "changed"
        if isinstance(before, int | float) and isinstance(after, int | float):
            change = "" if before == after else f"{after - before:+,.0f}"
        table.add_row(label, _show(before), _show(after), change)
    console.print(table)


def _figure(summary: dict[str, Any], path: tuple[str, ...]) -> object:
    value: object = summary
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if path == ("closures",) and isinstance(value, list):
        return len(value)
    if path == ("threats",) and isinstance(value, list):
        return sum(1 for threat in value if threat.get("warned_s") is not None)
    return value


def _show(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)
