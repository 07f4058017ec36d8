"""The assessment stage: tracks in, an :class:`Assessment` out, once per tracker step.

:class:`Assessor` owns no algorithm: it derives the batch's kinematics once and
passes them through the parts given by keyword (see :mod:`.base`): classify,
check the airspace, identify (rules propose, an authority declares; an operator
declares through :meth:`Assessor.declare`), rank threats on the declared
identity. Deleted tracks get their last row assessed and are then forgotten by
every part. :func:`build_assessor` wires the default parts for a deployment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flankwatch.assess.assessment import CATEGORIES, IDENTITIES, Assessment
from flankwatch.assess.base import AirspaceMonitor, Classifier, Identifier, Ranker
from flankwatch.assess.classify import KinematicClassifier, load_class_profiles
from flankwatch.assess.flightplan import FlightPlanBook
from flankwatch.assess.identity import RuleIdentifier, load_identity_rules
from flankwatch.assess.kinematics import Kinematics, earth_radius_m
from flankwatch.assess.threat import ThreatRanker, ThreatSettings, defended_assets
from flankwatch.assess.violation import AirspaceSettings, build_airspace_watch
from flankwatch.deployment import Deployment
from flankwatch.geo.frames import LocalFrame
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

_CATEGORY_NAMES = np.array(CATEGORIES)
_IDENTITY_NAMES = np.array(IDENTITIES)


class Assessor:
    """Classification, airspace, identity and threats for each batch of tracks."""

    def __init__(
        self,
        *,
        frame: LocalFrame,
        classifier: Classifier,
        airspace: AirspaceMonitor,
        identifier: Identifier,
        ranker: Ranker,
    ) -> None:
        self.frame = frame
        self.classifier = classifier
        self.airspace = airspace
        self.identifier = identifier
        self.ranker = ranker
        self._radius_m = earth_radius_m(frame)

    def declare(self, track_id: int, identity: str, who: str, why: str, t_s: float) -> None:
        """An operator declares a track's identity (``who`` and ``why`` are recorded); it
        is applied at the next step. Raises ``ValueError`` for an unknown identity."""
        self.identifier.declare(track_id, identity, who, why, t_s)

    def step(self, tracks: TrackBatch, now_s: float, plots: PlotBatch | None = None) -> Assessment:
        """Assess one batch (one row per track, unique track numbers) at ``now_s`` (s);
        ``plots`` are the window's plots, for the transponder replies they carry."""
        kin = Kinematics.of(tracks, self._radius_m, self.frame.alt_m)
        prob = self.classifier.classify(tracks, kin)
        category = np.argmax(prob, axis=1)
        category_prob = prob[np.arange(len(tracks)), category]
        air = self.airspace.observe(tracks, kin, now_s)
        ident = self.identifier.identify(
            tracks, kin, category, category_prob, air.inside, now_s, plots
        )
        threats = self.ranker.rank(tracks, kin, ident.declared, now_s)
        deleted = tracks.track_id[tracks.status == int(TrackStatus.DELETED)]
        if len(deleted):
            for part in (self.classifier, self.airspace, self.identifier):
                part.forget(deleted)
        events = sorted(ident.events + air.events, key=lambda e: e.t_s)
        return Assessment(
            t_s=now_s,
            track_id=tracks.track_id,
            category=_CATEGORY_NAMES[category],
            category_prob=category_prob,
            identity=_IDENTITY_NAMES[ident.declared],
            inside=air.inside,
            crossing_t_s=air.crossing_t_s,
            crossing_sigma_s=air.crossing_sigma_s,
            threats=threats,
            events=events,
            proposed=_IDENTITY_NAMES[ident.proposed],
        )


def build_assessor(
    deployment: Deployment,
    rules_path: Path | None = None,
    classes_path: Path | None = None,
    airspace_settings: AirspaceSettings | None = None,
    threat_settings: ThreatSettings | None = None,
) -> Assessor:
    """The default assessor for ``deployment`` (its frame, airspace and assets).

    ``rules_path`` and ``classes_path`` replace the built-in identity rules and
    class profiles (both raise ``RuleError`` when invalid). The deployment's filed
    flight plans are what transponder tracks are correlated with.
    """
    frame = deployment.frame
    rules = load_identity_rules(rules_path)
    return Assessor(
        frame=frame,
        classifier=KinematicClassifier(load_class_profiles(classes_path)),
        airspace=build_airspace_watch(
            frame, deployment.airspace, deployment.neighbours, airspace_settings
        ),
        identifier=RuleIdentifier(rules, frame, FlightPlanBook.of(deployment, rules.flight_plans)),
        ranker=ThreatRanker(defended_assets(deployment), threat_settings),
    )
