"""Builders of synthetic tracks and assessments for the alert tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.track.output import TrackBatch, TrackStatus

ORIGIN = (52.0, 21.0)
"""Origin of the tests' local frame (degrees): about 20 km south-east of Warsaw Chopin."""


def make_tracks(rows: Sequence[dict[str, Any]], time_s: float = 0.0) -> TrackBatch:
    """A batch from rows of ``track_id, x_m, y_m, vx_mps, vy_mps`` (and optionally
    ``z_m, vz_mps, status, sigma_m, sigma_z_m, sigma_vz_mps, callsign``)."""
    n = len(rows)
    state = np.zeros((n, 6))
    cov = np.zeros((n, 6, 6))
    for i, row in enumerate(rows):
        state[i] = [
            row["x_m"],
            row["y_m"],
            row.get("z_m", 500.0),
            row.get("vx_mps", 0.0),
            row.get("vy_mps", 0.0),
            row.get("vz_mps", 0.0),
        ]
        sigma = row.get("sigma_m", 100.0)
        cov[i] = np.diag(
            [
                sigma**2,
                sigma**2,
                row.get("sigma_z_m", 50.0) ** 2,
                25.0,
                25.0,
                row.get("sigma_vz_mps", 2.0) ** 2,
            ]
        )
    return TrackBatch.from_states(
        time_s=np.full(n, time_s),
        track_id=[row["track_id"] for row in rows],
        status=[int(row.get("status", TrackStatus.CONFIRMED)) for row in rows],
        state=state,
        cov=cov,
        manoeuvre_prob=np.zeros(n),
        last_update_s=np.full(n, time_s),
        icao24=np.zeros(n, np.uint32),
        callsign=[row.get("callsign", "") for row in rows],
    )


def make_assessment(
    tracks: TrackBatch,
    identities: Sequence[str],
    categories: Sequence[str] | None = None,
    threats: Sequence[dict[str, Any]] = (),
    t_s: float | None = None,
) -> Assessment:
    """An assessment of ``tracks`` (same order) with these identities and classes."""
    n = len(tracks)
    categories = categories or ["one-way-attack-drone"] * n
    columns: dict[str, list[Any]] = {name: [] for name in THREAT_SCHEMA.names}
    for rank, row in enumerate(threats, start=1):
        full = {"rank": rank, "asset_kind": "airport", "score": 1.0, **row}
        for name in THREAT_SCHEMA.names:
            columns[name].append(full[name])
    return Assessment(
        t_s=float(tracks.time_s[0]) if t_s is None and n else (t_s or 0.0),
        track_id=np.asarray(tracks.track_id),
        category=np.asarray(categories, dtype=object),
        category_prob=np.full(n, 0.9),
        identity=np.asarray(identities, dtype=object),
        inside=np.ones(n, bool),
        crossing_t_s=np.full(n, np.nan),
        crossing_sigma_s=np.full(n, np.nan),
        threats=pa.table(columns, schema=THREAT_SCHEMA),
    )
