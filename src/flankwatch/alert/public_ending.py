"""How a public warning ends, and the messages that say so.

A warning whose track threatens nothing now is ended by a CAP ``Cancel`` that
says how: *all clear* only when the threat is seen to end (the track came
down, was destroyed, or left the watched airspace and threatened nothing for
``clear_s``); *moved away from this area* when it is still tracked inside but
threatens nothing for ``clear_s``. When the track is lost without such an end,
first an ``Update`` *contact lost, stay alert*, then after ``lost_lapse_s`` a
Cancel saying the warning lapsed.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

from flankwatch.alert.base import ALERT_CANCELLED, ALERT_UPDATED, AlertStep
from flankwatch.alert.cap import ResponseType
from flankwatch.alert.public_area import WarningArea
from flankwatch.alert.public_cap import CapWriter, PublicAlert
from flankwatch.alert.public_text import Ending, ending_text, lost_text
from flankwatch.alert.ruleset import PublicRule

__all__ = ["cancel_message", "ending_due", "lost_message"]


def ending_due(
    rule: PublicRule, alert: PublicAlert, now_s: float, seen: bool, destroyed: bool
) -> Ending | Literal["lost"] | None:
    """What is due for a warning whose track threatens nothing now: a Cancel with
    its ending, the contact-lost Update (``"lost"``), or nothing yet (``None``).

    ``seen`` says the track is in the picture; ``destroyed`` that a later stage
    reported it destroyed.
    """
    if destroyed:
        return "destroyed"
    if not seen:
        if came_down(rule, alert):
            return "down"
        if alert.state == "warning":
            return "lost"
        if now_s - alert.lost_s >= rule.lost_lapse_s:
            return "lapsed"
        return None
    if now_s - alert.last_threat_s >= rule.clear_s:
        return "moved-away" if alert.last_inside else "left"
    return None


def came_down(rule: PublicRule, alert: PublicAlert) -> bool:
    """Whether the track was last seen low and sinking: below ``down_height_m`` and its
    climb rate below ``-down_descent_mps`` by more than ``down_sigmas`` of its standard
    deviation (a far radar's noisy elevation makes a level drone seem to sink)."""
    sinking = alert.last_climb_mps + rule.down_sigmas * alert.last_climb_sigma_mps
    return alert.last_height_m <= rule.down_height_m and sinking <= -rule.down_descent_mps


def lost_message(
    writer: CapWriter, rule: PublicRule, alert: PublicAlert, now_s: float
) -> AlertStep:
    """The Update *contact lost, stay alert*; the alert is then ``lost``."""
    now = writer.utc(now_s)
    last_seen = writer.utc(alert.last_seen_s)
    message_id = f"{alert.alert_id}-U{alert.messages}"
    infos = []
    for language in writer.cap.languages:
        headline, description = lost_text(language, alert.what, last_seen, writer.exercise)
        infos.append(
            writer.info(
                language,
                "Expected",
                headline,
                description,
                writer.cap.text[language].lost_instruction,
                alert.areas.get(language, ()),
                ("Monitor",),
                now,
                now + timedelta(seconds=rule.lost_lapse_s),
                certainty="Possible",
            )
        )
    reason = f"track {alert.track_id} lost without an observed end: contact lost"
    step = writer.send(
        ALERT_UPDATED,
        "Update",
        alert,
        message_id,
        now_s,
        infos,
        reason,
        None,
        {"status": "contact-lost"},
    )
    alert.state = "lost"
    alert.lost_s = now_s
    return step


def cancel_message(
    writer: CapWriter, area: WarningArea, alert: PublicAlert, now_s: float, ending: Ending
) -> AlertStep:
    """The Cancel that ends the alert and says how (see the module docstring)."""
    now = writer.utc(now_s)
    message_id = f"{alert.alert_id}-C"
    near = ""
    if ending == "down" and not math.isnan(alert.last_lat_deg):
        near = area.nearest_place(alert.last_lat_deg, alert.last_lon_deg)
    since = writer.utc(alert.last_seen_s)
    ended = ending in ("down", "destroyed", "left")
    infos = []
    for language in writer.cap.languages:
        text = writer.cap.text[language]
        headline, description = ending_text(
            language, ending, alert.what, since, near, writer.exercise
        )
        instruction = {
            "down": text.ended_instruction,
            "destroyed": text.ended_instruction,
            "left": text.ended_instruction,
            "moved-away": text.moved_away_instruction,
            "lapsed": text.lapsed_instruction,
        }[ending]
        response: ResponseType = "AllClear" if ended else "Monitor"
        infos.append(
            writer.info(
                language,
                "Past",
                headline,
                description,
                instruction,
                alert.areas.get(language, ()),
                (response,),
                now,
                None,
                severity="Minor",
                certainty="Observed" if ended else "Unknown",
            )
        )
    reason = {
        "down": f"track {alert.track_id} came down: the threat has ended",
        "destroyed": f"track {alert.track_id} was destroyed: the threat has ended",
        "left": f"track {alert.track_id} left the watched airspace: the threat has ended",
        "moved-away": f"track {alert.track_id} no longer threatens the warned area",
        "lapsed": f"track {alert.track_id} lost; the warning lapsed without an observed end",
    }[ending]
    return writer.send(
        ALERT_CANCELLED, "Cancel", alert, message_id, now_s, infos, reason, None, {"ending": ending}
    )
