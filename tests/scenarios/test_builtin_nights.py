"""Whole built-in nights, checked against the public record.

`poland-2025-09-10` (8 simulated hours) and `tu95-strike-2024-03-24` (3 hours) are
simulated alone (what the simulation decides: launches, border crossings from the
truth, ends, detections, sensors on watch) and run through the whole chain
(tracking, assessment and alerts with the default rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from flankwatch.geo.borders import inside
from flankwatch.geo.geodesy import distance_azimuth
from flankwatch.geo.places import place
from flankwatch.pipeline import RunSummary, run_scenario
from flankwatch.scenario.loader import load_scenario
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.engine import Simulation
from flankwatch.store.query import query

pytestmark = pytest.mark.slow

CROSSINGS_UTC = (
    datetime.fromisoformat("2025-09-09T21:30:00+00:00"),
    datetime.fromisoformat("2025-09-10T04:30:00+00:00"),
)
"""Poland, 9-10 September 2025: violations between 23:30 and 06:30 local (Polish prime
minister and Operational Command)."""
LAST_DOWN_UTC = datetime.fromisoformat("2025-09-10T04:45:00+00:00")
"""The last drone neutralised about 06:45 local (Operational Command via press)."""
OSERDOW_S = 39.0
"""24 March 2024: the missile spent 39 s in Polish airspace near Oserdow (Operational
Command)."""


@dataclass
class Night:
    """What the simulation alone decided over a whole scenario."""

    scenario: Scenario
    simulation: Simulation
    entries_s: dict[int, list[float]]
    """Per object: the truth times at which it was first seen inside Poland after being
    outside it (an entry into Polish airspace), s after the start."""
    entry_points: dict[int, list[tuple[float, float]]]
    """Per object: where each entry was seen, (lat_deg, lon_deg)."""
    inside_s: dict[int, float]
    """Per object: the time it spent inside Poland, s (truth rows times the period)."""
    first_truth: dict[int, tuple[float, float, float]]
    """Per object: its first truth row (t_s, lat_deg, lon_deg)."""
    ended_s: dict[int, float]
    first_plot_s: np.ndarray
    """Per object: its first plot from any sensor, s (inf: never seen)."""
    plot_t_by_sensor: dict[int, np.ndarray]
    """Per sensor id: the times of its plots, s."""


def _simulate(scenario: Scenario) -> Night:
    simulation = Simulation(scenario)
    n = len(simulation.plans)
    outside = np.zeros(n, bool)
    now_inside = np.zeros(n, bool)
    entries: dict[int, list[float]] = {}
    points: dict[int, list[tuple[float, float]]] = {}
    inside_s = dict.fromkeys(range(n), 0.0)
    first_truth: dict[int, tuple[float, float, float]] = {}
    ended: dict[int, float] = {}
    first_plot = np.full(n, np.inf)
    plot_t: dict[int, list[np.ndarray]] = {}
    period = scenario.truth_period_s
    for step in simulation.steps():
        plots = step.plots
        seen = plots.truth_id >= 0
        np.minimum.at(first_plot, plots.truth_id[seen], plots.t_s[seen])
        for sensor in np.unique(plots.sensor_id).tolist():
            plot_t.setdefault(sensor, []).append(plots.t_s[plots.sensor_id == sensor])
        truth = step.truth
        ins = inside("POL", truth.lat_deg, truth.lon_deg)
        rows = zip(truth.t_s.tolist(), truth.object_id.tolist(), ins.tolist(), strict=True)
        for k, (t, i, is_in) in enumerate(rows):
            first_truth.setdefault(i, (t, float(truth.lat_deg[k]), float(truth.lon_deg[k])))
            if is_in and outside[i] and not now_inside[i]:
                entries.setdefault(i, []).append(t)
                points.setdefault(i, []).append((float(truth.lat_deg[k]), float(truth.lon_deg[k])))
            outside[i] |= not is_in
            now_inside[i] = is_in
            inside_s[i] += period if is_in else 0.0
            if truth.ended[k]:
                ended[i] = t
    return Night(
        scenario,
        simulation,
        entries,
        points,
        inside_s,
        first_truth,
        ended,
        first_plot,
        {sensor: np.concatenate(times) for sensor, times in plot_t.items()},
    )


@pytest.fixture(scope="module")
def poland_night() -> Night:
    scenario, _ = load_scenario("poland-2025-09-10")
    return _simulate(scenario)


@pytest.fixture(scope="module")
def tu95_night() -> Night:
    scenario, _ = load_scenario("tu95-strike-2024-03-24")
    return _simulate(scenario.model_copy(update={"truth_period_s": scenario.step_s}))


def _utc(night: Night, t_s: float) -> datetime:
    return night.scenario.start + timedelta(seconds=t_s)


def _drones(night: Night) -> np.ndarray:
    plans = night.simulation.plans
    return np.flatnonzero(~plans.cooperative)


def test_poland_every_crossing_lies_in_the_reported_window(poland_night: Night) -> None:
    plans = poland_night.simulation.plans
    crossed = [i for i in _drones(poland_night).tolist() if i in poland_night.entries_s]
    assert len(crossed) >= 19  # 19 reported at first, 21 later
    assert {str(plans.origin[i]) for i in crossed} == {"Belarus", "Ukraine"}
    times = [_utc(poland_night, t) for i in crossed for t in poland_night.entries_s[i]]
    assert CROSSINGS_UTC[0] <= min(times) and max(times) <= CROSSINGS_UTC[1], (
        min(times),
        max(times),
    )
    # spread over the night, not crowded into its first hours
    assert min(times) < CROSSINGS_UTC[0] + timedelta(minutes=30)
    assert max(times) > CROSSINGS_UTC[1] - timedelta(hours=1)
    # every drone that flew was in Poland at some time: none is left out
    flew = [i for i in _drones(poland_night).tolist() if i in poland_night.first_truth]
    assert set(flew) == set(crossed)


def test_poland_the_last_drone_comes_down_about_0645_local(poland_night: Night) -> None:
    ends = [poland_night.ended_s[i] for i in _drones(poland_night).tolist()]
    last = _utc(poland_night, max(ends))
    assert abs(last - LAST_DOWN_UTC) <= timedelta(minutes=15), last
    assert all(np.isfinite(ends))


def test_poland_drones_launched_before_the_start_are_in_flight_at_it(poland_night: Night) -> None:
    plans = poland_night.simulation.plans
    early = [i for i in _drones(poland_night).tolist() if plans.launch_t_s[i] < 0.0]
    assert early, "no drone is launched before the start"
    for i in early:
        t_s, lat, lon = poland_night.first_truth[i]
        assert t_s <= poland_night.scenario.truth_period_s
        flown_m, _ = distance_azimuth(plans.launch_lat_deg[i], plans.launch_lon_deg[i], lat, lon)
        expected_m = -plans.launch_t_s[i] * plans.speed_mps[i]
        assert flown_m == pytest.approx(expected_m, rel=0.05), plans.name[i]


def test_poland_every_drone_is_detected_before_it_comes_down(poland_night: Night) -> None:
    for i in _drones(poland_night).tolist():
        assert poland_night.first_plot_s[i] < poland_night.ended_s[i], (
            poland_night.simulation.plans.name[i]
        )


def _sensor_ids(night: Night, name: str) -> list[int]:
    table = night.simulation.sensor_table()
    names = table.column("name").to_pylist()
    return [
        int(s)
        for s, n in zip(table.column("sensor_id").to_pylist(), names, strict=True)
        if n == name
    ]


def test_poland_aew_on_watch_as_reported(poland_night: Night) -> None:
    scenario = poland_night.scenario
    table = poland_night.simulation.sensor_table()
    types = dict(
        zip(table.column("name").to_pylist(), table.column("type").to_pylist(), strict=True)
    )
    assert "awacs" not in types.values()
    assert types["aew-caew-italy"] == "caew" and types["aew-saab340"] == "erieye"
    (caew,) = _sensor_ids(poland_night, "aew-caew-italy")
    on_s = table.column("active_from_s")[caew].as_py()
    off_s = table.column("active_until_s")[caew].as_py()
    # up from Amari shortly after midnight: on station over Poland after 23:00 UTC
    assert _utc(poland_night, on_s) >= datetime.fromisoformat("2025-09-09T22:30:00+00:00")
    times = poland_night.plot_t_by_sensor[caew]
    assert times.min() >= on_s - scenario.batch_s and times.max() <= off_s + scenario.batch_s
    assert times.min() <= on_s + 60.0  # it reports as soon as it is on station
    (saab,) = _sensor_ids(poland_night, "aew-saab340")
    assert poland_night.plot_t_by_sensor[saab].min() <= 60.0  # up from the start


def test_tu95_one_missile_makes_one_incursion_of_about_39_s_near_oserdow(tu95_night: Night) -> None:
    plans = tu95_night.simulation.plans
    entered = {str(plans.name[i]): times for i, times in tu95_night.entries_s.items()}
    assert list(entered) == ["oserdow-1"], entered
    (missile,) = np.flatnonzero(plans.name == "oserdow-1").tolist()
    (entry_s,) = entered["oserdow-1"]
    assert tu95_night.inside_s[missile] == pytest.approx(OSERDOW_S, abs=10.0)
    oserdow = place("oserdow")
    ((lat, lon),) = tu95_night.entry_points[missile]
    from_oserdow_m, _ = distance_azimuth(oserdow.lat_deg, oserdow.lon_deg, lat, lon)
    assert from_oserdow_m < 10_000.0
    entered_utc = _utc(tu95_night, entry_s)
    assert abs(entered_utc - datetime.fromisoformat("2024-03-24T03:23:00+00:00")) < timedelta(
        minutes=10
    )


def _run(name: str, folder: Path) -> RunSummary:
    scenario, text = load_scenario(name)
    return run_scenario(scenario, text, folder / name)


@pytest.fixture(scope="module")
def poland(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunSummary, Path]:
    folder = tmp_path_factory.mktemp("nights")
    return _run("poland-2025-09-10", folder), folder / "poland-2025-09-10"


@pytest.fixture(scope="module")
def poland_unengaged() -> RunSummary:
    """The Polish night with no effector: the drones fly to their ends (not recorded: only
    its summary is read)."""
    scenario, text = load_scenario("poland-2025-09-10")
    unengaged = scenario.model_copy(update={"defence": None})
    return run_scenario(unengaged, text, None)


@pytest.fixture(scope="module")
def tu95(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunSummary, Path]:
    folder = tmp_path_factory.mktemp("nights")
    return _run("tu95-strike-2024-03-24", folder), folder / "tu95-strike-2024-03-24"


def test_poland_civil_traffic_is_never_suspect_or_hostile(poland: tuple) -> None:
    summary, out = poland
    assert summary.civil_misidentified == 0
    _, rows = query(
        out,
        "select count(*) from events e join tracks t using (track_id) "
        "where e.kind = 'identity-changed' and t.icao24 <> 0 "
        "and json_extract_string(e.data, '$.to') in ('suspect', 'hostile')",
    )
    assert rows[0][0] == 0


def test_poland_every_drone_that_crossed_was_warned_before(poland: tuple) -> None:
    summary, _ = poland
    crossed = [t for t in summary.threats if t.crossed_s is not None]
    assert len(crossed) >= 19
    assert {t.origin for t in crossed} == {"Belarus", "Ukraine"}
    assert all(t.lead_time_s is not None and t.lead_time_s > 0 for t in crossed)


def test_poland_closes_the_airports_of_the_public_record(poland: tuple) -> None:
    summary, _ = poland
    closed = {closure.icao for closure in summary.closures}
    assert {"EPWA", "EPLB"} <= closed
    assert len(closed & {"EPWA", "EPMO", "EPRZ", "EPLB"}) >= 3
    for closure in summary.closures:
        assert closure.reopened_s is None or closure.reopened_s > closure.closed_s


def test_poland_public_alerts_are_recorded_as_valid_cap(poland: tuple) -> None:
    from flankwatch.alert import validate_cap

    summary, out = poland
    files = sorted((out / "cap").glob("*.xml"))
    assert summary.cap_messages == len(files) > 0
    assert all(validate_cap(path.read_text()) == [] for path in files[:: max(1, len(files) // 25)])


def test_tu95_the_missile_over_oserdow_is_seen_and_warned(tu95: tuple) -> None:
    summary, _ = tu95
    (missile,) = [t for t in summary.threats if t.name.startswith("oserdow")]
    assert missile.crossed_s is not None
    assert missile.detected_s is not None and missile.detected_s < missile.crossed_s
    assert summary.civil_misidentified == 0


FOLLOWING_M = 500.0
"""A track within this of a drone, with no own aircraft nearer, follows the drone."""


def _friend_changes_near_a_drone(out: Path, at: str) -> tuple[int, int]:
    """The changes to friend, and those of them whose track was within
    :data:`FOLLOWING_M` of a drone (no own aircraft nearer) ``at`` the change's time
    (``change``) or at the track's update before it (``before``: tracks born friend
    left out), judged against the nearest object in the truth then (own aircraft are
    in the ``own_forces`` table)."""
    when = "e.t_s" if at == "change" else "max(t.time_s)"
    earlier = "=" if at == "change" else "<"
    _, rows = query(
        out,
        f"""
        with changed as (
            select e.t_s, e.track_id, {when} as seen_s
            from events e join tracks t on t.track_id = e.track_id and t.time_s {earlier} e.t_s
            where e.kind = 'identity-changed'
                and json_extract_string(e.data, '$.to') = 'friend'
            group by e.t_s, e.track_id
        ),
        nearest as (
            select r.object_id,
                sqrt((r.x_m - t.x_m)^2 + (r.y_m - t.y_m)^2 + (r.z_m - t.z_m)^2) as miss_m,
                row_number() over (
                    partition by c.t_s, c.track_id
                    order by (r.x_m - t.x_m)^2 + (r.y_m - t.y_m)^2 + (r.z_m - t.z_m)^2
                ) as k
            from changed c
            join tracks t on t.track_id = c.track_id and t.time_s = c.seen_s
            join truth r on r.t_s = c.seen_s
        )
        select count(*), count(*) filter (where miss_m < {FOLLOWING_M}
                and object_id not in (select truth_id from own_forces))
        from nearest where k = 1
        """,
    )
    return rows[0]


def test_poland_no_track_following_a_drone_turns_friend(poland: tuple) -> None:
    """An F-16 closing on a decoy answers IFF Mode 5 beside it: its replies must not make
    the decoy's track a friend. A track born friend (from a fighter's plot) as a
    fighter passes within a few hundred metres of a drone may sit beside the drone at
    first: a few of the night's changes to friend, not more."""
    _, out = poland
    changes, born_beside_a_drone = _friend_changes_near_a_drone(out, "change")
    _, following_a_drone = _friend_changes_near_a_drone(out, "before")
    assert changes > 0
    assert following_a_drone == 0
    assert born_beside_a_drone <= 0.05 * changes


CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
REOPEN_GUARD_S = 15 * 60.0
"""No airport may reopen and close again within this (the operators' rule of thumb)."""


def test_poland_no_airport_reopens_and_closes_again_within_15_min(poland: tuple) -> None:
    summary, _ = poland
    by_airport: dict[str, list] = {}
    for closure in summary.closures:
        by_airport.setdefault(closure.icao, []).append(closure)
    for closures in by_airport.values():
        for before, after in zip(closures, closures[1:], strict=False):
            assert before.reopened_s is not None
            assert after.closed_s - before.reopened_s >= REOPEN_GUARD_S, before.icao


def test_poland_closures_match_the_record(poland_unengaged: RunSummary) -> None:
    """Chopin closed about two hours and reopened about 07:30 local; Lublin closed longest.

    Chopin closed for the two drones flying towards Warsaw, which the fighters did not
    down. In a run with fighters, whether they down one first is a draw of the kill
    probabilities (one such drone survived four missiles in one run and fell to the third
    in another, after a change elsewhere), so the warnings are held to the record on the
    night without engagements."""
    summary = poland_unengaged
    start = datetime.fromisoformat("2025-09-09T21:30:00+00:00")

    def closed_for(icao: str) -> float:
        return sum(
            (c.reopened_s if c.reopened_s is not None else summary.simulated_s) - c.closed_s
            for c in summary.closures
            if c.icao == icao
        )

    assert closed_for("EPLB") == max(closed_for(c.icao) for c in summary.closures)
    assert 90 * 60 <= closed_for("EPWA") <= 150 * 60
    last_reopen = max(c.reopened_s for c in summary.closures if c.icao == "EPWA")
    reopened = start + timedelta(seconds=last_reopen)
    assert abs(reopened - datetime.fromisoformat("2025-09-10T05:30:00+00:00")) <= timedelta(hours=1)


def test_poland_public_warnings_speak_polish_and_english_by_voivodeship(poland: tuple) -> None:
    import xml.etree.ElementTree as ET

    from flankwatch.alert import validate_cap

    summary, out = poland
    files = sorted((out / "cap").glob("*.xml"))
    assert summary.cap_messages == len(files) > 0
    for path in files:
        text = path.read_text()
        assert validate_cap(text) == [], path.name
        root = ET.fromstring(text)
        languages = [info.findtext(f"{CAP}language") for info in root.iter(f"{CAP}info")]
        assert languages[0] == "pl-PL" and languages[1].startswith("en"), path.name
        lowered = text.lower()
        assert "decoy" not in lowered and "wabik" not in lowered, path.name
        for info, unit in zip(
            root.iter(f"{CAP}info"), ("województwo", "Voivodeship"), strict=False
        ):
            for area in info.iter(f"{CAP}area"):
                codes = {g.findtext(f"{CAP}valueName") for g in area.iter(f"{CAP}geocode")}
                assert {"ISO3166-2", "TERYT"} <= codes, path.name
                assert unit in (area.findtext(f"{CAP}areaDesc") or ""), path.name


def test_poland_no_public_warning_before_the_threat_persisted(poland: tuple) -> None:
    from flankwatch.alert.ruleset import default_rules

    _, out = poland
    rule = default_rules().public
    _, issued = query(
        out,
        "select t_s, track_id from events where kind = 'alert-issued' "
        "and json_extract_string(data, '$.alert') = 'public'",
    )
    assert issued
    for t_s, track_id in issued:
        _, rows = query(
            out,
            f"select count(distinct last_update_s), min(last_update_s) from tracks "
            f"where track_id = {int(track_id)} and time_s <= {float(t_s)}",
        )
        updates, first = rows[0]
        assert updates >= rule.persist_updates, (track_id, updates)
        assert t_s - first >= rule.persist_s, (track_id, t_s - first)


def test_poland_all_clear_only_for_a_threat_seen_to_end(poland: tuple) -> None:
    """Every all-clear cancel comes with a threat that really came down near there."""
    _, out = poland
    _, cancels = query(
        out,
        "select e.t_s, e.track_id, json_extract_string(e.data, '$.ending') from events e "
        "where e.kind = 'alert-cancelled' and json_extract_string(e.data, '$.alert') = 'public'",
    )
    assert cancels
    for t_s, track_id, ending in cancels:
        assert ending in ("down", "destroyed", "left", "moved-away", "lapsed"), ending
        if ending != "down":
            continue
        _, rows = query(
            out,
            "select min(sqrt(power(u.x_m - k.x_m, 2) + power(u.y_m - k.y_m, 2))) from truth u, "
            f"(select x_m, y_m from tracks where track_id = {int(track_id)} "
            "order by time_s desc limit 1) k "
            f"where u.ended and u.t_s between {float(t_s) - 1800} and {float(t_s) + 60}",
        )
        assert rows[0][0] is not None and rows[0][0] < 10_000.0, (track_id, rows[0][0])
