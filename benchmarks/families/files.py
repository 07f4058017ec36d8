"""A scene's files, as a user hands them to ``flankwatch track``: the plots file (the
README's Cartesian or polar layout), the sensors file of a polar scene, and the truth
kept beside (``time_s, target_id, x_m, y_m[, z_m]``, one row per target per reported
time), in CSV or Parquet."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from families.scene import Scene

FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class SceneFiles:
    """Where a scene was written."""

    plots: Path
    truth: Path
    sensors: Path | None
    """The sensors file of a polar scene, else None."""


@dataclass(frozen=True)
class Truth:
    """Truth rows read back from a truth file."""

    t_s: np.ndarray
    target_id: np.ndarray
    pos_m: np.ndarray
    """Positions ``(n, 2)`` or ``(n, 3)``, m."""

    def before(self, end_s: float) -> Truth:
        """The rows earlier than ``end_s`` (s)."""
        keep = self.t_s < end_s
        return Truth(self.t_s[keep], self.target_id[keep], self.pos_m[keep])


def _write(columns: dict[str, np.ndarray], path: Path) -> None:
    """Write the columns to ``path`` (CSV or Parquet by its suffix). A file already there is
    never replaced: kept if it holds the same bytes (the same scene written again), else a
    ValueError naming it."""
    table = pa.table(columns)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        file = temporary.open("xb")  # never over a file of that name
    except FileExistsError:
        raise ValueError(f"{path}: {temporary} is in the way") from None
    try:
        with file:
            if path.suffix == ".csv":
                pa_csv.write_csv(table, file)
            else:
                pq.write_table(table, file)
        if path.exists() or path.is_symlink():
            same = path.is_file() and not path.is_symlink()
            if not (same and path.read_bytes() == temporary.read_bytes()):
                raise ValueError(f"{path}: exists and is not this scene's file; not replaced")
        else:
            temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def write_scene(scene: Scene, folder: Path, file_format: str = "csv") -> SceneFiles:
    """Write the scene's plots, truth and (polar) sensors files into ``folder`` as
    ``<family>-<N>-plots.<ext>``, ``...-truth.<ext>`` and ``...-sensors.<ext>``; files
    already there are kept if they are the same, else refused (ValueError)."""
    if file_format not in FORMATS:
        raise ValueError(f"file format must be one of {FORMATS}, got {file_format!r}")
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{scene.family}-{scene.n_targets}"
    plots = folder / f"{stem}-plots.{file_format}"
    truth = folder / f"{stem}-truth.{file_format}"
    _write(scene.plots, plots)
    names = ("x_m", "y_m", "z_m")
    _write(
        {
            "time_s": scene.truth_t_s,
            "target_id": scene.truth_id,
            **{names[i]: scene.truth_pos_m[:, i] for i in range(scene.truth_pos_m.shape[1])},
        },
        truth,
    )
    sensors = None
    if scene.polar:
        sensors = folder / f"{stem}-sensors.{file_format}"
        position = np.array([s.position_m for s in scene.sensors])
        _write(
            {
                "sensor_id": np.array([s.sensor_id for s in scene.sensors]),
                **{name: position[:, i] for i, name in enumerate(names)},
            },
            sensors,
        )
    return SceneFiles(plots, truth, sensors)


def read_table(path: Path) -> pa.Table:
    """A CSV or Parquet table; ValueError naming the file if it cannot be read."""
    try:
        if path.suffix.lower() == ".csv":
            return pa_csv.read_csv(path)
        return pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as error:
        raise ValueError(f"{path}: cannot be read as a table: {error}") from None


def read_truth(path: Path) -> Truth:
    """The truth rows of a truth file written by :func:`write_scene`."""
    table = read_table(path)
    missing = {"time_s", "target_id", "x_m", "y_m"} - set(table.column_names)
    if missing:
        raise ValueError(f"truth file {path}: missing columns {sorted(missing)}")
    names = ["x_m", "y_m"] + (["z_m"] if "z_m" in table.column_names else [])
    return Truth(
        t_s=table["time_s"].to_numpy().astype(float),
        target_id=table["target_id"].to_numpy().astype(np.int64),
        pos_m=np.column_stack([table[n].to_numpy().astype(float) for n in names]),
    )
