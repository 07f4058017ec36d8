"""The alert stage: airport advisories and public warnings from each step's picture.

:class:`AlertEngine` is pure: it is handed the tracks, their assessment and
the time, and returns the life-cycle events and the messages (NOTAM-like
texts, CAP 1.2 XML) of the step. It reads no clock and no file;
:meth:`AlertEngine.from_deployment` wires it from a deployment (frame, start,
airports, assets) and the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np

from flankwatch.alert.airports import AirportAdvisor, AirportStatus
from flankwatch.alert.base import Advisor, AirPicture, AlertStep, Target, ThreatPredictor
from flankwatch.alert.predict import (
    CombinedPredictor,
    ConePredictor,
    StraightLinePredictor,
    ThreatTablePredictor,
)
from flankwatch.alert.public import PublicAlert, PublicAlerter
from flankwatch.alert.ruleset import AirportRule, AlertRules, default_rules
from flankwatch.assess.assessment import Assessment
from flankwatch.deployment import Deployment
from flankwatch.geo.admin import PopulatedPlaces, populated_places
from flankwatch.geo.airports import airport
from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.schema import Asset
from flankwatch.track.output import TrackBatch

__all__ = [
    "AlertEngine",
    "airport_predictor",
    "airport_targets",
    "asset_targets",
    "predictor_for",
]


def airport_targets(
    icao_codes: Sequence[str], frame: LocalFrame, radius_m: float = 0.0
) -> list[Target]:
    """The airports with these ICAO codes as targets in ``frame``."""
    targets = []
    for code in icao_codes:
        found = airport(code)
        enu = frame.geodetic_to_enu(found.lat_deg, found.lon_deg, found.elevation_m)
        targets.append(
            Target(
                name=found.name,
                kind="airport",
                lat_deg=found.lat_deg,
                lon_deg=found.lon_deg,
                enu_m=np.asarray(enu, float),
                radius_m=radius_m,
                icao=found.icao,
                names=(found.icao, found.name),
            )
        )
    return targets


def asset_targets(assets: Sequence[Asset], frame: LocalFrame, kinds: Sequence[str]) -> list[Target]:
    """The defended assets of these kinds as targets in ``frame``."""
    return [
        Target(
            name=asset.name,
            kind=asset.kind,
            lat_deg=asset.at.lat,
            lon_deg=asset.at.lon,
            enu_m=np.asarray(frame.geodetic_to_enu(asset.at.lat, asset.at.lon, 0.0), float),
            radius_m=asset.radius_m,
            names=(asset.name,),
        )
        for asset in assets
        if asset.kind in kinds
    ]


def predictor_for(use_threat_table: bool, cone: ConePredictor | None = None) -> ThreatPredictor:
    """Straight-line extrapolation (or the ``cone`` if given), with the assessment's
    threat table if asked."""
    base: ThreatPredictor = cone if cone is not None else StraightLinePredictor()
    if use_threat_table:
        return CombinedPredictor((base, ThreatTablePredictor()))
    return base


def airport_predictor(rule: AirportRule) -> ThreatPredictor:
    """The predictor an airport rule asks for (``cone`` or ``straight-line``)."""
    cone = None
    if rule.predictor == "cone":
        cone = ConePredictor(rule.reach_probability, rule.manoeuvre_heading_sigma_deg)
    return predictor_for(rule.use_threat_table, cone)


def _places_of(country: str | None) -> PopulatedPlaces | None:
    """The towns and villages of the watched country, if the package ships them."""
    if country is None:
        return None
    try:
        return populated_places(country)
    except ValueError:
        return None


class AlertEngine:
    """Runs the advisors on each step's picture; see the module docstring.

    Build it with :meth:`from_deployment`, or from parts: the airport advisor (or
    ``None``), the public alerter (or ``None``) and any further advisors.
    """

    def __init__(
        self,
        rules: AlertRules,
        airports: AirportAdvisor | None = None,
        public: PublicAlerter | None = None,
        others: Sequence[Advisor] = (),
    ) -> None:
        self.rules = rules
        self.airports = airports
        self.public = public
        self.advisors: list[Advisor] = [a for a in (airports, public) if a is not None] + list(
            others
        )

    @classmethod
    def from_deployment(
        cls,
        deployment: Deployment,
        rules: AlertRules | None = None,
        *,
        exercise: bool = True,
    ) -> AlertEngine:
        """The engine for a deployment's airports and assets, in its local frame.

        Public warnings of an ``exercise`` (a simulated or replayed run) always
        carry the CAP status ``Exercise``; only a live run uses the rules' status.
        """
        rules = rules if rules is not None else default_rules()
        frame = deployment.frame
        prefix = f"{rules.cap.sender}-{deployment.name}"
        airports = AirportAdvisor(
            airport_targets(deployment.airports, frame),
            rules.airports,
            airport_predictor(rules.airports),
            deployment.start,
            id_prefix=prefix,
            notam=rules.notam,
        )
        public_rule = rules.public
        targets = asset_targets(deployment.assets, frame, public_rule.asset_kinds)
        if public_rule.airports:
            targets += airport_targets(deployment.airports, frame, public_rule.airport_radius_m)
        public = PublicAlerter(
            targets,
            public_rule,
            rules.cap,
            predictor_for(public_rule.use_threat_table),
            frame,
            deployment.start,
            id_prefix=prefix,
            cap_status="Exercise" if exercise else rules.cap.status,
            places=_places_of(deployment.country) if public_rule.places else None,
            airspace_country=deployment.country,
        )
        return cls(rules, airports, public)

    def mark_destroyed(self, track_ids: Iterable[int]) -> None:
        """Tracks a response reports destroyed: their public warnings end as all clear."""
        if self.public is not None:
            self.public.mark_destroyed(track_ids)

    def mark_survived(self, track_ids: Iterable[int]) -> None:
        """Tracks reported destroyed that a response finds still flying: warned for again."""
        if self.public is not None:
            self.public.mark_survived(track_ids)

    @property
    def start(self) -> datetime | None:
        """The run's UTC start, if an advisor knows it."""
        for advisor in (self.airports, self.public):
            if advisor is not None:
                return advisor.start
        return None

    def step(self, tracks: TrackBatch, assessment: Assessment, now_s: float) -> AlertStep:
        """The life-cycle events and messages due at ``now_s`` (s since run start)."""
        picture = AirPicture.build(tracks, assessment, now_s, self.rules.track_statuses)
        result = AlertStep()
        for advisor in self.advisors:
            result += advisor.step(picture)
        return result

    def airport_status(self) -> dict[str, AirportStatus]:
        """Each airport's current status (open or closed, since when), by ICAO code."""
        return self.airports.status() if self.airports is not None else {}

    def public_alerts(self) -> dict[int, PublicAlert]:
        """The public alerts in force, by track number."""
        return self.public.active() if self.public is not None else {}
