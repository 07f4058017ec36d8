"""The plot columns added for transponders: defaults, and tables written without them."""

import numpy as np
import pyarrow.parquet as pq

from flankwatch.stream import (
    OPTIONAL_COLUMNS,
    PIN_IDENTITY,
    PLOT_SCHEMA,
    PlotBatch,
    PlotKind,
    icao_of,
)


def _plots() -> PlotBatch:
    return PlotBatch.build(
        3,
        t_s=[0.0, 1.0, 2.0],
        kind=[PlotKind.ADSB, PlotKind.RADAR, PlotKind.RADAR],
        icao24=[0x48AE01, 0, 0],
        squawk=[7500, 0, 0],
        mode5=[False, True, False],
    )


def test_the_new_columns_default_to_none() -> None:
    plots = PlotBatch.build(2, t_s=[0.0, 1.0])
    assert plots.squawk.tolist() == [0, 0]
    assert plots.mode5.tolist() == [False, False]
    parts = PlotBatch.from_parts(
        [{"t_s": np.array([0.0])}, {"t_s": np.array([1.0]), "mode5": True}]
    )
    assert parts.mode5.tolist() == [False, True]
    assert parts.squawk.tolist() == [0, 0]


def test_squawk_and_mode5_round_trip_through_parquet(tmp_path) -> None:
    path = tmp_path / "plots.parquet"
    pq.write_table(_plots().to_arrow(), path)
    back = PlotBatch.from_arrow(pq.read_table(path))
    assert back.squawk.tolist() == [7500, 0, 0]
    assert back.mode5.tolist() == [False, True, False]
    assert pq.read_table(path).schema.equals(PLOT_SCHEMA)


def test_a_table_written_before_the_columns_existed_still_loads(tmp_path) -> None:
    path = tmp_path / "old.parquet"
    pq.write_table(_plots().to_arrow().drop_columns(list(OPTIONAL_COLUMNS)), path)
    back = PlotBatch.from_arrow(pq.read_table(path))
    assert back.squawk.tolist() == [0, 0, 0]
    assert back.mode5.tolist() == [False, False, False]
    assert back.mode5_pin.tolist() == [0, 0, 0]
    assert back.icao24.tolist() == [0x48AE01, 0, 0]


def test_a_plots_identity_is_its_icao_address_else_its_mode5_pin() -> None:
    """An ICAO address comes first; a PIN alone lands past every 24-bit address; neither
    gives 0. :func:`icao_of` takes the addresses back out."""
    plots = PlotBatch.build(
        4,
        t_s=[0.0, 0.0, 0.0, 0.0],
        icao24=[0xFFFFFF, 0x48AE01, 0, 0],
        mode5_pin=[0, 12, 16383, 0],
    )
    identity = plots.identity
    assert identity.dtype == np.uint32
    assert identity.tolist() == [0xFFFFFF, 0x48AE01, int(PIN_IDENTITY) + 16383, 0]
    assert identity[2] > 0xFFFFFF
    assert icao_of(identity).tolist() == [0xFFFFFF, 0x48AE01, 0, 0]
    assert PlotBatch.build(1, t_s=[0.0], icao24=[5]).identity.tolist() == [5]
