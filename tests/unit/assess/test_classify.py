"""Classification by kinematics and ADS-B, smoothed over time."""

import numpy as np
import pytest

from flankwatch.assess.assessment import CATEGORIES
from flankwatch.assess.classify import KinematicClassifier, load_class_profiles


@pytest.fixture
def classifier():
    return KinematicClassifier(load_class_profiles())


def _prob(classifier, make_tracks, kinematics, alt_m, vel, icao24=0, t_s=0.0, track_id=1):
    tracks = make_tracks([[0.0, 0.0, alt_m]], vel, t_s=t_s, track_id=[track_id], icao24=icao24)
    prob = classifier.classify(tracks, kinematics(tracks))[0]
    return dict(zip(CATEGORIES, prob, strict=True))


@pytest.mark.parametrize(
    ("alt_m", "vel", "icao24", "expected"),
    [
        (800.0, [50.0, 10.0, 0.0], 0, "one-way-attack-drone"),
        (100.0, [0.0, 240.0, 0.0], 0, "cruise-missile"),
        (30_000.0, [1500.0, 0.0, -600.0], 0, "ballistic-missile"),
        (3_000.0, [250.0, 0.0, 300.0], 0, "ballistic-missile"),
        (11_000.0, [0.0, -230.0, 0.0], 0x48AE01, "fixed-wing"),
        (2_000.0, [100.0, 0.0, 5.0], 0x48AE02, "fixed-wing"),
        (300.0, [3.0, 0.0, 1.0], 0x48AE03, "helicopter"),
        (20_000.0, [120.0, 0.0, 0.0], 0, "unknown"),
    ],
)
def test_each_class(classifier, make_tracks, kinematics, alt_m, vel, icao24, expected):
    prob = _prob(classifier, make_tracks, kinematics, alt_m, vel, icao24)
    assert max(prob, key=prob.get) == expected
    assert sum(prob.values()) == pytest.approx(1.0)


def test_drone_and_decoy_are_close_and_slow_favours_decoy(classifier, make_tracks, kinematics):
    drone = _prob(classifier, make_tracks, kinematics, 800.0, [50.0, 0.0, 0.0])
    assert drone["one-way-attack-drone"] + drone["decoy"] > 0.9
    assert abs(drone["one-way-attack-drone"] - drone["decoy"]) < 0.2
    slow = _prob(classifier, make_tracks, kinematics, 2500.0, [35.0, 0.0, 0.0], track_id=2)
    assert max(slow, key=slow.get) == "decoy"


def test_adsb_rules_out_threat_classes(classifier, make_tracks, kinematics):
    prob = _prob(classifier, make_tracks, kinematics, 800.0, [50.0, 0.0, 0.0], icao24=0x3C6444)
    assert prob["fixed-wing"] + prob["helicopter"] > 0.95


def test_turn_rate_from_velocity_change(classifier, make_tracks, kinematics):
    """A slow, low object turning at 15 deg/s turns too fast for a drone: a helicopter."""
    heading = 0.0
    for step in range(8):
        vel = 50.0 * np.array([np.sin(heading), np.cos(heading), 0.0])
        prob = _prob(classifier, make_tracks, kinematics, 500.0, vel, t_s=2.0 * step)
        heading += np.radians(30.0)
    assert max(prob, key=prob.get) == "helicopter"


def test_one_noisy_step_does_not_flip_the_class(classifier, make_tracks, kinematics):
    for step in range(10):
        prob = _prob(classifier, make_tracks, kinematics, 800.0, [50.0, 0.0, 0.0], t_s=5.0 * step)
    assert prob["one-way-attack-drone"] + prob["decoy"] > 0.9
    noisy = _prob(classifier, make_tracks, kinematics, 800.0, [220.0, 0.0, 0.0], t_s=50.0)
    assert max(noisy, key=noisy.get) in ("one-way-attack-drone", "decoy")
    for step in range(11, 30):
        late = _prob(classifier, make_tracks, kinematics, 100.0, [240.0, 0.0, 0.0], t_s=5.0 * step)
    assert max(late, key=late.get) == "cruise-missile"


def test_forget_drops_the_state(classifier, make_tracks, kinematics):
    _prob(classifier, make_tracks, kinematics, 800.0, [50.0, 0.0, 0.0], track_id=4)
    classifier.forget(np.array([4]))
    assert len(classifier.memory) == 0
