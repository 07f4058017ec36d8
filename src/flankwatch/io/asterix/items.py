"""The ASTERIX editions the codec reads and writes, and access to their items by path.

Item layouts come from ``libasterix`` (``asterix.generated``), which is generated from
the EUROCONTROL category specifications. An item is named by its path, for example
``("105", "LAT")`` for the latitude of I062/105. The scale, width and signedness of a
quantity are read from the edition itself, so that conversions and range checks follow
the specification instead of numbers copied here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asterix.generated as gen
from asterix.base import ContentQuantity, Element, RuleContentContextFree, Signed

Path = tuple[str, ...]
"""An item's path: the item's name in the record, then its subitems' names."""

EDITIONS: dict[int, dict[str, Any]] = {
    48: {f"1.{m}": getattr(gen, f"Cat_048_1_{m}") for m in range(27, 33)},
    21: {f"2.{m}": getattr(gen, f"Cat_021_2_{m}") for m in range(1, 8)},
    62: {f"1.{m}": getattr(gen, f"Cat_062_1_{m}") for m in range(16, 22)},
}
"""The editions the codec supports, by category and edition ("1.32"): those whose
items read here have the layout the readers expect (checked by the tests)."""

CATEGORIES: frozenset[int] = frozenset(
    int(name.split("_")[1]) for name in dir(gen) if name.startswith("Cat_")
)
"""Every ASTERIX category ``libasterix`` has a specification of (read here or not): a
data block of any other category is no ASTERIX."""

DEFAULT_EDITIONS: dict[int, str] = {48: "1.32", 21: "2.7", 62: "1.21"}
"""The edition used for each category unless the caller names another."""

SI_PER_UNIT: dict[str, float] = {
    "s": 1.0,
    "m": 1.0,
    "m/s": 1.0,
    "ft": 0.3048,
    "FL": 30.48,
    "NM": 1852.0,
    "NM/s": 1852.0,
    "kt": 1852.0 / 3600.0,
    "ft/min": 0.3048 / 60.0,
    "°": math.pi / 180.0,
    "°/s": math.pi / 180.0,
}
"""One unit of an ASTERIX quantity in SI (degrees in radians): the international foot
(0.3048 m), the flight level (100 ft), the international nautical mile (1852 m)."""


def edition(category: int, name: str | None = None) -> Any:
    """The ``libasterix`` specification of ``category`` in edition ``name`` (the default
    edition if None).

    Raises :class:`ValueError` naming the category and the editions supported.
    """
    if category not in EDITIONS:
        raise ValueError(
            f"ASTERIX category {category} is not supported (supported: {sorted(EDITIONS)})"
        )
    name = DEFAULT_EDITIONS[category] if name is None else name
    if name not in EDITIONS[category]:
        raise ValueError(
            f"ASTERIX CAT{category:03d} edition {name!r} is not supported "
            f"(supported: {', '.join(EDITIONS[category])})"
        )
    return EDITIONS[category][name]


def element_class(spec: Any, path: Path) -> Any:
    """The element class of the item at ``path`` in category specification ``spec``.

    Raises :class:`KeyError` if the edition has no such item.
    """
    node: Any = spec.cv_record.spec(path[0]).cv_rule.cv_variation
    for name in path[1:]:
        child = node.spec(name)
        node = (child.cv_rule if hasattr(child, "cv_rule") else child).cv_variation
    if not issubclass(node, Element):
        raise KeyError(f"item {'/'.join(path)} is no element")
    return node


@functools.cache
def has_item(spec: Any, path: Path) -> bool:
    """Whether specification ``spec`` has an element at ``path``."""
    try:
        element_class(spec, path)
    except KeyError:
        return False
    return True


def _entry(item: Any, values: Mapping[str, object]) -> object:
    """The value of one item of a group: 0 for a spare, else ``(name, value)`` with the
    value from ``values`` (0 if not there)."""
    non_spare = getattr(item, "cv_non_spare", None)
    if non_spare is None:
        return 0
    return (non_spare.cv_name, values.get(non_spare.cv_name, 0))


def group_value(spec: Any, item: str, values: Mapping[str, object]) -> tuple[object, ...]:
    """The argument that builds group item ``item`` of ``spec`` with its subitems from
    ``values`` by name (0 for those not there and for spares), whatever the edition's
    layout."""
    group = spec.cv_record.spec(item).cv_rule.cv_variation
    return tuple(_entry(entry, values) for entry, _size in group.cv_items_list)


def extended_value(
    spec: Any, item: str, values: Mapping[str, object], groups: int
) -> tuple[tuple[object, ...], ...]:
    """The argument that builds extended item ``item`` of ``spec`` with its first
    ``groups`` groups, subitems from ``values`` by name as for :func:`group_value`."""
    extended = spec.cv_record.spec(item).cv_rule.cv_variation
    return tuple(
        tuple(None if entry is None else _entry(entry[0], values) for entry in group)
        for group in extended.cv_items_list[:groups]
    )


def find(record: Any, path: Path) -> Any:
    """The element at ``path`` in a parsed or built ``record``, None if absent."""
    node = record.get_item(path[0])
    for name in path[1:]:
        if node is None:
            return None
        node = node.variation.get_item(name)
    return None if node is None else node.variation


def raw(record: Any, path: Path) -> int | None:
    """The raw bits of the element at ``path`` as an unsigned integer, None if absent."""
    element = find(record, path)
    return None if element is None else int(element.as_uint())


def text(record: Any, path: Path) -> str:
    """The string element at ``path`` with trailing spaces removed, "" if absent."""
    element = find(record, path)
    return "" if element is None else str(element.content.as_string()).rstrip()


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity item's encoding: ``bits`` wide, ``signed`` or not, ``lsb`` per step
    in its ASTERIX ``unit``."""

    bits: int
    signed: bool
    lsb: float
    unit: str

    @classmethod
    @functools.cache
    def of(cls, spec: Any, path: Path) -> Quantity:
        """The encoding of the quantity at ``path`` in specification ``spec``."""
        element = element_class(spec, path)
        rule = element.cv_rule
        if not issubclass(rule, RuleContentContextFree) or not issubclass(
            rule.cv_content, ContentQuantity
        ):
            raise KeyError(f"item {'/'.join(path)} is no quantity")
        content = rule.cv_content
        return cls(
            bits=int(element.cv_bit_size),
            signed=issubclass(content.cv_signedness, Signed),
            lsb=float(content.cv_lsb),
            unit=str(content.cv_unit),
        )

    @property
    def lsb_si(self) -> float:
        """One step in SI units (radians for angles)."""
        return self.lsb * SI_PER_UNIT[self.unit]

    def steps(self, bits: int) -> int:
        """The signed number of steps that raw ``bits`` hold."""
        if self.signed and bits >= 1 << (self.bits - 1):
            return bits - (1 << self.bits)
        return bits

    def value(self, bits: int, unit: str | None = None) -> float:
        """The value of raw ``bits`` in SI units, or in ``unit`` ("°") if given."""
        if unit is not None and unit != self.unit:
            raise ValueError(f"cannot express {self.unit} in {unit}")
        return self.steps(bits) * (self.lsb if unit is not None else self.lsb_si)

    def encode(self, value: float, unit: str | None = None) -> int | None:
        """The raw bits of ``value`` (SI units, or ``unit`` if given), rounded to the
        nearest step; None if the value is not finite or the item cannot hold it (the
        bits are never wrapped)."""
        if unit is not None and unit != self.unit:
            raise ValueError(f"cannot express {unit} as {self.unit}")
        ratio = value / (self.lsb if unit is not None else self.lsb_si)
        if not math.isfinite(ratio):  # not a number, or too large for any item
            return None
        steps = round(ratio)
        low, high = (-(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1)
        if not self.signed:
            low, high = 0, (1 << self.bits) - 1
        if not low <= steps <= high:
            return None
        return steps & ((1 << self.bits) - 1)


def quantity(record: Any, spec: Any, path: Path, unit: str | None = None) -> float:
    """The quantity at ``path`` in a parsed ``record`` of ``spec``, in SI units (or in
    ``unit``, "°" for latitude and longitude), NaN if absent."""
    bits = raw(record, path)
    if bits is None:
        return math.nan
    return Quantity.of(spec, path).value(bits, unit)
