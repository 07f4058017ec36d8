"""Columnar batches: frozen dataclasses of equal-length NumPy arrays, one row per item.

Plots, truth and tracks move between stages as such batches. A subclass is a
``@dataclass(frozen=True, slots=True)`` whose fields are the columns, with
``DTYPES`` (column name to NumPy dtype, in field order) and ``SCHEMA`` (its
Arrow schema, from :func:`arrow_schema`) as class attributes; ``MISSING`` names the
columns whose "not given" value is not the default (NaN, "" or 0) for
:meth:`Columns.from_rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from functools import cache
from typing import ClassVar, Self

import numpy as np
import pyarrow as pa


def arrow_schema(dtypes: dict[str, np.dtype]) -> pa.Schema:
    """The Arrow schema of columns of ``dtypes`` (object columns hold strings)."""
    return pa.schema(
        [
            (name, pa.string() if dtype.kind == "O" else pa.from_numpy_dtype(dtype))
            for name, dtype in dtypes.items()
        ]
    )


@cache
def _field_names(batch_type: type) -> tuple[str, ...]:
    """The field names of a columnar dataclass, in order (found once per class: batches
    are made and measured many times a window)."""
    return tuple(f.name for f in fields(batch_type))


class Columns:
    """Behaviour shared by every columnar batch; see the module docstring."""

    __slots__ = ()
    DTYPES: ClassVar[dict[str, np.dtype]]
    SCHEMA: ClassVar[pa.Schema]
    MISSING: ClassVar[dict[str, object]] = {}
    """Columns whose value when a row does not give it is not NaN, "" or 0."""

    def __post_init__(self) -> None:
        names = self.column_names()
        n = len(getattr(self, names[0]))
        for name in names:
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"{type(self).__name__} column {name} has {len(getattr(self, name))} rows, "
                    f"{names[0]} has {n}"
                )

    def __len__(self) -> int:
        return len(getattr(self, self.column_names()[0]))

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        """The column names, in order."""
        return _field_names(cls)  # type: ignore[arg-type]

    @classmethod
    def empty(cls) -> Self:
        """A batch with no rows."""
        return cls(**{name: np.empty(0, dtype) for name, dtype in cls.DTYPES.items()})

    @classmethod
    def concat(cls, batches: Iterable[Self]) -> Self:
        """All rows of ``batches`` in one batch, in the given order."""
        batches = [b for b in batches if len(b)]
        if not batches:
            return cls.empty()
        if len(batches) == 1:
            return batches[0]
        return cls(
            **{
                name: np.concatenate([getattr(b, name) for b in batches])
                for name in cls.column_names()
            }
        )

    def take(self, index: np.ndarray) -> Self:
        """The rows at ``index`` (integer positions or a boolean mask)."""
        return type(self)(**{name: getattr(self, name)[index] for name in self.column_names()})

    def to_arrow(self) -> pa.Table:
        """The batch as an Arrow table with the class's ``SCHEMA``."""
        return pa.table(
            {name: getattr(self, name) for name in self.column_names()}, schema=self.SCHEMA
        )

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, object]]) -> Self:
        """A batch from one mapping per row, each holding some of the columns by name; a
        column a row lacks takes its ``MISSING`` value, else NaN, "" or 0 by its dtype.

        Raises :class:`ValueError` naming any column the batch does not have.
        """
        unknown = {name for row in rows for name in row} - set(cls.DTYPES)
        if unknown:
            raise ValueError(f"{cls.__name__} has no column(s) {sorted(unknown)}")
        columns = {}
        for name, dtype in cls.DTYPES.items():
            missing = cls.MISSING.get(name, _default_missing(dtype))
            values = [row.get(name, missing) for row in rows]
            if dtype.kind == "O":
                column = np.empty(len(values), dtype)
                column[:] = values
            else:
                column = np.array(values, dtype=dtype) if values else np.empty(0, dtype)
            columns[name] = column
        return cls(**columns)

    @classmethod
    def from_arrow(cls, table: pa.Table) -> Self:
        """A batch from an Arrow table holding (at least) the class's columns."""
        missing = set(cls.column_names()) - set(table.column_names)
        if missing:
            raise ValueError(f"{cls.__name__} table lacks column(s) {sorted(missing)}")
        return cls(
            **{
                name: np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype)
                for name, dtype in cls.DTYPES.items()
            }
        )


def _default_missing(dtype: np.dtype) -> object:
    """The value of a column of ``dtype`` that a row does not give: NaN, "" or 0."""
    if dtype.kind == "f":
        return np.nan
    return "" if dtype.kind == "O" else 0
