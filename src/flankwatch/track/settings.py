"""The tracker's settings: gates, process noise, confirmation and deletion rules.

One typed dataclass holds every number the default tracker uses, with its unit in
its name; :func:`flankwatch.track.tracker.build_tracker` turns it into parts.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TrackerSettings:
    """Settings of the default tracker (defaults suit drones to cruise missiles seen by
    rotating radars of 4-10 s scans, in batches of any length).

    A *step* is one call of :meth:`~flankwatch.track.tracker.Tracker.step`, that
    is one :class:`~flankwatch.stream.PlotBatch`. Nothing here counts steps, so
    the same settings hold for 1 s and 10 s batches. Confirmation counts plots: a
    tentative track is confirmed once ``confirm_m`` plots (its first included,
    from any sensors) have updated it within ``confirm_window_s`` of its first
    plot, and deleted at the first step that ends after that window.
    """

    gate_probability: float = 0.9995
    """Chi-square gate: probability that the true plot of a track falls inside its gate."""
    association_window_s: float = 1.0
    """Default association window, s: plots of one sensor are associated together in
    windows of this length, unless the sensor's revisit period was given with
    :meth:`~flankwatch.track.tracker.Tracker.set_revisit_periods`, which is then its window.

    A window must not exceed the shortest time between two plots of one target from
    one sensor (a radar's scan period). ADS-B plots are further split so that each
    aircraft has at most one plot per window.
    """
    association: str = "joint"
    """How a batch's plots are associated: ``"joint"`` (all plots of the batch in one
    gated assignment, each track taking at most one plot per sensor and association
    window, then the tracks updated in rounds, a track's k-th plot in round k) or
    ``"sequential"`` (one assignment and update per sensor and association window, in
    time order)."""
    max_association_distance_m: float = math.inf
    """Plots farther than this from a track's predicted position are never associated with it
    by the statistical gate, m (for instance a maximum speed times a revisit time)."""
    identity_gate_m: float = 5000.0
    """A plot whose identity (an ICAO address, or the PIN of an IFF Mode 5 Level 2 reply)
    matches a track's is associated with it when closer than this, m, plus
    ``identity_gate_sigmas`` times the plot's own position standard deviation (the root of
    its covariance's trace), whatever the statistical gate says."""
    identity_gate_sigmas: float = 3.0
    """See ``identity_gate_m``: an airborne radar's plot of a fighter 200 km away is several
    km off in height (1 degree of elevation error), and its reply is still that fighter's."""
    motion: str = "imm"
    """Motion model: ``"cv"`` (constant velocity) or ``"imm"`` (CV + left and right
    coordinated turns, mixed by an interacting multiple model filter)."""
    cv_noise_m2ps3: float = 0.5
    """Horizontal white-acceleration spectral density of the constant-velocity model, m^2/s^3."""
    turn_noise_m2ps3: float = 50.0
    """Horizontal white-acceleration spectral density of the turn models, m^2/s^3: about
    7 m/s^2 over a second, what a turn 3 deg/s off the models' rate asks of a 130 m/s
    target, so that the turn modes follow turns of other rates. With 5, targets turning at
    up to 6 deg/s were lost soon after confirmation (see the README's tracker families)."""
    vertical_noise_m2ps3: float = 1.0
    """Vertical white-acceleration spectral density of every model, m^2/s^3 (0 in planar mode)."""
    turn_rate_dps: float = 3.0
    """Turn rate of the coordinated-turn models, degrees/s (one turns left, one right):
    the standard-rate turn of aircraft, and about that of one-way attack drones."""
    mode_switch_rate_per_s: float = 0.002
    """IMM: rate of switching from one motion mode to each other one at the start, 1/s; then
    estimated from the tracks (``mode_switch_prior_track_s``). Low, because drones and
    aircraft fly long straight legs between turns: on the 10-hour mass raid 8 degrees/s and
    0.05/s, both fixed, gave a mean GOSPA of 4139 m over its first 4 hours, 3 degrees/s and
    0.002/s 3460 m (``benchmarks/night_speed.py --duration 14400``)."""
    mode_switch_prior_track_s: float = 1000.0
    """IMM: the switch rate is estimated from the held tracks' own mode changes
    (:mod:`~flankwatch.track.switch_rate`), starting from ``mode_switch_rate_per_s`` held as if
    seen over this much track time, s; ``inf`` keeps the rate fixed."""
    initial_cv_probability: float = 0.8
    """IMM: probability of the constant-velocity mode of a new track (the rest is split)."""
    max_speed_mps: float = 450.0
    """Fastest target tracked, m/s (450 m/s, Mach 1.3 at altitude: drones, cruise missiles and
    combat aircraft; not ballistic missiles). A plot farther from a track's last position than
    this speed (or the track's own, if faster) allows is never associated with it, and a new
    track's horizontal velocity standard deviation is at most a third of it."""
    initial_speed_sigma_mps: float = 150.0
    """Standard deviation of each horizontal velocity component of a new track, m/s (at most
    ``max_speed_mps / 3``)."""
    initial_vertical_speed_sigma_mps: float = 30.0
    """Standard deviation of the vertical velocity of a new track, m/s."""
    confirmation: str = "score"
    """How tentative tracks are confirmed and dropped: ``"score"`` (a log-likelihood ratio
    track score with sequential tests, see :mod:`~flankwatch.track.score`; the false plot
    density and detection probability are estimated from the plots) or ``"m_of_n"``
    (``confirm_m`` plots within ``confirm_window_s``). With ``"score"`` a tentative track
    whose sensor's revisit period is unknown is also dropped after ``confirm_window_s``."""
    false_track_probability: float = 1e-5
    """Score confirmation: probability of confirming a false track (sets the upper threshold,
    ``ln((1 - b) / a)``: 11.5 with the default ``b``)."""
    lost_track_probability: float = 0.05
    """Score confirmation: probability of dropping a true tentative track (sets the lower
    threshold, ``ln(b / (1 - a))``: -3.0)."""
    coast_score: float = math.inf
    """Score confirmation: a confirmed track is deleted once the scans of its sensor it has
    missed since its last plot have cost it this much score, each ``ln(1 / (1 - Pd))`` (9: 4
    scans at a detection probability of 0.9, 7 at 0.7); ``inf`` (the default) leaves confirmed
    tracks to ``delete_after_s`` and ``max_position_sigma_m``. On the first 2 hours of
    ``mass-raid-2025-09-07`` 9 gave 264 track-number changes against 37 (drones at the edge of
    cover), so it suits plot sets without gaps in cover, such as the benchmark families."""
    detection_probability: float = 0.9
    """Score confirmation: the detection probability assumed until confirmed tracks have given
    an estimate."""
    confirm_m: int = 3
    """M-of-N confirmation: plots needed to confirm a tentative track, its first plot included
    (any sensors)."""
    confirm_window_s: float = 30.0
    """Time from a tentative track's first plot within which its ``confirm_m`` plots must
    come, s (30 s: three of four scans of a 10 s radar, or three of eight of a 4 s one)."""
    delete_after_s: float = 90.0
    """A confirmed track not updated for longer than this is deleted, s (90 s: eight
    missed scans in a row of a 10 s radar, for drones at the edge of cover)."""
    max_position_sigma_m: float = 5000.0
    """A confirmed track whose position standard deviation (root of the covariance trace)
    exceeds this is deleted, m."""
    duplicate_gate_probability: float = 0.99
    """Two confirmed or coasting tracks whose state difference (position and velocity) lies
    inside the chi-square gate of this probability are one target, and the younger is
    dropped once no sensor has resolved them for ``duplicate_hold_s`` (see
    :mod:`~flankwatch.track.duplicates`); 0 keeps every track."""
    duplicate_hold_s: float = 30.0
    """How long two tracks must look like one target before the younger is dropped, s."""
    replace_after_scans: float = 3.0
    """A coasting track that has missed this many scans of its sensor is dropped as replaced
    when a confirmed track updated in the same step lies inside its position gate of
    ``replace_gate_probability`` (see :func:`~flankwatch.track.duplicates.replaced`): a target
    lost in a manoeuvre or to a false plot is tracked again by the new track, and the old one
    would otherwise coast on as a false track for up to ``delete_after_s``; ``inf`` never
    drops one."""
    replace_gate_probability: float = 0.99
    """Chi-square gate of the replacement test on the two tracks' position difference."""
    acoustic_range_m: float = 10000.0
    """Only tracks closer than this to an acoustic node are candidates for its bearings, m."""
    bearing_group_s: float = 2.0
    """Joint association: the bearings a track takes in one batch, between two of its
    position plots and within one span of this length (s, counted from the first plot
    being applied; the acoustic nodes' reporting period suits), are applied in one stacked
    extended Kalman update instead of one update each, which saves update rounds; 0 applies
    every bearing on its own. The stacked update linearises every bearing about the
    prediction rather than about the previous bearing's estimate. On the
    ``mass-raid-2025-09-07`` night (``benchmarks/night_speed.py``) 2 s and 0 gave the same
    mean GOSPA, 3364 m, with tracking 8% faster."""
    stacked_updates: bool = True
    """Joint association: a track's position plots of one batch are applied in one stacked
    Kalman update (:mod:`~flankwatch.track.stacked`) instead of one update round each: the
    same estimate for each motion mode, the modes mixed once per batch instead of once per
    plot. ``False`` applies them one by one."""
    planar: bool = False
    """Track in the horizontal plane only: z and vz stay at 0, gates have 2 degrees of freedom.

    Used for 2-D plot files; the plots must then carry ``z_m = 0`` with a tiny variance.
    """

    def __post_init__(self) -> None:
        self._check_numbers()
        if not 0.0 < self.gate_probability < 1.0:
            raise ValueError(f"gate_probability must be in (0, 1), got {self.gate_probability}")
        if self.association not in ("joint", "sequential"):
            raise ValueError(
                f"association must be 'joint' or 'sequential', got {self.association!r}"
            )
        if self.confirmation not in ("score", "m_of_n"):
            raise ValueError(f"confirmation must be 'score' or 'm_of_n', got {self.confirmation!r}")
        for name in ("false_track_probability", "lost_track_probability", "detection_probability"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in (0, 1), got {getattr(self, name)}")
        if not 0.0 <= self.duplicate_gate_probability < 1.0:
            raise ValueError(
                "duplicate_gate_probability must be in [0, 1), "
                f"got {self.duplicate_gate_probability}"
            )
        if self.duplicate_hold_s < 0.0:
            raise ValueError("duplicate_hold_s must not be negative")
        if not 0.0 < self.replace_gate_probability < 1.0:
            raise ValueError(
                f"replace_gate_probability must be in (0, 1), got {self.replace_gate_probability}"
            )
        if not self.replace_after_scans >= 1.0:
            raise ValueError(
                f"replace_after_scans must be at least 1, got {self.replace_after_scans}"
            )
        if not self.mode_switch_prior_track_s > 0.0:
            raise ValueError(
                f"mode_switch_prior_track_s must be positive, got {self.mode_switch_prior_track_s}"
            )
        if not self.coast_score > 0.0:
            raise ValueError(f"coast_score must be positive, got {self.coast_score}")
        if not self.max_speed_mps > 0.0:
            raise ValueError(f"max_speed_mps must be positive, got {self.max_speed_mps}")
        if self.motion not in ("cv", "imm"):
            raise ValueError(f"motion must be 'cv' or 'imm', got {self.motion!r}")
        if self.confirm_m < 1:
            raise ValueError(f"confirm_m must be at least 1, got {self.confirm_m}")
        if self.confirm_window_s < 0.0:
            raise ValueError("confirm_window_s must not be negative")
        if self.bearing_group_s < 0.0:
            raise ValueError("bearing_group_s must not be negative")
        if self.association_window_s <= 0.0:
            raise ValueError("association_window_s must be positive")

    def _check_numbers(self) -> None:
        """No number is NaN or infinite (but those in :data:`_MAY_BE_INFINITE`), those in
        :data:`_POSITIVE` are above 0, those in :data:`_NOT_NEGATIVE` at least 0, and
        ``initial_cv_probability`` lies in [0, 1]."""
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, float):
                continue
            if math.isnan(value) or (math.isinf(value) and field.name not in _MAY_BE_INFINITE):
                raise ValueError(f"{field.name} must be a finite number, got {value}")
        for name in _POSITIVE:
            if not getattr(self, name) > 0.0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in _NOT_NEGATIVE:
            if not getattr(self, name) >= 0.0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if not 0.0 <= self.initial_cv_probability <= 1.0:
            raise ValueError(
                f"initial_cv_probability must be in [0, 1], got {self.initial_cv_probability}"
            )


_MAY_BE_INFINITE = (
    "max_association_distance_m",
    "coast_score",
    "replace_after_scans",
    "mode_switch_prior_track_s",
)
"""Settings for which infinity has a meaning: no limit, or (``mode_switch_prior_track_s``) a
switch rate held fixed."""

_POSITIVE = (
    "max_association_distance_m",
    "cv_noise_m2ps3",
    "turn_noise_m2ps3",
    "vertical_noise_m2ps3",
    "turn_rate_dps",
    "initial_speed_sigma_mps",
    "initial_vertical_speed_sigma_mps",
    "delete_after_s",
    "max_position_sigma_m",
    "acoustic_range_m",
)
"""Settings that must be above 0."""

_NOT_NEGATIVE = ("identity_gate_m", "identity_gate_sigmas", "mode_switch_rate_per_s")
"""Settings that may be 0 but not below."""

_TRUE, _FALSE = ("1", "true", "yes"), ("0", "false", "no")
"""How ``--set`` writes a yes/no setting."""


def settings_from_assignments(assignments: list[str]) -> TrackerSettings:
    """Settings from ``NAME=VALUE`` strings (the command line's ``--set``), each value
    converted to its field's type; the rest keep their defaults."""
    defaults = TrackerSettings()
    changes: dict[str, Any] = {}  # each value of its own field's type, known at run time
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        names = [f.name for f in dataclasses.fields(TrackerSettings)]
        if not sep:
            raise ValueError(f"--set {assignment!r}: expected NAME=VALUE with a tracker setting")
        if name not in names:
            raise ValueError(
                f"--set {assignment!r}: {name!r} is no tracker setting; they are {', '.join(names)}"
            )
        kind = type(getattr(defaults, name))
        if kind is bool:
            if text.lower() not in _TRUE + _FALSE:
                raise ValueError(f"--set {assignment!r}: {text!r} is not one of true or false")
            changes[name] = text.lower() in _TRUE
            continue
        try:
            changes[name] = kind(text)
        except ValueError:
            what = {int: "a whole number", float: "a number"}.get(kind, kind.__name__)
            raise ValueError(f"--set {assignment!r}: {text!r} is not {what}") from None
    return dataclasses.replace(defaults, **changes)
