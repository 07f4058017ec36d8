"""The reference environment for the cross-checks, once per test session."""

from __future__ import annotations

import pytest
from reference_env import Reference, find_reference


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest) -> Reference:
    """The reference environment (see :mod:`reference_env`); skips if there is none."""
    return find_reference(request.config)
