"""The identification authority: proposals wait for a declaration, by rule or by operator."""

import numpy as np
import pytest

from flankwatch.assess.assessment import CATEGORIES, IDENTITIES
from flankwatch.assess.authority import (
    AUTHORITY_RULE,
    AuthoritySettings,
    IdentificationAuthority,
)
from flankwatch.assess.identity import RuleIdentifier, load_identity_rules
from flankwatch.assess.rulefile import RuleError
from flankwatch.events import EventKind
from flankwatch.track.output import TrackStatus

CRUISE = CATEGORIES.index("cruise-missile")
HOSTILE = IDENTITIES.index("hostile")
SUSPECT = IDENTITIES.index("suspect")


@pytest.fixture
def missile(make_tracks, kinematics, at, frame):
    """An identifier with the built-in rules (or ``rules``) and a step that identifies one
    cruise missile over Poland; the step returns the declared identity, the proposal
    and the events."""

    def build(rules=None):
        identifier = RuleIdentifier(rules or load_identity_rules(), frame)

        def step(t_s):
            tracks = make_tracks(at(52.2, 22.0, 100.0), [0.0, 240.0, 0.0], t_s=t_s, track_id=[7])
            result = identifier.identify(
                tracks,
                kinematics(tracks),
                np.array([CRUISE]),
                np.array([0.9]),
                np.array([True]),
                t_s,
            )
            declared = IDENTITIES[result.declared[0]]
            return declared, IDENTITIES[result.proposed[0]], result.events

        return identifier, step

    return build


def test_a_proposed_hostile_waits_for_the_authority_rule_delay(missile):
    _, step = missile()
    declared, proposed, events = step(0.0)
    for t in (5.0, 10.0):
        declared, proposed, events = step(t)
    assert (proposed, declared) == ("hostile", "unknown")
    proposal = [e for e in events if e.kind == EventKind.IDENTITY_PROPOSED]
    assert proposal[0].subject == "missile"
    t = 10.0
    while t < 65.0:
        t += 5.0
        declared, _, events = step(t)
        assert declared == "unknown"
    declared, _, events = step(75.0)
    assert declared == "hostile"
    declaration = next(e for e in events if e.kind == EventKind.IDENTITY_DECLARED)
    assert declaration.subject == AUTHORITY_RULE
    assert declaration.data["by"] == AUTHORITY_RULE
    assert declaration.data["rule"] == "missile"
    assert "held 65 s" in declaration.data["why"]
    changed = next(e for e in events if e.kind == EventKind.IDENTITY_CHANGED)
    assert (changed.data["from"], changed.data["to"]) == ("unknown", "hostile")


def test_without_the_authority_rule_a_proposed_hostile_waits_for_an_operator(missile, tmp_path):
    text = load_identity_rules().model_dump(mode="json")
    del text["authority"]["declare"]["hostile"]
    rules = type(load_identity_rules()).model_validate(text)
    identifier, step = missile(rules)
    for t in np.arange(0.0, 300.0, 5.0):
        declared, proposed, _ = step(float(t))
    assert (proposed, declared) == ("hostile", "unknown")
    identifier.declare(7, "hostile", who="MCRC duty officer", why="visual ID by QRA", t_s=300.0)
    declared, _, _ = step(300.0)
    assert declared == "hostile"


def test_an_operator_declaration_is_applied_next_step_and_recorded(missile):
    identifier, step = missile()
    step(0.0)
    identifier.declare(7, "friend", who="operator 2", why="own drone on test", t_s=3.0)
    declared, _, events = step(5.0)
    assert declared == "friend"
    declaration = next(e for e in events if e.kind == EventKind.IDENTITY_DECLARED)
    assert declaration.subject == "operator 2"
    assert declaration.data["why"] == "own drone on test"
    # the authority rule never overrules the operator
    for t in np.arange(10.0, 200.0, 5.0):
        declared, proposed, _ = step(float(t))
    assert (proposed, declared) == ("hostile", "friend")


def test_a_declaration_needs_a_known_identity_and_a_name(missile):
    identifier, _ = missile()
    with pytest.raises(ValueError, match="no identity 'enemy'"):
        identifier.declare(7, "enemy", who="op", why="", t_s=0.0)
    with pytest.raises(ValueError, match="who"):
        identifier.declare(7, "hostile", who=" ", why="", t_s=0.0)


def test_a_changed_proposal_restarts_the_delay(make_tracks):
    authority = IdentificationAuthority(AuthoritySettings(declare={"hostile": 30.0}))
    tracks = make_tracks(np.zeros((1, 3)), [0.0, 0.0, 0.0], track_id=[3])
    names = np.array(["r"], object)
    authority.step(tracks, np.array([HOSTILE]), names, 0.0)
    authority.step(tracks, np.array([SUSPECT]), names, 20.0)
    declared, _ = authority.step(tracks, np.array([HOSTILE]), names, 40.0)
    assert IDENTITIES[declared[0]] == "pending"  # suspect needs an operator here
    declared, _ = authority.step(tracks, np.array([HOSTILE]), names, 70.0)
    assert IDENTITIES[declared[0]] == "hostile"


def test_deleted_tracks_are_not_declared(make_tracks):
    authority = IdentificationAuthority(AuthoritySettings())
    tracks = make_tracks(np.zeros((1, 3)), [0.0, 0.0, 0.0], status=TrackStatus.DELETED)
    declared, events = authority.step(tracks, np.array([SUSPECT]), np.array(["r"], object), 0.0)
    assert (IDENTITIES[declared[0]], events) == ("pending", [])


def test_a_bad_delay_in_a_rule_file_is_named(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "authority: {declare: {hostile: -1, enemy: 3}}\nrules:\n  - {name: a, identity: unknown}\n"
    )
    with pytest.raises(RuleError) as caught:
        load_identity_rules(path)
    fields = {p.field for p in caught.value.problems}
    assert "authority.declare.hostile" in fields
    assert any("enemy" in field for field in fields)


def test_an_operator_confirming_the_identity_in_force_is_recorded(make_tracks):
    authority = IdentificationAuthority(AuthoritySettings())
    tracks = make_tracks(np.zeros((1, 3)), [0.0, 0.0, 0.0], track_id=[4])
    names = np.array(["slow-low-inside"], object)
    authority.step(tracks, np.array([SUSPECT]), names, 0.0)
    authority.declare(4, "suspect", who="operator 1", why="seen on camera", t_s=2.0)
    declared, events = authority.step(tracks, np.array([SUSPECT]), names, 5.0)
    assert IDENTITIES[declared[0]] == "suspect"
    assert [e.kind for e in events] == [EventKind.IDENTITY_DECLARED]
    assert events[0].data["by"] == "operator 1"
