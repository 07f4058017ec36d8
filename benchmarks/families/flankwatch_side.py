"""flankwatch on a scene's plots file, in-process and with its default settings: the same
steps as ``flankwatch track`` (:func:`flankwatch.io.track_writer.track_file`), reading the
file, building the default tracker (planar for a 2-D file) and stepping it batch by batch;
only the steps are timed."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from families.scene import BATCH_S
from families.scoring import Estimates
from flankwatch.io.plot_reader import read_plots
from flankwatch.track.output import TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker


@dataclass(frozen=True)
class TrackerRun:
    """One tracker's run on a scene."""

    elapsed_s: float
    """Time spent tracking (not reading the file), s."""
    estimates: Estimates
    """Confirmed and coasting tracks at each batch's last plot time."""
    n_plots: int
    """Plots tracked."""
    end_s: float
    """Last batch's report time, s."""


def run_flankwatch(plots: Path, sensors: Path | None = None) -> TrackerRun:
    """Track a plots file with the default settings; its confirmed and coasting tracks."""
    plot_file = read_plots(plots, sensors, BATCH_S)
    settings = dataclasses.replace(TrackerSettings(), planar=plot_file.planar)
    tracker = build_tracker(settings)
    t_s, ids, pos, elapsed = [], [], [], 0.0
    for batch in plot_file.batches:
        start = time.process_time()
        out = tracker.step(batch)
        elapsed += time.process_time() - start
        held = (out.status == TrackStatus.CONFIRMED) | (out.status == TrackStatus.COASTING)
        t_s.append(out.time_s[held])
        ids.append(out.track_id[held])
        pos.append(np.column_stack((out.x_m[held], out.y_m[held], out.z_m[held])))
    if not t_s:
        empty = Estimates(np.empty(0), np.empty(0, np.int64), np.empty((0, 3)))
        return TrackerRun(elapsed, empty, 0, 0.0)
    estimates = Estimates(np.concatenate(t_s), np.concatenate(ids), np.vstack(pos))
    end_s = float(plot_file.batches[-1].t_s[-1])
    return TrackerRun(elapsed, estimates, plot_file.n_plots, end_s)
