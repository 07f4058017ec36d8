"""What the command prints: a run's summary, a replay beside its original, a study's table.

Everything is printed as plain text (names and values come from the user's
files and are never read as console markup).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # the run's and the study's modules load only for the commands using them
    from flankwatch.report import PassedPlace, ThreatRecord
    from flankwatch.respond.summary import ResponseSummary
    from flankwatch.study.table import Comparison, Interval
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
    if summary.response is not None:
        _print_response(summary.response)
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
        f"ran {data_length(summary.simulated_s)} of data in {wall_s:.1f} s "
        f"({factor:,.{0 if factor >= 10 else 1}f}x real time); "
        f"recording: {folder if folder is not None else 'none'}"
    )


def data_length(seconds: float) -> str:
    """A length of data, in seconds under 2 min, minutes under 2 h, hours above:
    ``5 s``, ``12.5 min``, ``7.00 h``."""
    if seconds < 120.0:
        return f"{seconds:.0f} s"
    if seconds < 7200.0:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"


def _print_response(response: ResponseSummary) -> None:
    weapons = ", ".join(f"{weapon} {n}" for weapon, n in response.shots_by_weapon.items())
    rules = ", ".join(f"{rule} {n}" for rule, n in response.withheld_by_rule.items())
    console.print(
        f"response: {response.shots} shots"
        + (f" ({weapons})" if weapons else "")
        + f", {response.kills} kills, {response.misses} misses, {response.withheld} withheld"
        + (f" ({rules})" if rules else "")
        + f", {response.scrambles} scrambles; spent {_amount(response.spent_eur)} EUR"
    )
    if response.destroyed is not None:
        ratio = response.cost_exchange_ratio
        console.print(
            f"  threats inside the airspace {response.threats_inside}, destroyed "
            f"{response.destroyed}, leakers {response.leakers} (value of assets reached "
            f"{_amount(response.leaker_value or 0.0)}); cost-exchange ratio "
            + ("-" if ratio is None else f"{_amount(ratio)} EUR spent per EUR destroyed")
            + (
                f" ({response.destroyed_without_cost} destroyed of no known cost)"
                if response.destroyed_without_cost
                else ""
            )
        )
    areas = ", ".join(f"{area} {n}" for area, n in response.debris_areas.items())
    console.print(
        f"  debris in no-engagement areas: {response.debris_in_no_engagement}"
        + (f" ({areas})" if areas else "")
    )


def _amount(value: float) -> str:
    """A figure in three significant digits, large ones in k or M (12.3M, 450k, 3.5)."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.3g}M"
    if size >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.0f}" if size >= 100 else f"{value:.3g}"


def print_study(comparison: Comparison) -> None:
    """A study's table: per figure and policy, the median and the 5th-95th percentiles."""
    table = Table(
        title=f"{comparison.scenario}: {comparison.runs} runs per policy (base seed "
        f"{comparison.base_seed}); median [5th-95th percentile]",
        title_justify="left",
    )
    table.add_column("figure")
    for policy in comparison.policies:
        table.add_column(policy, justify="right")
    for figure in comparison.figures:
        cells = [comparison.cells.get((policy, figure.key)) for policy in comparison.policies]
        table.add_row(figure.label, *(_interval(cell, comparison.runs) for cell in cells))
    console.print(table)


def _interval(cell: Interval | None, runs: int) -> str:
    if cell is None:
        return "-"
    text = f"{_amount(cell.median)} [{_amount(cell.low)}-{_amount(cell.high)}]"
    return text + (f" (n={cell.runs})" if cell.runs < runs else "")


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
        f"tracking: GOSPA {score.gospa_mean_m:.0f} m mean over every threat in the airspace "
        f"(c = 1 km; localisation {score.localisation_share:.0%}, missed "
        f"{score.missed_share:.0%}, false {score.false_share:.0%}); GOSPA of what was seen "
        f"{score.seen_gospa_mean_m:.0f} m (missed {score.seen_missed_share:.0%}, "
        f"{score.seen_targets} targets); {score.targets} targets, {score.tracks} tracks, "
        f"peak {summary.peak_confirmed_tracks} confirmed; {score.id_switches} track-number "
        f"changes, {score.fragmentations} fragmentations; median time to confirm "
        + ("-" if confirm is None else f"{confirm:.0f} s")
        + f"; {score.false_tracks} false tracks ({score.false_tracks_per_hour:.1f}/h)"
    )


MAX_THREAT_ROWS = 40
"""Above this many threats the summary groups them by category and origin."""
PLACES_SHOWN = 3
"""How many of the largest places passed without a warning are named per row."""


def _clock(start: datetime, t_s: float | None) -> str:
    return "-" if t_s is None else (start + timedelta(seconds=t_s)).strftime("%H:%M:%S")


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:+.1f} min"


def _gap(threat: ThreatRecord, start: datetime) -> str:
    """The longest undetected stretch: length and start time, or "-"."""
    if threat.longest_gap_s is None:
        return "-"
    return f"{threat.longest_gap_s / 60:.1f} min from {_clock(start, threat.longest_gap_from_s)}"


def _places(places: list[PassedPlace]) -> str:
    """A count and the largest few names (places come largest first)."""
    if not places:
        return "0"
    names = ", ".join(place.name for place in places[:PLACES_SHOWN])
    more = len(places) - PLACES_SHOWN
    return f"{len(places)}: {names}" + (f" and {more} more" if more > 0 else "")


def _print_threats(threats: list[ThreatRecord], start: datetime) -> None:
    """Per threat (or per category and origin when many): detection, warning, border
    and alerts; then, for the threats over the country, public warnings, the longest
    undetected stretch inside the airspace and the places passed without a warning."""
    grouped = len(threats) > MAX_THREAT_ROWS
    if grouped:
        _print_threat_groups(threats)
    else:
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
    over = [t for t in threats if _was_over(t)]
    if not over:
        return
    if grouped:
        _print_over_groups(over, start)
        return
    table = Table(title="threats over the country (UTC)", title_justify="left")
    for column in ("threat", "public warnings", "longest unseen inside", "places unwarned"):
        table.add_column(column)
    for threat in over:
        table.add_row(
            threat.name,
            str(threat.warnings),
            _gap(threat, start),
            _places(list(threat.unwarned_places)),
        )
    console.print(table)


def _was_over(threat: ThreatRecord) -> bool:
    """It crossed into the airspace, or was seen or passed places inside it."""
    return (
        threat.crossed_s is not None
        or threat.longest_gap_s is not None
        or bool(threat.unwarned_places)
    )


def _groups(threats: list[ThreatRecord]) -> list[tuple[tuple[str, str], list[ThreatRecord]]]:
    groups: dict[tuple[str, str], list[ThreatRecord]] = {}
    for threat in threats:
        groups.setdefault((threat.category, threat.origin), []).append(threat)
    return sorted(groups.items())


def _print_threat_groups(threats: list[ThreatRecord]) -> None:
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
    for (category, origin), members in _groups(threats):
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


def _print_over_groups(threats: list[ThreatRecord], start: datetime) -> None:
    table = Table(title="threats over the country by category and origin", title_justify="left")
    for column in (
        "category",
        "origin",
        "threats",
        "public warnings",
        "unseen > a scan",
        "longest unseen inside",
        "places unwarned",
    ):
        table.add_column(column)
    for (category, origin), members in _groups(threats):
        gaps = [t for t in members if t.longest_gap_s is not None]
        longest = max(gaps, key=lambda t: t.longest_gap_s or 0.0) if gaps else None
        places = {(p.name, p.admin1_name): p for t in members for p in t.unwarned_places}
        largest = sorted(places.values(), key=lambda place: -place.population)
        table.add_row(
            category,
            origin,
            str(len(members)),
            str(sum(t.warnings for t in members)),
            str(len(gaps)),
            "-" if longest is None else f"{_gap(longest, start)} ({longest.name})",
            _places(largest),
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
    ("GOSPA mean (every threat in the airspace), m", ("tracking", "gospa_mean_m")),
    ("GOSPA of what was seen, m", ("tracking", "seen_gospa_mean_m")),
    ("tracks", ("tracking", "tracks")),
    ("track-number changes", ("tracking", "id_switches")),
    ("false tracks", ("tracking", "false_tracks")),
    ("threats warned of", ("threats", "warned_s")),
    ("public warnings for threats", ("threats", "warnings")),
    ("threats unseen inside for more than a scan", ("threats", "longest_gap_s")),
    ("longest unseen stretch inside, s", ("threats", "longest_gap_s", "max")),
    ("places passed without a warning", ("threats", "unwarned_places")),
    ("shots", ("response", "shots")),
    ("threats destroyed", ("response", "destroyed")),
    ("leakers", ("response", "leakers")),
    ("spent, EUR", ("response", "spent_eur")),
    ("debris in no-engagement areas", ("response", "debris_in_no_engagement")),
)
"""The figures a replay's summary is compared on: label and path into the summary
(for ``threats``: the field counted or summed over the threats, or its maximum)."""


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
    if path[0] == "threats":
        return _threat_figure(summary.get("threats"), *path[1:])
    value: object = summary
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if path == ("closures",) and isinstance(value, list):
        return len(value)
    return value


def _threat_figure(threats: object, key: str, how: str = "") -> object:
    """Over the threats: the maximum of ``key`` (``how == "max"``), the sum of a count,
    the total length of a list, or how many have a value; None if not recorded."""
    if not isinstance(threats, list):
        return None
    if threats and any(not isinstance(t, dict) or key not in t for t in threats):
        return None
    values = [t[key] for t in threats]
    if how == "max":
        present = [v for v in values if isinstance(v, int | float)]
        return max(present) if present else None
    if all(isinstance(v, list | tuple) for v in values):  # tuples: a summary not yet saved
        return sum(len(v) for v in values)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return sum(values)
    return sum(1 for v in values if v is not None)


def _show(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)
