"""The after-action view of a recording: one self-contained HTML page.

:func:`render_report` reads a recording (only reads it) and returns the page:
the night's timeline (each threat's detection, border crossing, identification,
warnings, engagements and end), airport closures as bars beside the public
record the scenario cites, and the run's summary tables. Styles are inline and
plots are inline SVG; the page's content security policy forbids every request,
so opening it never reaches the network. Every text from the recording is
escaped. Times are shown as UTC clock times.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Any

from flankwatch import __version__
from flankwatch.web.aar_data import AfterAction, ThreatLine, read_after_action
from flankwatch.web.aar_plots import MAX_ROWS, closures_svg, timeline_svg
from flankwatch.web.report_command import GENERATOR

__all__ = ["render_report"]

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:72em;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}
.sub{color:#555}.exercise{background:#fff3cd;border:1px solid #e0c060;padding:.3em .6em;
display:inline-block;font-weight:bold}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.glance td{font-size:1.05em}.plot svg{max-width:100%;height:auto}
blockquote{border-left:4px solid #9467bd;margin:.6em 0;padding:.2em .8em;color:#333;
background:#faf7fd}.note{color:#666;font-size:.9em}
"""
"""The page's styles (inline: the page loads nothing)."""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""Content security policy of the page: inline styles and images only, no request."""


def render_report(recording_dir: Path) -> str:
    """The after-action view of the recording in ``recording_dir`` as one HTML page.

    Raises :class:`flankwatch.store.recording.RecordingError` for a folder that is
    not a readable recording. A recording still being written (no summary yet)
    gives the view of what it holds so far.
    """
    view = read_after_action(Path(recording_dir))
    end = view.start + timedelta(seconds=view.duration_s)
    title = f"After-action view: {view.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        GENERATOR,
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p class="sub">'
        + escape(
            f"{view.start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC "
            f"({view.duration_s / 3600:.1f} h)"
            + (f", seed {view.seed}" if view.seed is not None else "")
            + f"; recording {Path(recording_dir).name}, status {view.status or 'unknown'}"
        )
        + "</p>",
    ]
    if view.exercise:
        parts.append('<p class="exercise">EXERCISE: every threat here is simulated.</p>')
    if view.status != "complete":
        parts.append(
            '<p class="note">The run has not completed: the summary tables are missing and '
            "the timeline shows what the recording holds so far.</p>"
        )
    parts += _glance(view)
    parts += _timeline(view)
    parts += _airports(view)
    parts += _alerts(view)
    parts += _summary(view)
    parts.append(
        f'<p class="note">Made by flankwatch {escape(__version__)} from the recording '
        f"{escape(Path(recording_dir).name)}.</p></body></html>"
    )
    return "\n".join(parts) + "\n"


def _clock(view: AfterAction, t_s: float | None) -> str:
    """UTC clock time of ``t_s`` (s since the start); a dash for none."""
    if t_s is None:
        return "\u2013"
    return f"{view.start + timedelta(seconds=t_s):%H:%M:%S}"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], numeric: int = 0) -> str:
    """An HTML table; cells escaped; the last ``numeric`` columns right-aligned."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            right = i >= len(row) - numeric
            cells.append(f"<td{' class=n' if right else ''}>{escape(_text(cell))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _text(value: object) -> str:
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items()) or "none"
    return str(value)


def _glance(view: AfterAction) -> list[str]:
    """Key figures of the night."""
    threats = view.threats
    crossed = [t for t in threats if t.crossed_s is not None]
    warned_before = [
        t for t in crossed if t.warned_s is not None and t.warned_s <= (t.crossed_s or 0.0)
    ]
    public_before = [
        t for t in crossed if t.warnings_s and min(t.warnings_s) <= (t.crossed_s or 0.0)
    ]
    identified_before = [
        t for t in crossed if t.identified_s is not None and t.identified_s <= (t.crossed_s or 0.0)
    ]
    shots = [s for t in threats for s in t.shots]
    rows: list[tuple[str, object]] = [
        ("threats" if view.from_truth else "tracks of interest", len(threats)),
        ("crossed the border", len(crossed)),
        ("warned of before crossing (identity or predicted crossing)", len(warned_before)),
        ("identified suspect or hostile before crossing", len(identified_before)),
        ("public warning issued before crossing", len(public_before)),
        ("public warnings issued", sum(len(t.warnings_s) for t in threats)),
        ("shots (kills)", f"{len(shots)} ({sum(s.outcome == 'kill' for s in shots)})"),
        ("destroyed", sum(t.end == "destroyed" for t in threats)),
        ("airports closed", len({c.icao for c in view.closures})),
    ]
    return [
        "<h2>At a glance</h2>",
        '<div class="glance">',
        _table(("figure", "value"), rows, 1),
        "</div>",
    ]


def _timeline(view: AfterAction) -> list[str]:
    """The timeline plot and the per-threat table."""
    what = "threat" if view.from_truth else "track of interest"
    parts = ["<h2>The night</h2>"]
    if not view.threats:
        return [*parts, f"<p>No {what} in this recording.</p>"]
    if not view.from_truth:
        parts.append(
            '<p class="note">No ground truth in this recording (a live run): each row is a '
            "track declared suspect or hostile, warned of, or engaged.</p>"
        )
    parts.append(
        '<div class="plot">' + timeline_svg(view.threats, view.start, view.duration_s, view.name)
    )
    parts.append("</div>")
    if len(view.threats) > MAX_ROWS:
        parts.append(
            f'<p class="note">The plot shows the first {MAX_ROWS} of {len(view.threats)} '
            f"({what}s by first appearance); the table lists them all.</p>"
        )
    header = (
        "name",
        "category",
        "origin",
        "first seen",
        "detected",
        "crossed",
        "warned",
        "identified",
        "first warning",
        "warnings",
        "shots",
        "end",
    )
    parts.append(_table(header, (_threat_row(view, t) for t in view.threats)))
    return parts


def _threat_row(view: AfterAction, threat: ThreatLine) -> tuple[object, ...]:
    shots = ", ".join(
        f"{_clock(view, s.t_s)} {s.weapon} ({s.unit}): {s.outcome or 'in flight'}"
        for s in threat.shots
    )
    identified = (
        f"{_clock(view, threat.identified_s)} {threat.identity}"
        if threat.identified_s is not None
        else None
    )
    return (
        threat.label,
        threat.category or None,
        threat.origin or None,
        _clock(view, threat.first_s),
        _clock(view, threat.detected_s),
        _clock(view, threat.crossed_s),
        _clock(view, threat.warned_s),
        identified,
        _clock(view, min(threat.warnings_s)) if threat.warnings_s else None,
        len(threat.warnings_s),
        shots or None,
        f"{threat.end} {_clock(view, threat.last_s)}",
    )


def _airports(view: AfterAction) -> list[str]:
    """Closure bars, the public record beside them, and the closures' table."""
    parts = ["<h2>Airports</h2>"]
    if view.closures:
        parts.append(
            '<div class="plot">'
            + closures_svg(view.closures, view.airports, view.start, view.duration_s, view.name)
            + "</div>"
        )
    else:
        parts.append("<p>No airport was closed.</p>")
    if view.public_record:
        parts.append("<p>The public record, as the scenario cites it:</p>")
        parts += [f"<blockquote>{escape(line)}</blockquote>" for line in view.public_record]
    else:
        parts.append('<p class="note">The scenario cites no public record of airports.</p>')
    if view.airports:
        closed = {c.icao: 0 for c in view.closures}
        for c in view.closures:
            closed[c.icao] += 1
        rows_named = [
            (f"{a.icao} {a.name}", closed.get(a.icao, 0), a.in_public_record) for a in view.airports
        ]
        header = ("airport", "closures in the run", "named in the public record")
        parts.append(_table(header, rows_named, 2))
    if view.closures:
        rows = []
        for c in view.closures:
            end_s = c.reopened_s if c.reopened_s is not None else view.duration_s
            rows.append(
                (
                    f"{c.icao} {c.name}",
                    _clock(view, c.closed_s),
                    _clock(view, c.reopened_s) if c.reopened_s is not None else "still closed",
                    f"{(end_s - c.closed_s) / 60:.0f} min",
                )
            )
        parts.append(_table(("airport", "closed", "reopened", "closed for"), rows, 1))
    return parts


def _alerts(view: AfterAction) -> list[str]:
    """Each alert's life: issued, updates, ended, and its headline."""
    parts = ["<h2>Warnings and closures issued</h2>"]
    if not view.alerts:
        return [*parts, "<p>No alert was issued.</p>"]
    rows = [
        (
            _clock(view, a.issued_s),
            {"public": "public warning", "airport": "airport closure"}.get(a.kind, a.kind),
            f"track {a.track_id}" if a.track_id >= 0 else None,
            a.updates,
            _clock(view, a.ended_s) if a.ended_s is not None else "in force at the end",
            " + ".join(f.upper() for f in a.formats),
            a.headline,
        )
        for a in view.alerts
    ]
    header = ("issued", "kind", "for", "updates", "ended", "messages", "headline")
    return [*parts, _table(header, rows)]


def _summary(view: AfterAction) -> list[str]:
    """The run's summary tables, as recorded."""
    summary = view.summary
    parts = ["<h2>Summary of the run</h2>"]
    if summary:
        figures: list[tuple[str, object]] = [
            ("simulated", f"{float(summary.get('simulated_s', 0.0)) / 3600:.2f} h"),
            ("windows", summary.get("batches")),
            ("plots", summary.get("plots")),
            ("false plots", summary.get("false_plots")),
            ("peak confirmed tracks", summary.get("peak_confirmed_tracks")),
            ("alerts issued", summary.get("alerts_issued")),
            ("CAP messages", summary.get("cap_messages")),
            ("civil aircraft marked suspect or hostile", summary.get("civil_misidentified")),
        ]
        parts.append(_table(("figure", "value"), figures, 1))
        parts += _section("Objects by category", summary.get("categories"))
        parts += _ledger(view, summary.get("threats"))
        parts += _key_values("Tracking against the truth", summary.get("tracking"))
        parts += _key_values("Response", summary.get("response"))
    if view.event_counts:
        parts.append("<h3>Events by kind</h3>")
        parts.append(_table(("kind", "events"), view.event_counts.items(), 1))
    return parts


def _ledger(view: AfterAction, threats: object) -> list[str]:
    """The threat ledger's own findings: warning lead time, longest undetected stretch
    inside the airspace, populated places passed with no public warning in force."""
    if not isinstance(threats, list) or not threats:
        return []
    rows = []
    for threat in threats:
        if not isinstance(threat, dict):
            continue
        crossed, warned = threat.get("crossed_s"), threat.get("warned_s")
        lead = None if crossed is None or warned is None else f"{(crossed - warned) / 60:.1f} min"
        gap = threat.get("longest_gap_s")
        places = threat.get("unwarned_places") or []
        rows.append(
            (
                threat.get("name"),
                lead,
                None
                if gap is None
                else f"{gap / 60:.1f} min from {_clock(view, threat.get('longest_gap_from_s'))}",
                ", ".join(str(p.get("name")) for p in places if isinstance(p, dict)) or None,
            )
        )
    header = ("threat", "warning lead time", "longest undetected inside", "passed unwarned")
    return ["<h3>Threat ledger</h3>", _table(header, rows)]


def _section(title: str, rows: object) -> list[str]:
    """A list of records as a table (columns from the first record)."""
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return []
    header = list(rows[0])
    return [
        f"<h3>{escape(title)}</h3>",
        _table(
            [h.replace("_", " ") for h in header],
            ([row.get(h) for h in header] for row in rows if isinstance(row, dict)),
            len(header) - 1,
        ),
    ]


def _key_values(title: str, values: Any) -> list[str]:
    """A record as a two-column table (names with their units, as recorded)."""
    if not isinstance(values, dict) or not values:
        return []
    rows = [(key.replace("_", " "), value) for key, value in values.items()]
    return [f"<h3>{escape(title)}</h3>", _table(("figure", "value"), rows, 1)]
