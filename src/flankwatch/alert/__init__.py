"""Alerts: rules, airport advisories, public CAP alerts and their life cycle.

:class:`AlertEngine` is the stage's entry point: built from a scenario, its
local frame and the rules (:func:`load_rules`), its ``step(tracks,
assessment, now_s)`` returns the life-cycle events (kinds :data:`ALERT_ISSUED`,
:data:`ALERT_UPDATED`, :data:`ALERT_CANCELLED`, members of
:class:`~flankwatch.events.EventKind`) and the messages (NOTAM-like texts and
CAP 1.2 XML) of each step.
"""

from flankwatch.alert.airports import AirportAdvisor, AirportStatus, notam_text
from flankwatch.alert.base import (
    ALERT_CANCELLED,
    ALERT_ISSUED,
    ALERT_UPDATED,
    Advisor,
    AirPicture,
    AlertMessage,
    AlertStep,
    Approach,
    Target,
    ThreatPredictor,
)
from flankwatch.alert.cap import build_cap, cap_time, validate_cap
from flankwatch.alert.engine import AlertEngine
from flankwatch.alert.public import CapStatus, PublicAlert, PublicAlerter
from flankwatch.alert.ruleset import AlertRuleError, AlertRules, default_rules, load_rules

__all__ = [
    "ALERT_CANCELLED",
    "ALERT_ISSUED",
    "ALERT_UPDATED",
    "Advisor",
    "AirPicture",
    "AirportAdvisor",
    "AirportStatus",
    "AlertEngine",
    "AlertMessage",
    "AlertRuleError",
    "AlertRules",
    "AlertStep",
    "Approach",
    "CapStatus",
    "PublicAlert",
    "PublicAlerter",
    "Target",
    "ThreatPredictor",
    "build_cap",
    "cap_time",
    "default_rules",
    "load_rules",
    "notam_text",
    "validate_cap",
]
