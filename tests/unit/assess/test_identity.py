"""Identity rules: transitions, their events and reasons, and bad rule files."""

import numpy as np
import pytest

from flankwatch.assess.assessment import CATEGORIES, IDENTITIES
from flankwatch.assess.identity import RuleIdentifier, load_identity_rules
from flankwatch.assess.rulefile import RuleError
from flankwatch.events import EventKind
from flankwatch.track.output import TrackStatus

DRONE = CATEGORIES.index("one-way-attack-drone")
CRUISE = CATEGORIES.index("cruise-missile")
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
    """Identify one track (number 1) in one step; returns its identity name and events."""

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
        codes, events = identifier.identify(
            tracks,
            kinematics(tracks),
            np.array([category]),
            np.array([category_prob]),
            np.array([inside]),
            t_s,
        )
        return IDENTITIES[codes[0]], events

    return run


def _only_change(events, before, after, rule):
    assert len(events) == 1
    event = events[0]
    assert event.kind == EventKind.IDENTITY_CHANGED
    assert event.track_id == 1
    assert event.data == {"from": before, "to": after, "rule": rule}
    assert rule in event.message


def test_pending_unknown_suspect_hostile(step):
    identity, events = step(alt_m=5000.0, status=TrackStatus.TENTATIVE)
    assert (identity, events) == ("pending", [])
    identity, events = step(alt_m=5000.0, t_s=5.0)
    assert identity == "unknown"
    _only_change(events, "pending", "unknown", "confirmed")
    identity, events = step(alt_m=1000.0, t_s=10.0)
    assert identity == "suspect"
    _only_change(events, "unknown", "suspect", "slow-low-from-origin")
    assert "Belarus" in events[0].message
    identity, events = step(where=(52.2, 22.5), alt_m=1000.0, inside=True, t_s=15.0)
    assert identity == "hostile"
    _only_change(events, "suspect", "hostile", "suspect-in-airspace")


def test_identities_only_escalate(step):
    step(alt_m=1000.0)
    identity, events = step(alt_m=6000.0, vel=(-150.0, 0.0, 0.0), t_s=5.0)
    assert (identity, events) == ("suspect", [])


def test_coming_from_origin_by_heading(step):
    """First seen in Poland, but flying west from Belarus: suspect."""
    identity, _ = step(where=(52.2, 23.2), vel=(-50.0, 0.0, 0.0))
    assert identity == "suspect"


def test_not_from_origin(step):
    """First seen in Poland flying east, away from Belarus: only unknown."""
    identity, _ = step(where=(52.2, 22.0), vel=(50.0, 0.0, 0.0))
    assert identity == "unknown"


def test_slow_low_and_silent_from_ukraine_is_suspect_once_inside(step):
    """Not from an origin country: unknown outside, suspect inside, then hostile."""
    ukraine, poland = (50.9, 24.2), (50.9, 23.5)
    identity, _ = step(where=ukraine, vel=(-50.0, 0.0, 0.0))
    assert identity == "unknown"
    identity, events = step(where=poland, vel=(-50.0, 0.0, 0.0), inside=True, t_s=5.0)
    assert identity == "suspect"
    _only_change(events, "unknown", "suspect", "slow-low-inside")
    identity, events = step(where=poland, vel=(-50.0, 0.0, 0.0), inside=True, t_s=10.0)
    assert identity == "hostile"


def test_a_young_track_whose_speed_is_a_guess_is_not_called_slow(step):
    """A radar-only airliner track just confirmed, its speed still uncertain: unknown."""
    poland = (50.9, 23.5)
    identity, _ = step(where=poland, vel=(-60.0, 0.0, 0.0), inside=True, vel_sigma_mps=30.0)
    assert identity == "unknown"
    identity, _ = step(where=poland, vel=(-60.0, 0.0, 0.0), inside=True, t_s=5.0)
    assert identity == "suspect"


def test_adsb_makes_neutral_even_when_suspect(step):
    step(alt_m=1000.0)
    identity, events = step(alt_m=1000.0, icao24=0x48AE01, t_s=5.0)
    assert identity == "neutral"
    _only_change(events, "suspect", "neutral", "civil-adsb")


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
    codes, events = identifier.identify(
        tracks, kinematics(tracks), np.array([DRONE]), np.array([0.5]), np.array([True]), 0.0
    )
    assert IDENTITIES[codes[0]] == "friend"
    assert events[0].data["rule"] == "own"


def test_missile_is_hostile(step):
    identity, events = step(
        where=(52.2, 22.0), alt_m=100.0, vel=(0.0, 240.0, 0.0), category=CRUISE, category_prob=0.9
    )
    assert identity == "hostile"
    _only_change(events, "pending", "hostile", "missile")


def test_deleted_tracks_keep_their_identity(step):
    step(alt_m=1000.0)
    identity, events = step(alt_m=1000.0, icao24=0x48AE01, status=TrackStatus.DELETED)
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
