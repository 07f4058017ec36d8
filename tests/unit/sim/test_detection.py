"""Radar detection probability: the radar equation and the Swerling cases."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.sim.sensors.detection import detection_probability, radar_snr, reference_snr

PFA = 1e-4
SWERLINGS = (0, 1, 3)


def _mc_detection_rate(snr: float, pfa: float, swerling: int, rng: np.random.Generator) -> float:
    """Fraction of draws in which a square-law detector crosses ``-ln pfa``.

    Unit-power complex Gaussian noise plus a target echo of random phase whose
    power is steady (Swerling 0), exponential (Swerling 1: Rayleigh amplitude)
    or chi-square with four degrees of freedom (Swerling 3), of mean ``snr``.
    """
    n = 200_000
    if swerling == 0:
        power = np.full(n, snr)
    elif swerling == 1:
        power = rng.exponential(snr, n)
    else:
        power = rng.gamma(2.0, snr / 2.0, n)
    phase = rng.uniform(0.0, 2 * np.pi, n)
    noise = (rng.normal(size=n) + 1j * rng.normal(size=n)) / np.sqrt(2.0)
    received = np.sqrt(power) * np.exp(1j * phase) + noise
    return float(np.mean(np.abs(received) ** 2 > -np.log(pfa)))


@pytest.mark.parametrize("swerling", SWERLINGS)
@pytest.mark.parametrize("snr", [2.0, 8.0, 20.0, 60.0])
def test_formula_agrees_with_a_simulated_square_law_detector(snr: float, swerling: int) -> None:
    rng = np.random.default_rng(1000 * swerling + int(snr))
    simulated = _mc_detection_rate(snr, PFA, swerling, rng)
    assert detection_probability(snr, PFA, swerling) == pytest.approx(simulated, abs=0.01)


def test_noise_alone_crosses_the_threshold_with_the_false_alarm_probability() -> None:
    rng = np.random.default_rng(3)
    noise = (rng.normal(size=400_000) + 1j * rng.normal(size=400_000)) / np.sqrt(2.0)
    pfa = 0.01
    assert np.mean(np.abs(noise) ** 2 > -np.log(pfa)) == pytest.approx(pfa, rel=0.05)


@pytest.mark.parametrize("swerling", SWERLINGS)
@pytest.mark.parametrize("pfa", [1e-3, 1e-6])
def test_pd_tends_to_pfa_as_snr_vanishes(swerling: int, pfa: float) -> None:
    pd = detection_probability([1e-6, 1e-9], pfa, swerling)
    assert pd == pytest.approx([pfa, pfa], rel=1e-4)


@pytest.mark.parametrize("swerling", SWERLINGS)
def test_pd_tends_to_one_for_a_strong_echo(swerling: int) -> None:
    assert detection_probability(1e5, 1e-6, swerling) > 0.999


@pytest.mark.parametrize("reference_pd", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("pfa", [1e-6, 1e-4])
def test_reference_snr_gives_the_reference_pd_back_for_swerling_1(
    reference_pd: float, pfa: float
) -> None:
    snr = reference_snr(reference_pd, pfa)
    assert snr > 0.0
    assert detection_probability(snr, pfa, 1) == pytest.approx(reference_pd, rel=1e-12)


def test_snr_falls_with_the_fourth_power_of_range() -> None:
    snr = radar_snr([10_000.0, 20_000.0, 40_000.0], 1.0, 20.0, 50_000.0, 1.0)
    assert snr[1] == pytest.approx(snr[0] / 16.0)
    assert snr[2] == pytest.approx(snr[0] / 256.0)


def test_snr_at_the_reference_range_and_cross_section_is_the_reference_snr() -> None:
    assert radar_snr(90_000.0, 2.0, 17.0, 90_000.0, 2.0) == pytest.approx(17.0)


def test_snr_is_proportional_to_cross_section() -> None:
    snr = radar_snr(30_000.0, [0.1, 1.0, 10.0], 20.0, 50_000.0, 1.0)
    assert snr[1] == pytest.approx(10.0 * snr[0])
    assert snr[2] == pytest.approx(10.0 * snr[1])


@pytest.mark.parametrize("swerling", SWERLINGS)
def test_pd_falls_with_range_and_rises_with_cross_section(swerling: int) -> None:
    snr_ref = reference_snr(0.5, 1e-6)
    ranges = np.linspace(5_000.0, 300_000.0, 200)
    by_range = detection_probability(
        radar_snr(ranges, 1.0, snr_ref, 100_000.0, 1.0), 1e-6, swerling
    )
    _assert_monotone(by_range, falling=True)
    assert by_range[0] > 0.99 and by_range[-1] < 0.01

    rcs = np.geomspace(0.001, 100.0, 200)
    by_rcs = detection_probability(
        radar_snr(100_000.0, rcs, snr_ref, 100_000.0, 1.0), 1e-6, swerling
    )
    _assert_monotone(by_rcs, falling=False)
    assert by_rcs[0] < 0.01 and by_rcs[-1] > 0.99


def _assert_monotone(pd: np.ndarray, falling: bool) -> None:
    """Monotone everywhere, strictly so where ``pd`` is not rounded to 0 or 1."""
    step = -np.diff(pd) if falling else np.diff(pd)
    assert np.all(step >= 0.0)
    inside = (pd[:-1] > 1e-9) & (pd[:-1] < 1.0 - 1e-9) & (pd[1:] > 1e-9) & (pd[1:] < 1.0 - 1e-9)
    assert inside.sum() > 50
    assert np.all(step[inside] > 0.0)


def test_swerling_cases_are_chosen_per_element() -> None:
    snr = np.full(3, 10.0)
    mixed = detection_probability(snr, PFA, np.array([0, 1, 3]))
    alone = [detection_probability(10.0, PFA, s) for s in SWERLINGS]
    assert mixed == pytest.approx(np.ravel(alone))
    assert len(set(np.round(mixed, 6))) == 3


@pytest.mark.parametrize("swerling", SWERLINGS)
def test_a_scalar_snr_gives_one_probability(swerling: int) -> None:
    pd = detection_probability(8.0, PFA, swerling)
    assert np.shape(pd) == ()
    assert float(pd) == pytest.approx(detection_probability([8.0], PFA, swerling)[0])
