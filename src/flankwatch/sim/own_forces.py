"""Own forces in the simulation: the defence's aircraft and weapons in flight.

The response stage tells the simulation, with an
:class:`~flankwatch.respond.step.OwnForces` effect at the end of a window,
where every own aircraft, missile and interceptor drone in flight is
(``t_s``, ENU position and velocity). From the next window on, until the next
such effect, each of them is in the simulated scene, dead-reckoned in a
straight line from that state, and the sensors see it exactly as they see a
threat. An object that was shown already joins its reported path within one
window from where it was shown (the difference fades out linearly), so an
aircraft that turned between two reports moves on without a jump; its truth is
where it was shown (radar, airborne early warning, acoustic nodes). Own forces carry no
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
planned objects, :func:`following_own_forces` marks the tracks on own forces
in a window, and :class:`OwnForceTracks` remembers them (a fighter's track
coasts on for a while after it has landed).

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


class OwnForceTracks:
    """The tracks that have followed an own force, remembered for the rest of the run.

    ``n_planned`` is the number of planned objects (own-force ids follow theirs).
    """

    def __init__(self, n_planned: int, within_m: float = FOLLOW_M) -> None:
        self.n_planned = n_planned
        self.within_m = within_m
        self.track_ids: set[int] = set()

    def update(self, tracks: TrackBatch, truth: TruthBatch, t_s: float) -> np.ndarray:
        """Per track of the window (state at ``t_s``, s), true where it follows an own
        force now or did in an earlier window."""
        now = following_own_forces(tracks, truth, self.n_planned, t_s, self.within_m)
        self.track_ids.update(tracks.track_id[now].tolist())
        if not self.track_ids:
            return now
        return now | np.isin(tracks.track_id, list(self.track_ids))


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
    simulated object ``first_id + k``. ``blend_s`` (s, the window's length) is how
    long an object takes to join its reported path from where it was shown: an
    aircraft that turned since the last report would otherwise jump, and a jump
    is something no sensor would see.
    """

    def __init__(self, frame: LocalFrame, first_id: int, blend_s: float) -> None:
        self.frame = frame
        self.first_id = first_id
        self.blend_s = blend_s
        self.t_s = -np.inf
        """Time of the state held, s since the run's start."""
        self._state = _empty()
        self._offset_m = np.empty((0, 3))
        """Per object, where it was shown at ``t_s`` less where it was reported (ENU, m)."""
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
        old_ids, new_ids = self._state.object_id, state.object_id
        same = len(old_ids) == len(new_ids) and bool((old_ids == new_ids).all())
        gone = np.zeros(len(old_ids), bool) if same else ~np.isin(old_ids, new_ids)
        if gone.any():
            self._ended.append(self._truth_rows(np.flatnonzero(gone), forces.t_s, ended=True))
        shown = self._shown(np.arange(len(old_ids)), np.array([forces.t_s]))[0][:, 0, :]
        offset = np.zeros((len(state), 3))
        kept = np.ones(len(state), bool) if same else np.isin(new_ids, old_ids)
        offset[kept] = shown[np.searchsorted(old_ids, new_ids[kept])] - _position(state)[kept]
        self._state, self._offset_m, self.t_s = state, offset, float(forces.t_s)
        self.ever = self.ever or len(state) > 0

    def scene(self, instants_s: np.ndarray) -> ScenePart:
        """The own forces at the window's instants (s), as shown to the sensors."""
        state, n = self._state, len(self._state)
        enu, _ = self._shown(np.arange(n), np.asarray(instants_s, float))
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
        every = np.arange(len(self._state))
        held = [self._truth_rows(every, t) for t in times_s] if len(every) else []
        return TruthBatch.concat(ended + held)

    def _shown(self, rows: np.ndarray, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ENU positions (m, shape (n, k, 3)) and velocities (m/s, same shape) of objects
        ``rows`` at times ``t_s`` (k,), as shown: the reported path, plus the offset from
        where each was shown before, fading out over ``blend_s``."""
        dt = (np.asarray(t_s, float) - self.t_s)[None, :, None]
        position, velocity = _position(self._state)[rows], _velocity(self._state)[rows]
        offset = self._offset_m[rows][:, None, :]
        fading = dt <= self.blend_s
        weight = np.where(fading, 1.0 - dt / self.blend_s, 0.0)
        shown = position[:, None, :] + velocity[:, None, :] * dt + offset * weight
        return shown, velocity[:, None, :] - offset * fading / self.blend_s

    def _truth_rows(self, rows: np.ndarray, t_s: float, ended: bool = False) -> TruthBatch:
        """Truth rows of objects ``rows`` (of the state held) at ``t_s`` (s)."""
        enu, velocity = (a[:, 0, :] for a in self._shown(rows, np.array([t_s])))
        lat, lon, alt = self.frame.enu_to_geodetic(enu)
        n = len(enu)
        return TruthBatch(
            t_s=np.full(n, float(t_s)),
            object_id=(self.first_id + self._state.object_id[rows]).astype(np.int32),
            lat_deg=np.asarray(lat, float).reshape(n),
            lon_deg=np.asarray(lon, float).reshape(n),
            alt_m=np.asarray(alt, float).reshape(n),
            x_m=enu[:, 0],
            y_m=enu[:, 1],
            z_m=enu[:, 2],
            vx_mps=velocity[:, 0],
            vy_mps=velocity[:, 1],
            vz_mps=velocity[:, 2],
            ended=np.full(n, ended),
            destroyed=np.zeros(n, bool),
        )


def _position(state: OwnForces) -> np.ndarray:
    return np.column_stack((state.x_m, state.y_m, state.z_m)).reshape(-1, 3)


def _velocity(state: OwnForces) -> np.ndarray:
    return np.column_stack((state.vx_mps, state.vy_mps, state.vz_mps)).reshape(-1, 3)


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
