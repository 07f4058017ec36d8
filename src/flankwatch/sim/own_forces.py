"""Own forces in the simulation: the defence's aircraft and weapons in flight.

The response stage tells the simulation, with an
:class:`~flankwatch.respond.step.OwnForces` effect at the end of a window,
where every own aircraft, missile and interceptor drone in flight is
(``t_s``, ENU position and velocity). From the next window on, until the next
such effect, each of them is in the simulated scene, dead-reckoned in a
straight line from that state, and the sensors see it exactly as they see a
threat (radar, airborne early warning, acoustic nodes). Own forces carry no
transponder (not cooperative, no ICAO address, no Mode A code) but answer IFF
Mode 5, so the assessment identifies them as friends. An object missing from
the latest effect has landed or ended: it leaves the scene and its last truth
row (``ended``) is at that effect's time.

**Ids.** A planned object (raid or civil flight) is its row in the run's object
table, ``0 .. n - 1``. Own-force object ``k`` of the response is object
``n + k`` in the scene, in the plots (``truth_id``) and in the truth, so ids
never collide and any id ``>= n`` is an own force (:func:`is_own_force`). The
run's ``objects`` table lists planned objects only; what an own-force object
is (kind, callsign) is in the recording's ``own_forces`` table, under the
response's id.

**Evaluation** scores the tracker on the planned objects only: own forces are
neither threats nor targets, and a track that follows one is not a false
track. :func:`without_own_forces` keeps a window's plots and truth rows of
planned objects, :func:`following_own_forces` marks the tracks on own forces.

**Signatures** (:data:`SIGNATURES`) are assumed, not from a public source: a
fighter's radar cross-section is that of a fourth-generation fighter seen from
any aspect (a stealthy F-35A is smaller head-on, larger from the side); a
missile's is that of a slim airframe; an interceptor drone's that of a small
quadcopter or fixed-wing drone. Sound levels are on the same scale as the
threat catalogue's ``sound_db``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.respond.step import OwnForces
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch


@dataclass(frozen=True)
class Signature:
    """What sensors can sense of an own platform: cross-section (m²), Swerling case, sound."""

    rcs_m2: float
    swerling: int
    sound_db: float


SIGNATURES: dict[str, Signature] = {
    "fighter": Signature(rcs_m2=3.0, swerling=1, sound_db=130.0),
    "missile": Signature(rcs_m2=0.08, swerling=1, sound_db=0.0),
    "interceptor-drone": Signature(rcs_m2=0.03, swerling=1, sound_db=95.0),
}
"""Assumed signatures by own-force kind: fighter 3 m² (1-5 m² assumed) and louder than the
catalogue's turbofan cruise missile (125); missile 0.08 m² (0.05-0.1 assumed), silent once
its motor has burnt out; interceptor drone 0.03 m² (0.01-0.05 assumed), a small motor."""

OTHER_SIGNATURE = Signature(rcs_m2=1.0, swerling=1, sound_db=0.0)
"""Assumed signature of an own platform of another kind (a tanker or AEW aircraft, say)."""


def is_own_force(object_id: np.ndarray, n_planned: int) -> np.ndarray:
    """Per id, true for an own-force object (ids at and after the ``n_planned`` plans)."""
    return np.asarray(object_id) >= n_planned


def without_own_forces(
    plots: PlotBatch, truth: TruthBatch, n_planned: int
) -> tuple[PlotBatch, TruthBatch]:
    """A window's plots and truth rows without those of own forces (false plots stay)."""
    own_plots = is_own_force(plots.truth_id, n_planned)
    own_truth = is_own_force(truth.object_id, n_planned)
    return (
        plots.take(~own_plots) if own_plots.any() else plots,
        truth.take(~own_truth) if own_truth.any() else truth,
    )


FOLLOW_M = 1000.0
"""How near an own force a track must be to count as following it, m (assumed: the
tracking score's GOSPA cut-off)."""


def following_own_forces(
    tracks: TrackBatch, truth: TruthBatch, n_planned: int, t_s: float, within_m: float = FOLLOW_M
) -> np.ndarray:
    """Per track, true where it follows an own force: at the window's last truth time, the
    track (its state at ``t_s``, s, moved on at its velocity) is nearer an own-force truth
    row than any planned object's, and within ``within_m`` (m) of it."""
    follows = np.zeros(len(tracks), bool)
    if not len(tracks) or not len(truth):
        return follows
    at = float(truth.t_s.max())
    rows = truth.t_s == at
    own = is_own_force(truth.object_id[rows], n_planned)
    if not own.any():
        return follows
    truth_m = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[rows]
    velocity = np.column_stack((tracks.vx_mps, tracks.vy_mps, tracks.vz_mps))
    track_m = tracks.position() + velocity * (at - t_s)
    distance = np.linalg.norm(track_m[:, None, :] - truth_m[None, :, :], axis=2)
    nearest = np.argmin(distance, axis=1)
    return own[nearest] & (distance[np.arange(len(tracks)), nearest] <= within_m)


@dataclass(frozen=True)
class ScenePart:
    """Own forces in a window's scene, one row each, in the order of ``object_id``.

    ``ecef_m`` (n, k + 1, 3) and ``alt_m`` (n, k + 1) are positions (m) at the
    window's instants; the other arrays are per object, as
    :class:`~flankwatch.sim.sensors.base.Scene` holds them.
    """

    object_id: np.ndarray
    ecef_m: np.ndarray
    alt_m: np.ndarray
    rcs_m2: np.ndarray
    swerling: np.ndarray
    sound_db: np.ndarray
    cooperative: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    squawk: np.ndarray
    mode5: np.ndarray

    def __len__(self) -> int:
        return len(self.object_id)


class OwnForceFlights:
    """The own forces in flight as the simulation shows them; see the module docstring.

    ``first_id`` is the number of planned objects: own-force object ``k`` is
    simulated object ``first_id + k``.
    """

    def __init__(self, frame: LocalFrame, first_id: int) -> None:
        self.frame = frame
        self.first_id = first_id
        self.t_s = -np.inf
        """Time of the state held, s since the run's start."""
        self._state = _empty()
        self._ended: list[TruthBatch] = []
        self.ever = False
        """True once any own force has been in flight."""

    def __len__(self) -> int:
        return len(self._state)

    def update(self, forces: OwnForces) -> None:
        """Hold ``forces`` from now on; objects missing from it end at its ``t_s``."""
        state = _checked(forces)
        if len(state) and self.first_id + state.object_id[-1] > np.iinfo(np.int32).max:
            raise ValueError(f"own forces: object_id {state.object_id[-1]} is too large")
        if forces.t_s < self.t_s:
            raise ValueError(
                f"own forces at t_s={forces.t_s} s come after a state at t_s={self.t_s} s"
            )
        gone = ~np.isin(self._state.object_id, state.object_id)
        if gone.any():
            self._ended.append(self._truth_rows(self._state, gone, forces.t_s, ended=True))
        self._state, self.t_s = state, float(forces.t_s)
        self.ever = self.ever or len(state) > 0

    def scene(self, instants_s: np.ndarray) -> ScenePart:
        """The own forces at the window's instants (s), dead-reckoned from the state held."""
        state, n = self._state, len(self._state)
        enu = self._positions(state, np.ones(n, bool), np.asarray(instants_s, float))
        ecef = self.frame.enu_to_ecef(enu)
        _, _, alt = self.frame.enu_to_geodetic(enu)
        signature = [SIGNATURES.get(str(kind), OTHER_SIGNATURE) for kind in state.kind]
        return ScenePart(
            object_id=self.first_id + state.object_id,
            ecef_m=ecef,
            alt_m=np.asarray(alt).reshape(n, len(instants_s)),
            rcs_m2=np.array([s.rcs_m2 for s in signature], float),
            swerling=np.array([s.swerling for s in signature], np.int8),
            sound_db=np.array([s.sound_db for s in signature], float),
            cooperative=np.zeros(n, bool),
            icao24=np.zeros(n, np.uint32),
            callsign=np.asarray(state.callsign, object),
            squawk=np.zeros(n, np.int16),
            mode5=np.ones(n, bool),
        )

    def truth(self, times_s: list[float]) -> TruthBatch:
        """Truth rows: the objects that ended since the last call, then every object held
        at each of ``times_s`` (s), time by time."""
        ended, self._ended = self._ended, []
        every = np.ones(len(self._state), bool)
        rows = [self._truth_rows(self._state, every, t) for t in times_s]
        return TruthBatch.concat(ended + rows)

    def _positions(self, state: OwnForces, rows: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """ENU positions (m), shape (n, k, 3), of ``rows`` at times ``t_s`` (k,)."""
        position = np.column_stack((state.x_m, state.y_m, state.z_m))[rows]
        velocity = np.column_stack((state.vx_mps, state.vy_mps, state.vz_mps))[rows]
        dt = np.asarray(t_s, float) - self.t_s
        return position[:, None, :] + velocity[:, None, :] * dt[None, :, None]

    def _truth_rows(
        self, state: OwnForces, rows: np.ndarray, t_s: float, ended: bool = False
    ) -> TruthBatch:
        """Truth rows of ``rows`` of ``state`` at ``t_s`` (s)."""
        enu = self._positions(state, rows, np.array([t_s]))[:, 0, :]
        lat, lon, alt = self.frame.enu_to_geodetic(enu)
        n = len(enu)
        return TruthBatch(
            t_s=np.full(n, float(t_s)),
            object_id=(self.first_id + state.object_id[rows]).astype(np.int32),
            lat_deg=np.asarray(lat, float).reshape(n),
            lon_deg=np.asarray(lon, float).reshape(n),
            alt_m=np.asarray(alt, float).reshape(n),
            x_m=enu[:, 0],
            y_m=enu[:, 1],
            z_m=enu[:, 2],
            vx_mps=np.asarray(state.vx_mps, float)[rows],
            vy_mps=np.asarray(state.vy_mps, float)[rows],
            vz_mps=np.asarray(state.vz_mps, float)[rows],
            ended=np.full(n, ended),
            destroyed=np.zeros(n, bool),
        )


_COLUMNS = ("object_id", "kind", "callsign", "x_m", "y_m", "z_m", "vx_mps", "vy_mps", "vz_mps")


def _empty() -> OwnForces:
    return OwnForces(
        -np.inf,
        np.empty(0, np.int64),
        np.empty(0, object),
        np.empty(0, object),
        *(np.empty(0) for _ in range(6)),
    )


def _checked(forces: OwnForces) -> OwnForces:
    """``forces`` with its rows in order of ``object_id``, or a ValueError naming the fault."""
    columns = {name: np.asarray(getattr(forces, name)) for name in _COLUMNS}
    n = len(columns["object_id"])
    for name, column in columns.items():
        if column.shape != (n,):
            raise ValueError(f"own forces: {name} has shape {column.shape}, object_id has ({n},)")
    ids = columns["object_id"]
    if n and (ids.dtype.kind not in "iu" or ids.min() < 0):
        raise ValueError("own forces: object_id must be whole numbers >= 0")
    if len(np.unique(ids)) != n:
        raise ValueError("own forces: object_id holds the same id twice")
    for name in _COLUMNS[3:]:
        if not np.all(np.isfinite(columns[name].astype(float))):
            raise ValueError(f"own forces: {name} must be finite")
    order = np.argsort(ids, kind="stable")
    return OwnForces(
        float(forces.t_s),
        ids[order].astype(np.int64),
        columns["kind"][order].astype(object),
        columns["callsign"][order].astype(object),
        *(columns[name][order].astype(float) for name in _COLUMNS[3:]),
    )
