"""A run's response in figures: what was shot at, what it cost, what got through.

Plain data (kept in a recording's metadata and compared across runs). Money in
EUR; counts of simulated objects; values in the deployment's asset ``value`` units.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResponseSummary:
    """The response's figures over one run.

    The figures from the ground truth (``threats_inside``, ``destroyed``,
    ``leakers``, ``leaker_value``, ``destroyed_cost_eur``) are ``None`` when the
    source had no truth (a live feed).
    """

    shots: int
    """Shots fired (missiles, gun bursts, interceptor drones, jamming attempts)."""
    shots_by_weapon: dict[str, int]
    """Shots by weapon type (catalogue key), keys sorted."""
    kills: int
    """Shots whose outcome was a kill."""
    misses: int
    """Shots whose outcome was a miss."""
    withheld: int
    """Shots the rules of engagement held back (each withholding counts)."""
    scrambles: int
    """Scramble orders given."""
    spent_eur: float
    """What the shots cost, EUR."""
    debris_in_no_engagement: int
    """Shots whose debris (the target's on a kill, else the weapon's) fell in a
    no-engagement area."""
    debris_areas: dict[str, int] = field(default_factory=dict)
    """Those shots by no-engagement area, keys sorted."""
    withheld_by_rule: dict[str, int] = field(default_factory=dict)
    """Withheld shots by the rule that held them (:data:`~flankwatch.respond.roe.RULES`:
    ``debris``, ``stale-track``, ...), keys sorted."""
    threats_inside: int | None = None
    """Threats (drones, decoys, missiles) that entered the national airspace."""
    destroyed: int | None = None
    """Threats the response destroyed (anywhere)."""
    leakers: int | None = None
    """Threats that entered the national airspace and were not destroyed."""
    leaker_value: float | None = None
    """Sum over leakers of the ``value`` of every defended asset whose radius the
    leaker's path entered (two leakers over one asset count it twice)."""
    destroyed_cost_eur: float | None = None
    """What the destroyed threats cost the attacker, EUR (the middle of their type's
    ``unit_cost_usd`` band, converted); types without a cost add nothing."""
    destroyed_without_cost: int = 0
    """Destroyed threats whose type has no ``unit_cost_usd`` in the catalogue."""
    cost_exchange_ratio: float | None = None
    """EUR the defender spent per EUR of threats destroyed (``spent_eur /
    destroyed_cost_eur``); ``None`` when no priced threat was destroyed."""


def cost_exchange_ratio(spent_eur: float, destroyed_cost_eur: float | None) -> float | None:
    """The defender's spend per EUR of threats destroyed; ``None`` when nothing priced
    was destroyed (or there is no truth to tell)."""
    if not destroyed_cost_eur:
        return None
    return spent_eur / destroyed_cost_eur
