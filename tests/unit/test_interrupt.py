"""Ctrl-C during a run is taken at the end of a window."""

from __future__ import annotations

import os
import signal

import pytest

from flankwatch.interrupt import InterruptAtWindowEnd


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_the_first_ctrl_c_ends_the_run_after_its_window() -> None:
    reached: list[float] = []
    with InterruptAtWindowEnd(reached.append) as progress:
        progress(5.0)
        _ctrl_c()  # lands in the middle of the next window: nothing raised there
        assert progress.requested
        with pytest.raises(KeyboardInterrupt):
            progress(10.0)
    assert reached == [5.0, 10.0], "the window that was under way still counts as reached"


@pytest.mark.usefixtures("default_ctrl_c")
def test_a_second_ctrl_c_interrupts_at_once() -> None:
    with InterruptAtWindowEnd(lambda t_s: None), pytest.raises(KeyboardInterrupt):
        _ctrl_c()
        _ctrl_c()


def test_the_previous_handler_is_back_after_the_run() -> None:
    before = signal.getsignal(signal.SIGINT)
    with InterruptAtWindowEnd(lambda t_s: None):
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
