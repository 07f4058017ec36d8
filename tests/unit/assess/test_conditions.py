"""The plain conditions of the identity rules, tested for every rule at once."""

import numpy as np

from flankwatch.assess.assessment import CATEGORIES, IDENTITIES
from flankwatch.assess.conditions import ConditionTable
from flankwatch.assess.identity import Condition, load_identity_rules
from flankwatch.track.output import TrackStatus

STATUSES = {status.name.lower(): int(status) for status in TrackStatus}


def _one_by_one(when, tracks, kin, identity, category, category_prob, inside):
    """The plain conditions of one rule, tested one after the other (the reference)."""
    ok = np.ones(len(tracks), bool)
    if when.status is not None:
        ok &= np.isin(tracks.status, [STATUSES[name] for name in when.status])
    if when.identity is not None:
        ok &= np.isin(identity, [IDENTITIES.index(name) for name in when.identity])
    if when.adsb is not None:
        ok &= (tracks.icao24 != 0) == when.adsb
    if when.inside is not None:
        ok &= inside == when.inside
    for value, low, high in (
        (kin.speed_mps, when.min_speed_mps, when.max_speed_mps),
        (kin.alt_m, when.min_alt_m, when.max_alt_m),
    ):
        if low is not None:
            ok &= value >= low
        if high is not None:
            ok &= value <= high
    if when.max_speed_sigma_mps is not None:
        ok &= kin.speed_var_m2ps2 <= when.max_speed_sigma_mps**2
    if when.category is not None:
        ok &= np.isin(category, [CATEGORIES.index(name) for name in when.category])
        ok &= category_prob >= when.min_category_prob
    return ok


def test_table_matches_the_conditions_one_by_one(make_tracks, kinematics):
    rng = np.random.default_rng(7)
    n = 400
    conditions = [rule.when for rule in load_identity_rules().rules] + [
        Condition(),
        Condition(min_speed_mps=30.0, min_alt_m=100.0, inside=False, category=["decoy"]),
    ]
    tracks = make_tracks(
        rng.uniform(-2e5, 2e5, (n, 3)) * [1, 1, 0.02],
        rng.normal(0.0, 60.0, (n, 3)) * [1, 1, 0.1],
        status=rng.integers(0, len(TrackStatus), n),
        icao24=np.where(rng.random(n) < 0.5, 0, rng.integers(1, 2**24, n)),
        vel_sigma_mps=4.0,
    )
    kin = kinematics(tracks)
    kin.speed_mps[:5] = np.nan  # a missing value fails every bound, and only bounds
    identity = rng.integers(0, len(IDENTITIES), n)
    category = rng.integers(0, len(CATEGORIES), n)
    category_prob = rng.random(n)
    inside = rng.random(n) < 0.5

    mask = ConditionTable(conditions, STATUSES).holds(
        tracks, kin, identity, category, category_prob, inside
    )

    assert mask.shape == (n, len(conditions))
    for k, when in enumerate(conditions):
        expected = _one_by_one(when, tracks, kin, identity, category, category_prob, inside)
        assert np.array_equal(mask[:, k], expected), k
    assert mask.any(axis=0).sum() >= len(conditions) - 2  # the test data reaches most rules
