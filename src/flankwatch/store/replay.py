"""A recording replayed as a source of the run loop.

:class:`ReplaySource` reads a recording's plots (and its truth, when it has
any) and yields them in the very windows the run cut, from the recording's
``windows`` table, with the recorded deployment and sensor table. Run through
the same stages with the same settings, a replay reproduces the recording's
tracks, events and alerts; with other rules or settings it shows what those
would have done on the same data. A replay cannot change what was recorded:
stage effects (a kill, own forces in flight) are counted and otherwise
ignored. A replay of a run with a response runs the response stage again on
the recorded plots: its shots and kills change nothing in the plots that
follow, and the own forces the recording holds are those the original run
flew (their plots and truth rows are recorded), not the replay's.

Truth recorded before the ``destroyed`` column existed reads as no object
destroyed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

from flankwatch.deployment import DeploymentError, parse_deployment
from flankwatch.loop import Effect, SourceInfo, Window
from flankwatch.sim.truth import TruthBatch
from flankwatch.store.reading import read_static, read_table
from flankwatch.store.recording import SCENARIO, RecordingError, read_metadata
from flankwatch.store.sink import DEPLOYMENT_FILE
from flankwatch.stream import PlotBatch

log = logging.getLogger(__name__)


class ReplaySource:
    """The recording in ``folder`` as a source; see the module docstring."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.metadata = read_metadata(self.folder)
        if self.metadata.get("status") != "complete":
            raise RecordingError(
                f"{folder}: the recording is {self.metadata.get('status', 'incomplete')!r}, "
                "not complete; only a complete recording can be replayed"
            )
        self.ignored_effects = 0
        deployment_path = self.folder / DEPLOYMENT_FILE
        if not deployment_path.is_file():
            raise RecordingError(f"{folder}: no {DEPLOYMENT_FILE}: recorded by an older flankwatch")
        try:
            deployment = parse_deployment(
                deployment_path.read_text(encoding="utf-8"), str(deployment_path)
            )
        except (DeploymentError, UnicodeDecodeError) as error:
            raise RecordingError(f"{folder}: its deployment is not valid: {error}") from None
        objects = self._static_or_none("objects")
        scenario_path = self.folder / SCENARIO
        self.info = SourceInfo(
            name=str(self.metadata.get("scenario", self.folder.name)),
            seed=_int(self.metadata, "seed", folder),
            deployment=deployment,
            sensors=read_static(self.folder, "sensors"),
            duration_s=_float(self.metadata, "duration_s", folder),
            batch_s=_float(self.metadata, "batch_s", folder),
            exercise=True,
            objects=objects,
            scenario_text=(
                scenario_path.read_text(encoding="utf-8") if scenario_path.is_file() else ""
            ),
        )
        self._windows = read_table(self.folder, "windows")
        self._plots = _batch(PlotBatch, read_table(self.folder, "plots"), folder, "plots")
        self._truth = (
            _batch(TruthBatch, _with_destroyed(read_table(self.folder, "truth")), folder, "truth")
            if objects is not None
            else None
        )
        self._check_counts()

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        """The recorded windows in order, each with its plots and truth."""
        table = self._windows
        index = np.asarray(table.column("index"), np.int64)
        t0, t1 = np.asarray(table.column("t0_s")), np.asarray(table.column("t1_s"))
        plot_ends = np.cumsum(np.asarray(table.column("plots"), np.int64))
        truth_ends = np.cumsum(np.asarray(table.column("truth"), np.int64))
        plot_start = truth_start = 0
        for k in range(table.num_rows):
            plots = self._plots.take(np.arange(plot_start, plot_ends[k]))
            truth = None
            if self._truth is not None:
                truth = self._truth.take(np.arange(truth_start, truth_ends[k]))
            plot_start, truth_start = int(plot_ends[k]), int(truth_ends[k])
            yield Window(int(index[k]), float(t0[k]), float(t1[k]), plots), truth

    def apply(self, effects: Sequence[Effect]) -> None:
        """A recording cannot be changed: effects (kills, own forces in flight) are counted
        and logged, not applied; the recorded plots stay as they were."""
        self.ignored_effects += len(effects)
        log.info("replay: %d stage effect(s) not applied to recorded data", len(effects))

    def _static_or_none(self, name: str) -> pa.Table | None:
        contents = self.metadata.get("contents", {}).get("tables", {})
        return read_static(self.folder, name) if name in contents else None

    def _check_counts(self) -> None:
        """The windows must account for every recorded plot and truth row."""
        if not self._windows.num_rows:
            raise RecordingError(f"{self.folder}: the recording has no windows table rows")
        counts = {"plots": len(self._plots)}
        if self._truth is not None:
            counts["truth"] = len(self._truth)
        for name, rows in counts.items():
            listed = int(np.sum(np.asarray(self._windows.column(name), np.int64)))
            if listed != rows:
                raise RecordingError(
                    f"{self.folder}: its windows list {listed:,} {name} rows, "
                    f"the {name} table holds {rows:,}"
                )


Batch = TypeVar("Batch", PlotBatch, TruthBatch)


def _batch(kind: type[Batch], table: pa.Table, folder: Path, name: str) -> Batch:
    try:
        return kind.from_arrow(table)
    except (ValueError, TypeError, pa.ArrowException) as error:
        raise RecordingError(f"{folder}: its {name} table is not valid: {error}") from None


def _with_destroyed(truth: pa.Table) -> pa.Table:
    """A truth table with its ``destroyed`` column (all false when recorded without it)."""
    if "destroyed" in truth.column_names:
        return truth
    return truth.append_column("destroyed", pa.array(np.zeros(truth.num_rows, bool)))


def _float(metadata: dict, key: str, folder: Path) -> float:
    value = metadata.get(key)
    if not isinstance(value, int | float) or not np.isfinite(value) or value <= 0:
        raise RecordingError(f"{folder}: metadata.json: {key} must be a positive number")
    return float(value)


def _int(metadata: dict, key: str, folder: Path) -> int:
    value = metadata.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RecordingError(f"{folder}: metadata.json: {key} must be a whole number >= 0")
    return value
