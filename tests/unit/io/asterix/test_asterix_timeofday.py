"""ASTERIX time of day and the run's clock, across midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from flankwatch.io.asterix import t_s_to_tod, tod_to_t_s

START = datetime(2025, 9, 10, 23, 50, tzinfo=UTC)  # 85 800 s after midnight


def test_times_after_the_start_on_the_same_day() -> None:
    t_s = tod_to_t_s(np.array([85_800.0, 85_860.5, 86_000.0]), START)
    np.testing.assert_allclose(t_s, [0.0, 60.5, 200.0])


def test_midnight_passes_to_the_next_day() -> None:
    tod = np.array([86_390.0, 86_399.5, 0.25, 30.0])
    np.testing.assert_allclose(tod_to_t_s(tod, START), [590.0, 599.5, 600.25, 630.0])


def test_a_late_record_across_midnight_stays_on_the_day_before() -> None:
    tod = np.array([5.0, 86_395.0, 10.0])
    np.testing.assert_allclose(tod_to_t_s(tod, START, previous_t_s=600.0), [605.0, 595.0, 610.0])


def test_a_record_before_the_start_is_negative() -> None:
    assert tod_to_t_s(np.array([85_700.0]), START)[0] == pytest.approx(-100.0)


def test_later_calls_continue_from_the_previous_time() -> None:
    first = tod_to_t_s(np.array([86_000.0, 86_300.0]), START)
    # half a day later, in the next call, past one more midnight
    later = tod_to_t_s(
        np.array([40_000.0, 80_000.0, 100.0]), START, previous_t_s=first[-1] + 43_000
    )
    np.testing.assert_allclose(later, [40_000.0 + 600.0, 80_000.0 + 600.0, 86_400.0 + 700.0])


def test_round_trip_over_several_days_is_exact() -> None:
    t_s = np.arange(0.0, 3 * 86_400.0, 997.0078125)
    tod = t_s_to_tod(t_s, START)
    assert np.all((tod >= 0.0) & (tod < 86_400.0))
    np.testing.assert_array_equal(tod_to_t_s(tod, START), t_s)


def test_start_in_another_time_zone_is_taken_in_utc() -> None:
    start = datetime(2025, 9, 11, 1, 50, tzinfo=timezone(timedelta(hours=2)))
    np.testing.assert_allclose(t_s_to_tod(np.array([0.0, 600.0]), start), [85_800.0, 0.0])


def test_just_before_midnight_rounds_into_the_day() -> None:
    assert t_s_to_tod(np.array([-1e-12]), datetime(2025, 1, 1, tzinfo=UTC))[0] == 0.0


def test_empty_input() -> None:
    assert tod_to_t_s(np.array([]), START).shape == (0,)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        tod_to_t_s(np.array([1.0]), datetime(2025, 9, 10))  # noqa: DTZ001
