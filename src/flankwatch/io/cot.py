"""Cursor on Target (CoT) events for tracks and airports, as XML text.

An event is::

    <event version="2.0" uid="..." type="a-h-A-M-F-Q" how="m-f"
           time="..." start="..." stale="...">
      <point lat="..." lon="..." hae="..." ce="..." le="..."/>
      <detail>...</detail>
    </event>

* Times are UTC, ``YYYY-MM-DDThh:mm:ss.sssZ``; ``time`` and ``start`` are the
  state's time, ``stale`` that plus ``stale_s`` (by default three scan periods
  of a 10 s radar: 30 s for tracks; 300 s for airports).
* ``lat``/``lon`` are WGS-84 degrees, ``hae`` the height above the ellipsoid (m).
* ``ce`` and ``le`` are one-sigma errors, m, as the CoT event schema defines
  them: ``ce`` is the square root of the larger eigenvalue of the horizontal
  position covariance (a circle that covers the one-sigma error ellipse),
  ``le`` the vertical standard deviation. Multiply by 2.45 for a circle
  holding about 95 % of a circular normal error. ``9999999.0`` means unknown.
* ``type`` is ``a-<affiliation>-A-<function>`` (MIL-STD-2525 through the CoT
  type tree): the affiliation from the standard identity (:data:`AFFILIATION`),
  the function from the class and the platform (:data:`AIR_FUNCTION`): a hostile
  one-way attack drone is ``a-h-A-M-F-Q`` (military fixed-wing drone), an own
  fighter (friend) ``a-f-A-M-F``, a neutral airliner ``a-n-A-C-F``.
* ``how`` is ``m-f`` (machine, fused): a track fuses several sensors.
* ``detail`` carries ``<contact callsign>``, ``<track speed course>`` (m/s,
  degrees clockwise from true north), ``<remarks>`` and a
  ``<_flankwatch_ ...>`` element with the track's number, class, identity and
  status.

Airports are ground points of type ``a-f-G-I-B-A`` (friendly installation,
airport/air base in MIL-STD-2525B) by default, with their status (open or
closed, since when, why) in ``remarks`` and in ``<_flankwatch_airport_>``,
and a red (closed) or green (open) ``<color argb>`` for TAK clients.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import numpy as np

from flankwatch.alert.airports import AirportStatus
from flankwatch.geo.airports import airport
from flankwatch.geo.frames import LocalFrame
from flankwatch.track.output import TrackBatch, TrackStatus

__all__ = [
    "AFFILIATION",
    "AIR_FUNCTION",
    "AIRPORT_TYPE",
    "DEFAULT_STALE_S",
    "UNKNOWN_ERROR_M",
    "airport_event",
    "airport_status_event",
    "cot_time",
    "cot_type",
    "position_errors_m",
    "track_events",
]

DEFAULT_STALE_S = 30.0
"""How long a track's event stays valid, s: three scan periods of a 10 s radar."""
UNKNOWN_ERROR_M = 9999999.0
"""CoT's value for an unknown ce or le, m."""

AFFILIATION = {
    "pending": "p",
    "unknown": "u",
    "assumed-friend": "a",
    "friend": "f",
    "neutral": "n",
    "suspect": "s",
    "hostile": "h",
}
"""CoT affiliation letter of each NATO standard identity."""

AIR_FUNCTION: dict[str, tuple[str, str]] = {
    "one-way-attack-drone": ("M-F-Q", "M-F-Q"),
    "decoy": ("M-F-Q", "M-F-Q"),
    "cruise-missile": ("W-M-A-S", "W-M-A-S"),
    "ballistic-missile": ("W-M-S-S", "W-M-S-S"),
    "fixed-wing": ("C-F", "M-F"),
    "helicopter": ("C-H", "M-H"),
    "unknown": ("", ""),
}
"""Air function of each class, (for a civil platform, for a military one).

From the MIL-STD-2525B tree as CoT writes it: ``M-F-Q`` military fixed-wing
drone (RPV/UAV); ``W-M-A-S`` air-to-surface missile (the Kh-101/Kh-55 cruise
missiles, launched from bombers); ``W-M-S-S`` surface-to-surface missile
(Iskander-class ballistic missiles); ``C-F``/``C-H`` civil fixed-wing and
rotary-wing, used for neutral tracks (civil traffic that files its plans);
``M-F``/``M-H`` their military counterparts, used for friends (the defence's own
aircraft) and for pending, unknown, suspect and hostile tracks; an unknown class
gives no function."""

_CIVIL_IDENTITIES = {"neutral"}
"""Identities whose platform is civil: the others are own forces or not yet known."""

AIRPORT_TYPE = "a-f-G-I-B-A"
"""CoT type of an airport: a friendly ground installation, airport/air base."""

_ARGB_CLOSED = -65536  # 0xFFFF0000, red, as a signed 32-bit integer
_ARGB_OPEN = -16711936  # 0xFF00FF00, green


def cot_type(identity: str, category: str) -> str:
    """The CoT type of an air track of this identity and class, e.g. ``a-h-A-M-F-Q``."""
    affiliation = AFFILIATION.get(identity, "u")
    civil, military = AIR_FUNCTION.get(category, ("", ""))
    function = civil if identity in _CIVIL_IDENTITIES else military
    return f"a-{affiliation}-A" + (f"-{function}" if function else "")


def cot_time(when: datetime) -> str:
    """A UTC-aware time as CoT writes it: ``2025-09-10T00:15:00.000Z``."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("CoT times must be time-zone aware")
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "Z"


def position_errors_m(tracks: TrackBatch) -> tuple[np.ndarray, np.ndarray]:
    """One-sigma ``ce`` (circular, horizontal) and ``le`` (vertical) of each track, m.

    ``ce`` is the square root of the larger eigenvalue of the 2x2 horizontal
    covariance; ``le`` the square root of the vertical variance. Non-finite or
    negative variances give :data:`UNKNOWN_ERROR_M`.
    """
    xx, xy, yy = tracks.cov_xx_m2, tracks.cov_xy_m2, tracks.cov_yy_m2
    half_trace = 0.5 * (xx + yy)
    spread = np.sqrt(np.maximum(0.25 * (xx - yy) ** 2 + xy**2, 0.0))
    largest = half_trace + spread
    ce = np.where(np.isfinite(largest) & (largest >= 0.0), np.sqrt(np.abs(largest)), np.nan)
    zz = tracks.cov_zz_m2
    le = np.where(np.isfinite(zz) & (zz >= 0.0), np.sqrt(np.abs(zz)), np.nan)
    ce = np.where(np.isfinite(ce), np.minimum(ce, UNKNOWN_ERROR_M), UNKNOWN_ERROR_M)
    le = np.where(np.isfinite(le), np.minimum(le, UNKNOWN_ERROR_M), UNKNOWN_ERROR_M)
    return ce, le


def _true_course(
    frame: LocalFrame, lat_deg: np.ndarray, lon_deg: np.ndarray, velocity: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ground speed (m/s) and course (degrees from true north) of ENU velocities
    of ``frame``, turned into the local east and north at each track."""
    ecef = velocity @ frame.rotation  # rows: ENU of the frame -> ECEF
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    east = -np.sin(lon) * ecef[:, 0] + np.cos(lon) * ecef[:, 1]
    north = (
        -np.sin(lat) * np.cos(lon) * ecef[:, 0]
        - np.sin(lat) * np.sin(lon) * ecef[:, 1]
        + np.cos(lat) * ecef[:, 2]
    )
    return np.hypot(east, north), np.degrees(np.arctan2(east, north)) % 360.0


def _event(
    uid: str,
    type_: str,
    how: str,
    when: datetime,
    stale_s: float,
    point: tuple[float, float, float, float, float],
) -> tuple[ET.Element, ET.Element]:
    event = ET.Element(
        "event",
        {
            "version": "2.0",
            "uid": uid,
            "type": type_,
            "how": how,
            "time": cot_time(when),
            "start": cot_time(when),
            "stale": cot_time(when + timedelta(seconds=stale_s)),
        },
    )
    lat, lon, hae, ce, le = point
    ET.SubElement(
        event,
        "point",
        {
            "lat": f"{lat:.7f}",
            "lon": f"{lon:.7f}",
            "hae": f"{hae:.1f}",
            "ce": f"{ce:.1f}",
            "le": f"{le:.1f}",
        },
    )
    return event, ET.SubElement(event, "detail")


def _text(event: ET.Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + ET.tostring(
        event, encoding="unicode"
    )


def track_events(
    tracks: TrackBatch,
    frame: LocalFrame,
    start: datetime,
    identity: Iterable[str] | None = None,
    category: Iterable[str] | None = None,
    stale_s: float = DEFAULT_STALE_S,
    uid_prefix: str = "flankwatch",
) -> list[str]:
    """One CoT event (XML text) per track of ``tracks`` that is not deleted.

    ``start`` is the run's UTC start (track times are seconds after it);
    ``identity`` and ``category`` give each track's standard identity and class
    (same order as ``tracks``, e.g. from the assessment); without them tracks
    are ``pending`` and ``unknown``. The uid is ``<uid_prefix>.track.<number>``.
    """
    keep = np.flatnonzero(tracks.status != int(TrackStatus.DELETED))
    n = len(tracks)
    identity = list(identity) if identity is not None else ["pending"] * n
    category = list(category) if category is not None else ["unknown"] * n
    if len(identity) != n or len(category) != n:
        raise ValueError("identity and category need one entry per track")
    lat, lon, hae = frame.enu_to_geodetic(tracks.position())
    lat, lon, hae = np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(hae)
    ce, le = position_errors_m(tracks)
    velocity = np.column_stack((tracks.vx_mps, tracks.vy_mps, tracks.vz_mps))
    speed, course = _true_course(frame, lat, lon, velocity)
    out = []
    for i in keep:
        number = int(tracks.track_id[i])
        callsign = str(tracks.callsign[i] or "") or f"T{number:04d}"
        type_ = cot_type(identity[i], category[i])
        when = start + timedelta(seconds=float(tracks.time_s[i]))
        event, detail = _event(
            f"{uid_prefix}.track.{number}",
            type_,
            "m-f",
            when,
            stale_s,
            (lat[i], lon[i], hae[i], ce[i], le[i]),
        )
        ET.SubElement(detail, "contact", {"callsign": callsign})
        ET.SubElement(detail, "track", {"speed": f"{speed[i]:.1f}", "course": f"{course[i]:.1f}"})
        status = TrackStatus(int(tracks.status[i])).name.lower()
        remarks = ET.SubElement(detail, "remarks")
        remarks.text = (
            f"track {number}: {identity[i]} {category[i]}, {status}, "
            f"{speed[i] * 3.6:.0f} km/h, course {course[i]:.0f}"
        )
        ET.SubElement(
            detail,
            "_flankwatch_",
            {
                "track": str(number),
                "category": category[i],
                "identity": identity[i],
                "status": status,
            },
        )
        out.append(_text(event))
    return out


def airport_event(
    icao: str,
    name: str,
    lat_deg: float,
    lon_deg: float,
    elevation_m: float,
    closed: bool,
    when: datetime,
    since: datetime | None = None,
    reason: str = "",
    stale_s: float = 300.0,
    uid_prefix: str = "flankwatch",
    type_: str = AIRPORT_TYPE,
) -> str:
    """A CoT event (XML text) for an airport's status at UTC time ``when``.

    The uid is ``<uid_prefix>.airport.<ICAO>``; ``elevation_m`` is used as the
    height (close enough to the ellipsoidal height for a map symbol).
    """
    event, detail = _event(
        f"{uid_prefix}.airport.{icao}",
        type_,
        "h-e",
        when,
        stale_s,
        (lat_deg, lon_deg, elevation_m, UNKNOWN_ERROR_M, UNKNOWN_ERROR_M),
    )
    state = "CLOSED" if closed else "OPEN"
    ET.SubElement(detail, "contact", {"callsign": icao})
    remarks = ET.SubElement(detail, "remarks")
    remarks.text = f"{icao} {name}: {state}"
    if since is not None:
        remarks.text += f" since {since.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if reason:
        remarks.text += f" ({reason})"
    ET.SubElement(detail, "color", {"argb": str(_ARGB_CLOSED if closed else _ARGB_OPEN)})
    attributes = {"icao": icao, "status": state.lower()}
    if since is not None:
        attributes["since"] = cot_time(since)
    ET.SubElement(detail, "_flankwatch_airport_", attributes)
    return _text(event)


def airport_status_event(
    status: AirportStatus, when: datetime, stale_s: float = 300.0, uid_prefix: str = "flankwatch"
) -> str:
    """The CoT event of an airport's status (from the alert engine) at UTC time ``when``."""
    found = airport(status.icao)
    return airport_event(
        found.icao,
        found.name,
        found.lat_deg,
        found.lon_deg,
        found.elevation_m,
        closed=status.closed,
        when=when,
        since=status.since,
        reason=status.reason,
        stale_s=stale_s,
        uid_prefix=uid_prefix,
    )
