"""Identity rules: proposals held over updates, their events and reasons, and bad rule files."""

import numpy as np
import pytest

from flankwatch.assess.assessment import CATEGORIES, IDENTITIES
from flankwatch.assess.identity import RuleIdentifier, load_identity_rules
from flankwatch.assess.rulefile import RuleError
from flankwatch.events import EventKind
from flankwatch.track.output import TrackStatus

DRONE = CATEGORIES.index("one-way-attack-drone")
CRUISE = CATEGORIES.index("cruise-missile")
HELICOPTER = CATEGORIES.index("helicopter")
BELARUS = (52.3, 24.5)
"""A point in Belarus, about 70 km east of the Polish border."""


@pytest.fixture(scope="module")
def rules():
    return load_identity_rules()


@pytest.fixture
def identifier(rules, frame):
    return RuleIdentifier(rules, frame)


@pytest.fixture
def step(identifier, make_tracks, kinematics, at):
    """Identify one track (number 1) in one step (a fresh update at ``t_s``); returns its
    proposed identity and the proposal events."""

    def run(
        where=BELARUS,
        alt_m=800.0,
        vel=(-50.0, 0.0, 0.0),
        status=TrackStatus.CONFIRMED,
        icao24=0,
        callsign="",
        inside=False,
        category=DRONE,
        category_prob=0.5,
        t_s=0.0,
        vel_sigma_mps=2.0,
    ):
        tracks = make_tracks(
            at(*where, alt_m),
            vel,
            t_s=t_s,
            vel_sigma_mps=vel_sigma_mps,
            track_id=[1],
            status=status,
            icao24=icao24,
            callsign=callsign,
        )
        result = identifier.identify(
            tracks,
            kinematics(tracks),
            np.array([category]),
            np.array([category_prob]),
            np.array([inside]),
            t_s,
        )
        proposals = [e for e in result.events if e.kind == EventKind.IDENTITY_PROPOSED]
        return IDENTITIES[result.proposed[0]], proposals

    return run


@pytest.fixture
def hold(step):
    """Run ``step`` every 5 s from ``t0_s`` for ``n`` steps; the last identity and all
    proposal events."""

    def run(n, t0_s=0.0, **kwargs):
        events = []
        for k in range(n):
            identity, found = step(t_s=t0_s + 5.0 * k, **kwargs)
            events += found
        return identity, events

    return run


def _only_change(events, before, after, rule):
    assert len(events) == 1
    event = events[0]
    assert event.kind == EventKind.IDENTITY_PROPOSED
    assert event.track_id == 1
    assert event.data == {"from": before, "to": after, "rule": rule}
    assert rule in event.message


def test_pending_unknown_suspect_hostile(step, hold):
    identity, events = step(alt_m=5000.0, status=TrackStatus.TENTATIVE)
    assert (identity, events) == ("pending", [])
    identity, events = step(alt_m=5000.0, t_s=5.0)
    assert identity == "unknown"
    _only_change(events, "pending", "unknown", "confirmed")
    identity, events = hold(4, t0_s=10.0, alt_m=1000.0)
    assert identity == "suspect"
    _only_change(events, "unknown", "suspect", "slow-low-from-origin")
    assert "Belarus" in events[0].message
    identity, events = hold(4, t0_s=30.0, where=(52.2, 22.5), alt_m=1000.0, inside=True)
    assert identity == "hostile"
    _only_change(events, "suspect", "hostile", "suspect-in-airspace")


def test_one_noisy_update_does_not_propose_suspect(step, hold):
    """A helicopter-like track whose speed reads slow once is not a suspect."""
    hold(3, alt_m=1000.0, vel=(-150.0, 0.0, 0.0))
    identity, events = step(alt_m=1000.0, t_s=15.0)
    assert (identity, events) == ("unknown", [])
    identity, _ = hold(3, t0_s=20.0, alt_m=1000.0, vel=(-150.0, 0.0, 0.0))
    assert identity == "unknown"


def test_the_rule_waits_for_updates_and_seconds(step):
    """Three updates within 10 s are not enough: the rule also asks for 15 s."""
    step(alt_m=1000.0, status=TrackStatus.CONFIRMED, t_s=0.0)
    for t in (0.5, 1.0, 1.5, 2.0):
        identity, _ = step(alt_m=1000.0, t_s=t)
        assert identity == "unknown"
    identity, _ = step(alt_m=1000.0, t_s=16.0)
    assert identity == "suspect"


def test_a_helicopter_is_not_made_suspect(hold):
    """Slow, low, silent and from Belarus, but flying as a helicopter: unknown."""
    identity, _ = hold(10, alt_m=500.0, category=HELICOPTER, category_prob=0.8)
    assert identity == "unknown"


def test_proposals_only_escalate(hold):
    hold(5, alt_m=1000.0)
    identity, events = hold(5, t0_s=25.0, alt_m=6000.0, vel=(-150.0, 0.0, 0.0))
    assert (identity, events) == ("suspect", [])


def test_coming_from_origin_by_heading(hold):
    """First seen in Poland, but flying west from Belarus: suspect."""
    identity, _ = hold(5, where=(52.2, 23.2), vel=(-50.0, 0.0, 0.0))
    assert identity == "suspect"


def test_not_from_origin(hold):
    """First seen in Poland flying east, away from Belarus: only unknown."""
    identity, _ = hold(8, where=(52.2, 22.0), vel=(50.0, 0.0, 0.0))
    assert identity == "unknown"


def test_slow_low_and_silent_from_ukraine_is_suspect_once_inside(hold):
    """Not from an origin country: unknown outside, suspect inside, then hostile."""
    ukraine, poland = (50.9, 24.2), (50.9, 23.5)
    identity, _ = hold(5, where=ukraine)
    assert identity == "unknown"
    identity, events = hold(4, t0_s=25.0, where=poland, inside=True)
    assert identity == "suspect"
    _only_change(events, "unknown", "suspect", "slow-low-inside")
    identity, _ = hold(4, t0_s=45.0, where=poland, inside=True)
    assert identity == "hostile"


def test_a_young_track_whose_speed_is_a_guess_is_not_called_slow(hold):
    """A radar-only track just confirmed, its speed still uncertain: unknown."""
    poland = (50.9, 23.5)
    identity, _ = hold(5, where=poland, vel=(-60.0, 0.0, 0.0), inside=True, vel_sigma_mps=30.0)
    assert identity == "unknown"
    identity, _ = hold(4, t0_s=25.0, where=poland, vel=(-60.0, 0.0, 0.0), inside=True)
    assert identity == "suspect"


def test_a_transponder_without_a_filed_plan_becomes_unknown_then_suspect(hold):
    """ADS-B is no longer neutral by itself: no plan of its callsign, so unknown after
    30 s and suspect after three more minutes."""
    where = (52.2, 21.0)
    kwargs = {"where": where, "alt_m": 9000.0, "vel": (220.0, 0.0, 0.0)}
    identity, events = hold(7, icao24=0x48AE01, callsign="XYZ123", **kwargs)
    assert identity == "unknown"
    assert "neutral" not in [e.data["to"] for e in events]
    identity, events = hold(37, t0_s=35.0, icao24=0x48AE01, callsign="XYZ123", **kwargs)
    assert identity == "suspect"
    _only_change(events, "unknown", "suspect", "off-flight-plan-held")


def test_own_aircraft_is_friend_by_callsign(step):
    identity, events = step(where=(52.2, 22.0), alt_m=6000.0, callsign="PLF104", icao24=0x48D001)
    assert identity == "friend"
    _only_change(events, "pending", "friend", "own-aircraft")


def test_own_aircraft_by_icao_address(frame, tmp_path, make_tracks, kinematics, at):
    text = (
        "own_forces: {icao24: ['48d0f1']}\n"
        "rules:\n  - {name: own, when: {own: true}, identity: friend, override: true}\n"
    )
    path = tmp_path / "own.yaml"
    path.write_text(text)
    identifier = RuleIdentifier(load_identity_rules(path), frame)
    tracks = make_tracks(at(52.2, 22.0, 6000.0), [0, 200.0, 0], icao24=[0x48D0F1])
    result = identifier.identify(
        tracks, kinematics(tracks), np.array([DRONE]), np.array([0.5]), np.array([True]), 0.0
    )
    assert IDENTITIES[result.declared[0]] == "friend"
    proposals = [e for e in result.events if e.kind == EventKind.IDENTITY_PROPOSED]
    assert proposals[0].data["rule"] == "own"


def test_missile_is_proposed_hostile(hold):
    identity, events = hold(
        3,
        where=(52.2, 22.0),
        alt_m=100.0,
        vel=(0.0, 240.0, 0.0),
        category=CRUISE,
        category_prob=0.9,
    )
    assert identity == "hostile"
    assert [e.data["to"] for e in events] == ["unknown", "hostile"]
    _only_change(events[1:], "unknown", "hostile", "missile")


def test_deleted_tracks_keep_their_identity(step, hold):
    hold(5, alt_m=1000.0)
    identity, events = step(alt_m=1000.0, icao24=0x48AE01, status=TrackStatus.DELETED, t_s=25.0)
    assert (identity, events) == ("suspect", [])


def _write(tmp_path, text):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return path


def test_unknown_field_is_named(tmp_path):
    path = _write(
        tmp_path,
        "rules:\n  - name: a\n    when: {colour: red}\n    identity: hostile\n",
    )
    with pytest.raises(RuleError) as caught:
        load_identity_rules(path)
    text = str(caught.value)
    assert str(path) in text
    assert "rules[0].when.colour" in text
    assert caught.value.problems[0].line == 3
    assert caught.value.exit_code == 2


def test_wrong_identity_name_is_named(tmp_path):
    path = _write(
        tmp_path,
        "rules:\n"
        "  - {name: a, when: {adsb: true}, identity: neutral}\n"
        "  - {name: b, when: {identity: [pending]}, identity: enemy}\n",
    )
    with pytest.raises(RuleError) as caught:
        load_identity_rules(path)
    assert [p.field for p in caught.value.problems] == ["rules[1].identity"]
    assert "enemy" in str(caught.value) or "hostile" in str(caught.value)


def test_unknown_country_is_named(tmp_path):
    path = _write(
        tmp_path,
        "origin: {countries: [BLR, XXX]}\nrules:\n  - {name: a, identity: unknown}\n",
    )
    with pytest.raises(RuleError) as caught:
        load_identity_rules(path)
    fields = [p.field for p in caught.value.problems]
    assert "origin.countries[1]" in fields


def test_duplicate_rule_names(tmp_path):
    path = _write(
        tmp_path, "rules:\n  - {name: a, identity: unknown}\n  - {name: a, identity: suspect}\n"
    )
    with pytest.raises(RuleError, match="used more than once"):
        load_identity_rules(path)


def test_missing_file(tmp_path):
    with pytest.raises(RuleError, match="file"):
        load_identity_rules(tmp_path / "none.yaml")


@pytest.mark.parametrize("field", ["min_speed_mps", "max_speed_mps", "max_speed_sigma_mps"])
def test_a_negative_speed_bound_is_named(tmp_path, field):
    path = _write(tmp_path, f"rules:\n  - {{name: a, when: {{{field}: -5}}, identity: suspect}}\n")
    with pytest.raises(RuleError) as caught:
        load_identity_rules(path)
    assert [p.field for p in caught.value.problems] == [f"rules[0].when.{field}"]


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("iff_mode5: {valid_s: '30'}", "iff_mode5.valid_s"),
        ("iff_mode5: {valid_s: true}", "iff_mode5.valid_s"),
        ("flight_plans: {corridor_m: '20000'}", "flight_plans.corridor_m"),
        ("flight_plans: {time_tolerance_s: true}", "flight_plans.time_tolerance_s"),
        ("authority: {declare: {hostile: '60'}}", "authority.declare.hostile"),
        ("authority: {declare: {suspect: true}}", "authority.declare.suspect"),
    ],
)
def test_a_number_written_as_text_or_yes_no_is_refused_in_every_section(tmp_path, section, field):
    # these sections read '30' as 30 s and true as 1 s before
    path = _write(tmp_path, f"{section}\nrules:\n  - {{name: a, identity: unknown}}\n")
    with pytest.raises(RuleError) as caught:
        load_identity_rules(path)
    assert [p.field for p in caught.value.problems] == [field]
    assert caught.value.problems[0].line == 1 and caught.value.exit_code == 2
