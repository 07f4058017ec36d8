"""The plain conditions of every identity rule, tested for a whole batch at once.

A rule's conditions on what a track is in this step (status, proposed identity,
ADS-B, inside the watched airspace, class; bounds on speed, speed sigma, height
and class probability) are turned once, when the rules are loaded, into
columns of lookup tables and bound arrays: one column per rule. A step's
``(n, k)`` mask (``n`` tracks, ``k`` rules) is then a few table lookups and
comparisons, however many rules there are, made in one compiled loop
(:func:`~flankwatch.assess.kernels.plain_conditions`). The conditions that need
more work (own forces, squawk, Mode 5, flight plan, origin) are tested per rule
in :mod:`.identity`, on the tracks this mask lets through only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from flankwatch.assess.assessment import CATEGORIES, IDENTITIES
from flankwatch.assess.kernels import plain_conditions
from flankwatch.assess.kinematics import Kinematics
from flankwatch.track.output import TrackBatch

if TYPE_CHECKING:
    from flankwatch.assess.identity import Condition

K = TypeVar("K")

_VALUES = ("speed", "alt", "speed_var", "prob")
"""The bounded quantities: speed (m/s), height (m), speed variance (m^2/s^2), class
probability."""


class ConditionTable:
    """The plain conditions of rules ``conditions``, as tables with one column per rule.

    ``statuses`` maps a status name of a rule file to its code in ``TrackBatch.status``.
    """

    def __init__(self, conditions: Sequence[Condition], statuses: dict[str, int]) -> None:
        identities = {name: code for code, name in enumerate(IDENTITIES)}
        categories = {name: code for code, name in enumerate(CATEGORIES)}
        flags = {False: 0, True: 1}
        tables = [
            _lookup([c.status for c in conditions], statuses),
            _lookup([c.identity for c in conditions], identities),
            _lookup([c.category for c in conditions], categories),
            _lookup([_listed(c.adsb) for c in conditions], flags),
            _lookup([_listed(c.inside) for c in conditions], flags),
        ]
        self._tables = np.zeros((len(tables), max(map(len, tables)), len(conditions)), bool)
        """The lookup tables of status, identity, class, ADS-B and inside, in that order
        (padded with False to the longest)."""
        for table, padded in zip(tables, self._tables, strict=True):
            padded[: len(table)] = table
        # Bounds, one per rule, on speed (m/s), height (m), speed variance (m^2/s^2) and
        # class probability (the rows of :data:`_VALUES`): kept only where some rule sets
        # one. A rule without it does not test it (an infinite bound would: NaN fails
        # every test).
        bounds = [
            (_VALUES.index(column), above, *_bound_column(bounds))
            for column, above, bounds in (
                ("speed", True, [c.min_speed_mps for c in conditions]),
                ("speed", False, [c.max_speed_mps for c in conditions]),
                ("alt", True, [c.min_alt_m for c in conditions]),
                ("alt", False, [c.max_alt_m for c in conditions]),
                ("speed_var", False, [_variance(c) for c in conditions]),
                ("prob", True, [_least_prob(c) for c in conditions]),
            )
            if any(bound is not None for bound in bounds)
        ]
        self._bound_column = np.array([b[0] for b in bounds], np.intp)
        self._above = np.array([b[1] for b in bounds], bool)
        self._bound = np.array([b[2] for b in bounds], float).reshape(-1, len(conditions))
        self._unbounded = np.array([b[3] for b in bounds], bool).reshape(-1, len(conditions))

    def holds(
        self,
        tracks: TrackBatch,
        kin: Kinematics,
        identity: np.ndarray,
        category: np.ndarray,
        category_prob: np.ndarray,
        inside: np.ndarray,
    ) -> np.ndarray:
        """Where the plain conditions hold, ``(n, k)``: track by rule.

        ``identity`` holds the tracks' proposed identity codes now, ``category`` their
        most likely class codes and ``category_prob`` its probability, ``inside``
        whether they are inside the watched airspace.
        """
        codes = np.empty((len(self._tables), len(tracks)), np.intp)
        codes[0] = tracks.status
        codes[1] = identity
        codes[2] = category
        codes[3] = tracks.icao24 != 0
        codes[4] = inside
        values = np.empty((len(_VALUES), len(tracks)))
        values[0] = kin.speed_mps
        values[1] = kin.alt_m
        values[2] = kin.speed_var_m2ps2
        values[3] = category_prob
        return plain_conditions(
            codes,
            self._tables,
            values,
            self._bound_column,
            self._above,
            self._bound,
            self._unbounded,
        )


def _lookup(wanted: Sequence[Sequence[K] | None], code_of: Mapping[K, int]) -> np.ndarray:
    """A table ``(largest code + 1, k)``: True at code ``c`` for rule ``j`` if the rule wants
    the value of code ``c`` (its list holds it) or does not ask (``None``)."""
    table = np.ones((max(code_of.values()) + 1, len(wanted)), bool)
    for j, values in enumerate(wanted):
        if values is not None:
            table[:, j] = False
            table[[code_of[value] for value in values], j] = True
    return table


def _listed(wanted: bool | None) -> list[bool] | None:
    """A yes/no condition as the list of the one value it wants (``None``: no condition)."""
    return None if wanted is None else [wanted]


def _bound_column(bounds: list[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """One bound per rule (0 where it has none) and where it has none."""
    missing = np.array([bound is None for bound in bounds], bool)
    return np.array([0.0 if b is None else b for b in bounds], float), missing


def _least_prob(c: Condition) -> float | None:
    """The least class probability: a bound only with a class condition."""
    return None if c.category is None else c.min_category_prob


def _variance(c: Condition) -> float | None:
    """The greatest speed variance, m^2/s^2, from the greatest speed sigma."""
    return None if c.max_speed_sigma_mps is None else c.max_speed_sigma_mps**2
