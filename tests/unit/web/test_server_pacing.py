"""Pacing a run: data time held to the wall clock at a speed, paused, stopped."""

from __future__ import annotations

import threading
import time

import pytest

from flankwatch.web.live import Pacer, RunStopped, check_speed


def test_speeds_outside_1_to_600_are_refused() -> None:
    assert check_speed(1) == 1.0 and check_speed(600.0) == 600.0
    for bad in (0, 0.5, 601, -3, "60", None, True, float("nan"), 10**400, -(10**400)):
        with pytest.raises(ValueError, match="speed"):
            check_speed(bad)


def test_data_time_is_held_to_the_wall_clock_at_the_speed() -> None:
    pacer = Pacer(speed=100.0)
    started = time.monotonic()
    for t_s in (5.0, 10.0, 15.0, 20.0, 25.0, 30.0):
        pacer.wait(t_s)
    # 30 s of data at 100x: at least 0.3 s of wall time
    assert time.monotonic() - started >= 0.29


def test_a_paused_run_waits_until_played_and_a_stopped_one_ends() -> None:
    pacer = Pacer(speed=600.0)
    pacer.pause()
    reached: list[float] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            for t_s in (1.0, 2.0):
                pacer.wait(t_s)
                reached.append(t_s)
            pacer.wait(1_000_000.0)  # far ahead: still waiting when stopped
        except RunStopped as error:
            failed.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.2)
    assert reached == []  # paused: nothing goes on
    pacer.play()
    deadline = time.monotonic() + 5.0
    while len(reached) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reached == [1.0, 2.0]
    pacer.pause()
    pacer.stop()
    thread.join(5.0)
    assert not thread.is_alive() and len(failed) == 1


def test_a_faster_speed_takes_effect_at_once() -> None:
    pacer = Pacer(speed=1.0)
    pacer.wait(0.0)

    def speed_up() -> None:
        time.sleep(0.1)
        pacer.set_speed(600.0)

    thread = threading.Thread(target=speed_up)
    thread.start()
    started = time.monotonic()
    pacer.wait(60.0)  # a minute of data: at 1x a minute, at 600x a tenth of a second
    thread.join()
    assert time.monotonic() - started < 5.0
