"""The response's figures over a run: a sink that sees each picture's response and the truth.

:class:`ResponseSink` counts shots (by weapon type), their cost, kills, misses,
withheld shots, scrambles and the shots whose debris fell in a no-engagement
area from each window's :class:`~flankwatch.respond.step.ResponseStep`; with
ground truth it also follows every threat (an object of a category in
:data:`THREAT_CATEGORIES`):

- *inside*: its truth path entered the national airspace (the deployment's);
- *destroyed*: its truth ended with a kill (the truth's ``destroyed`` column);
- *leaker*: inside and not destroyed (still flying at the run's end counts);
- *leaker value*: for each leaker, the ``value`` of every defended asset (the
  deployment's assets and airports, as the threat ranking sees them) whose radius
  its ground track entered, summed over leakers;
- *destroyed cost*: what the destroyed threats cost the attacker, the middle of
  their type's ``unit_cost_usd`` band in EUR (at the effector catalogue's
  :data:`~flankwatch.respond.catalogue.USD_TO_EUR`, assumed);
- *cost-exchange ratio*: the defender's spend over that destroyed cost (EUR per
  EUR): above 1 the defence paid more than the attacker lost.

Own forces in the truth (objects not in the run's object table) are never threats.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from flankwatch.assess.threat import defended_assets
from flankwatch.deployment import Deployment
from flankwatch.events import EventKind
from flankwatch.loop import Picture, SinkBase, SourceInfo
from flankwatch.report import WatchedAirspace
from flankwatch.respond.catalogue import USD_TO_EUR
from flankwatch.respond.summary import ResponseSummary, cost_exchange_ratio
from flankwatch.scenario.catalogue import ThreatType, threat_types
from flankwatch.scenario.loader import ScenarioError, parse_scenario
from flankwatch.sim.truth import TruthBatch

THREAT_CATEGORIES = ("one-way-attack-drone", "decoy", "cruise-missile", "ballistic-missile")
"""Categories of object whose flight the response is judged on."""


def threat_costs_eur(types: Mapping[str, ThreatType]) -> dict[str, float]:
    """Unit cost of each threat type that has one, EUR: the middle of its USD band."""
    return {
        key: USD_TO_EUR * (entry.unit_cost_usd[0] + entry.unit_cost_usd[1]) / 2.0
        for key, entry in types.items()
        if entry.unit_cost_usd is not None
    }


def source_threat_costs_eur(info: SourceInfo) -> dict[str, float]:
    """Threat unit costs for a source: the built-in catalogue with the types of the
    scenario it was simulated from laid over it (built-in only if the scenario can no
    longer be read, as with an old recording)."""
    extra: dict[str, ThreatType] = {}
    if info.scenario_text:
        try:
            extra = parse_scenario(info.scenario_text, info.name).catalogue.threats
        except ScenarioError:
            extra = {}
    return threat_costs_eur(threat_types(extra))


class ResponseSink(SinkBase):
    """Gathers a run's :class:`ResponseSummary`; see the module docstring.

    ``objects`` is the run's object table (``category`` and ``threat`` columns;
    ``None`` without truth) and ``threat_costs_eur`` the unit cost of each threat
    type, EUR (types missing from it have no cost).
    """

    def __init__(
        self,
        deployment: Deployment,
        objects: pa.Table | None,
        threat_costs_eur: Mapping[str, float],
    ) -> None:
        self.shots: Counter[str] = Counter()
        self.spent_eur = 0.0
        self.kills = 0
        self.misses = 0
        self.withheld: Counter[str] = Counter()
        self.scrambles = 0
        self.debris_areas: Counter[str] = Counter()
        self.objects = objects
        self.airspace = WatchedAirspace(deployment.airspace)
        self.assets = defended_assets(deployment)
        n = objects.num_rows if objects is not None else 0
        category = (
            objects.column("category").to_numpy(zero_copy_only=False).astype(str)
            if objects is not None
            else np.empty(0, str)
        )
        threat = (
            objects.column("threat").to_numpy(zero_copy_only=False).astype(str)
            if objects is not None
            else np.empty(0, str)
        )
        self.is_threat = np.isin(category, THREAT_CATEGORIES)
        self.unit_cost_eur = np.array([threat_costs_eur.get(t, np.nan) for t in threat], float)
        self.inside = np.zeros(n, bool)
        self.destroyed = np.zeros(n, bool)
        self.reached = np.zeros((n, len(self.assets)), bool)

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Count one window's shots, outcomes and events; follow the threats in its truth."""
        response = picture.response
        for shot in response.shots:
            self.shots[shot.weapon] += 1
            self.spent_eur += shot.cost_eur
        for outcome in response.outcomes:
            if outcome.kill:
                self.kills += 1
            else:
                self.misses += 1
            if outcome.no_engagement_area:
                self.debris_areas[outcome.no_engagement_area] += 1
        for event in response.events:
            if event.kind == EventKind.SHOT_WITHHELD:
                self.withheld[str(event.data.get("rule", "other"))] += 1
            self.scrambles += event.kind == EventKind.SCRAMBLED
        if truth is not None and len(self.is_threat):
            self._follow(truth)

    def _follow(self, truth: TruthBatch) -> None:
        ids = truth.object_id.astype(np.int64)
        known = (ids >= 0) & (ids < len(self.is_threat))
        rows = np.flatnonzero(known)[self.is_threat[ids[known]]]
        if not len(rows):
            return
        ids = ids[rows]
        inside = self.airspace.contains(truth.lat_deg[rows], truth.lon_deg[rows])
        self.inside[ids[inside]] = True
        self.destroyed[ids[truth.destroyed[rows]]] = True
        if len(self.assets):
            dx = truth.x_m[rows, None] - self.assets.x_m[None, :]
            dy = truth.y_m[rows, None] - self.assets.y_m[None, :]
            within = np.hypot(dx, dy) <= self.assets.radius_m[None, :]
            np.logical_or.at(self.reached, ids, within)

    def summary(self) -> ResponseSummary:
        """The figures gathered so far."""
        areas = dict(sorted(self.debris_areas.items()))
        counts = ResponseSummary(
            shots=sum(self.shots.values()),
            shots_by_weapon=dict(sorted(self.shots.items())),
            kills=self.kills,
            misses=self.misses,
            withheld=sum(self.withheld.values()),
            scrambles=self.scrambles,
            spent_eur=self.spent_eur,
            debris_in_no_engagement=sum(areas.values()),
            debris_areas=areas,
            withheld_by_rule=dict(sorted(self.withheld.items())),
        )
        if self.objects is None:
            return counts
        destroyed = self.is_threat & self.destroyed
        leakers = self.is_threat & self.inside & ~self.destroyed
        cost = self.unit_cost_eur[destroyed]
        destroyed_cost = float(np.sum(cost[np.isfinite(cost)]))
        return dataclasses.replace(
            counts,
            threats_inside=int(np.sum(self.is_threat & self.inside)),
            destroyed=int(np.sum(destroyed)),
            leakers=int(np.sum(leakers)),
            leaker_value=float(np.sum(self.reached[leakers] @ self.assets.value)),
            destroyed_cost_eur=destroyed_cost,
            destroyed_without_cost=int(np.sum(~np.isfinite(cost))),
            cost_exchange_ratio=cost_exchange_ratio(self.spent_eur, destroyed_cost),
        )
