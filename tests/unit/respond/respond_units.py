"""A made-up missile and fighter for the response tests."""

from __future__ import annotations

from flankwatch.respond.catalogue import EffectorType, WeaponType

MISSILE = WeaponType(
    label="test missile",
    kind="missile",
    cost_eur=1000.0,
    max_range_m=10_000.0,
    max_alt_m=10_000.0,
    speed_mps=800.0,
    kill_prob={"one-way-attack-drone": 0.5, "decoy": 0.5},
)
FIGHTER = EffectorType(
    label="test fighter",
    kind="fighter",
    readiness_s=600.0,
    speed_mps=250.0,
    climb_mps=50.0,
    endurance_s=3_600.0,
    loadout={"m": 2},
    reload_s=1_800.0,
    fire_interval_s=2.0,
)
