"""What the run's child processes share: errors sent back whole, or named when they cannot be."""

from __future__ import annotations

from flankwatch.processes import sendable


class _Stubborn(Exception):
    """An error that pickles but cannot be read back (its ``__init__`` wants two values)."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} at {where}")


def test_an_error_that_crosses_whole_is_sent_as_it_is() -> None:
    error = ValueError("window 3: no plots")
    assert sendable(error) is error


def test_an_error_that_cannot_be_read_back_is_sent_by_its_kind_and_message() -> None:
    sent = sendable(_Stubborn("disk full", "plots part 7"))
    assert type(sent) is RuntimeError
    assert str(sent) == "_Stubborn: disk full at plots part 7"
