"""What the command prints: lengths of data in a unit that reads."""

from __future__ import annotations

import pytest

from flankwatch.printing import data_length


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(5.0, "5 s"), (119.0, "119 s"), (120.0, "2.0 min"), (750.0, "12.5 min"), (25_200.0, "7.00 h")],
)
def test_a_length_of_data_is_shown_in_a_unit_that_reads(seconds: float, shown: str) -> None:
    # a 5 s run used to print "0.00 h"
    assert data_length(seconds) == shown
