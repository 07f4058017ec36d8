"""Classification of tracks by their kinematics and ADS-B: a transparent likelihood model.

Every class of :data:`~flankwatch.assess.assessment.CATEGORIES` (but
``unknown``) is described by one or more profiles of bands on speed, height,
climb rate and turn rate, with a prior and the chance that such an object
broadcasts ADS-B. The profiles are data (``rules/classes.yaml``, with the basis
of each value), validated by :class:`ClassProfiles`. Per track and step:

* turn rate comes from the change of heading since the track's previous step
  (the previous heading and time are remembered per track);
* a profile's likelihood is the product of its band likelihoods (1 inside a
  band, a Gaussian fall-off of the feature's margin outside), its prior and
  its ADS-B term; profiles of a class add up, ``unknown`` has a small constant
  likelihood, and the sum over classes normalises them into the step's
  posterior;
* the reported probabilities are the posterior smoothed over time:
  ``p <- p + b (posterior - p)`` with ``b = 1 - exp(-dt / time_constant_s)``, so
  that one noisy step does not flip a class.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from flankwatch.assess.assessment import CATEGORIES
from flankwatch.assess.kernels import band_exponents, profile_likelihoods
from flankwatch.assess.kinematics import Kinematics
from flankwatch.assess.memory import TrackMemory
from flankwatch.assess.rulefile import load_rule_file, parse_rules
from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.track.output import TrackBatch

DEFAULT_CLASSES_FILE = "classes.yaml"

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
"""A class name of :data:`CATEGORIES`."""
Band = Annotated[tuple[float, float], Field(description="[low, high]")]
UNKNOWN = CATEGORIES.index("unknown")
_FEATURES = ("speed_mps", "alt_m", "climb_mps", "turn_deg_s")
"""The bands of a profile, in the order the classifier stacks them."""
MIN_TURN_SPEED_MPS = 5.0
"""Below this ground speed (m/s) a heading means little: no turn rate is measured."""


class _Strict(NumbersAsWritten):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Margins(_Strict):
    """One-sigma fall-off of the likelihood outside a band, per feature."""

    speed_mps: float = Field(8.0, gt=0.0)
    alt_m: float = Field(200.0, gt=0.0)
    climb_mps: float = Field(3.0, gt=0.0)
    turn_deg_s: float = Field(1.5, gt=0.0)


class Profile(_Strict):
    """A kind of air object, as bands on its motion; units in the field names."""

    name: str = Field(min_length=1)
    category: Category
    prior: float = Field(1.0, gt=0.0)
    speed_mps: Band
    alt_m: Band
    climb_mps: Band = (0.0, 1e9)
    turn_deg_s: Band = (0.0, 1e9)
    adsb_prob: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered_bands(self) -> Profile:
        for name in ("speed_mps", "alt_m", "climb_mps", "turn_deg_s"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"{name}: low {low} is above high {high}")
        if self.category == "unknown":
            raise ValueError("'unknown' is what is left when no profile fits; it has no profile")
        return self


class ClassProfiles(_Strict):
    """The classifier's data: margins, smoothing, and the profiles."""

    margins: Margins = Field(default_factory=Margins)
    time_constant_s: float = Field(15.0, gt=0.0, description="smoothing time constant, s")
    unknown_likelihood: float = Field(1e-4, gt=0.0, description="likelihood of 'unknown'")
    profiles: list[Profile] = Field(min_length=1)


def load_class_profiles(path: Path | None = None) -> ClassProfiles:
    """The class profiles in ``path``, or the built-in ones; raises ``RuleError``."""
    if path is not None:
        return load_rule_file(Path(path), ClassProfiles)
    text = files("flankwatch.assess").joinpath("rules", DEFAULT_CLASSES_FILE).read_text("utf-8")
    return parse_rules(text, f"built-in {DEFAULT_CLASSES_FILE}", ClassProfiles)


class KinematicClassifier:
    """Class probabilities from the kinematic profiles, smoothed per track over time."""

    def __init__(self, profiles: ClassProfiles) -> None:
        self.profiles = profiles
        rows = profiles.profiles

        def bands(name: str) -> tuple[np.ndarray, np.ndarray]:
            pairs = np.array([getattr(p, name) for p in rows], float)
            return pairs[:, 0], pairs[:, 1]

        # Bands (features, profiles) of the features speed, height, climb and turn rate.
        low, high = zip(*(bands(name) for name in _FEATURES), strict=True)
        self._low, self._high = np.stack(low), np.stack(high)
        m = profiles.margins
        self._margins = np.array([m.alt_m, m.climb_mps, m.turn_deg_s])[:, None]
        """Fall-offs of height, climb and turn rate (speed's adds each track's speed variance)."""
        self._prior = np.array([p.prior for p in rows])
        self._adsb = np.array([p.adsb_prob for p in rows])
        self._no_adsb = 1.0 - self._adsb
        self._to_class = np.zeros((len(rows), len(CATEGORIES)))
        self._to_class[np.arange(len(rows)), [CATEGORIES.index(p.category) for p in rows]] = 1.0
        self.memory = TrackMemory(
            {
                "prob": (np.float64, np.nan, (len(CATEGORIES),)),
                "heading_rad": (np.float64, np.nan, ()),
                "t_s": (np.float64, np.nan, ()),
            }
        )

    def classify(self, tracks: TrackBatch, kin: Kinematics) -> np.ndarray:
        """Class probabilities ``(n, len(CATEGORIES))`` of the tracks, in the batch's order."""
        rows, new = self.memory.rows(tracks.track_id)
        turn = self._turn_rate_deg_s(rows, tracks.time_s, kin)
        posterior = self.posterior(kin, turn, tracks.icao24 != 0)
        dt = tracks.time_s - self.memory["t_s"][rows]
        with np.errstate(invalid="ignore"):
            weight = np.where(dt > 0, -np.expm1(-dt / self.profiles.time_constant_s), 0.0)
        prior = self.memory["prob"][rows]
        prob = np.where(new[:, None], posterior, prior + weight[:, None] * (posterior - prior))
        self.memory["prob"][rows] = prob
        self.memory["heading_rad"][rows] = kin.heading_rad
        self.memory["t_s"][rows] = tracks.time_s
        return prob

    def posterior(self, kin: Kinematics, turn_deg_s: np.ndarray, adsb: np.ndarray) -> np.ndarray:
        """One step's class probabilities ``(n, len(CATEGORIES))``, before smoothing.

        ``turn_deg_s`` may be NaN (not known yet): it then counts as fitting every band.
        """
        turn = np.abs(turn_deg_s)
        known = ~np.isnan(turn)
        # (features, n): the tracks last, so that each loop runs along them
        feature = np.empty((len(_FEATURES), len(turn)))
        feature[0] = kin.speed_mps
        feature[1] = kin.alt_m
        feature[2] = np.abs(kin.climb_mps)
        feature[3] = np.where(known, turn, 0.0)
        sigma = np.empty_like(feature)
        sigma[0] = np.sqrt(self.profiles.margins.speed_mps**2 + kin.speed_var_m2ps2)
        sigma[1:] = self._margins
        band = np.exp(band_exponents(feature, self._low, self._high, sigma))
        like = profile_likelihoods(band, known, adsb, self._prior, self._adsb, self._no_adsb)
        by_class = like @ self._to_class
        by_class[:, UNKNOWN] += self.profiles.unknown_likelihood
        return by_class / by_class.sum(axis=1, keepdims=True)

    def _turn_rate_deg_s(self, rows: np.ndarray, t_s: np.ndarray, kin: Kinematics) -> np.ndarray:
        """Turn rate since each track's previous step, deg/s (NaN if not known or too slow)."""
        dt = t_s - self.memory["t_s"][rows]
        turn = np.angle(np.exp(1j * (kin.heading_rad - self.memory["heading_rad"][rows])))
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.degrees(turn) / dt
        return np.where((dt > 0) & (kin.ground_speed_mps > MIN_TURN_SPEED_MPS), rate, np.nan)

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the remembered state of these tracks."""
        self.memory.forget(track_id)
