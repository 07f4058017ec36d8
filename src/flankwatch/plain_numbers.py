"""A base for the models of files people write (scenarios, catalogues, rule, policy and
deployment files): a number must be written as a number, and a time as a time.

Pydantic's default (lax) mode turns ``true`` into 1 and ``"14"`` into 14, so ``count: true``
would fly one bomber and ``seed: true`` run seed 1. Its strict mode would also refuse
what YAML cannot write otherwise (a list for a pair, a quoted time), so only numbers are
made strict here: a field of type ``int`` or ``float`` (or either, or None) refuses a
boolean and a string, as that field's own error. Likewise a field that is a date and time
(and only that) refuses a number: in lax mode ``start: 2025`` would be read as 2025 seconds
after 1970.
"""

from __future__ import annotations

import types
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, model_validator

_NUMBER_TYPES = (int, float)


class NumbersAsWritten(BaseModel):
    """A model whose number fields take only numbers (see the module docstring)."""

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_written_as_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {
            name: _Unfit(value)
            if name in fields and _unfit(fields[name].annotation, value)
            else value
            for name, value in data.items()
        }


def _unfit(annotation: object, value: Any) -> bool:
    """Whether ``value`` is a boolean or a string for a number field, or a number for a
    date-and-time field."""
    if isinstance(value, bool | str):
        return _is_number_type(annotation)
    if isinstance(value, int | float):
        return _is_datetime_type(annotation)
    return False


class _Unfit:
    """A boolean or a string where a number goes (or a number where a time goes), handed
    on so that the field's own type check refuses it (and names the field, with its place
    in the file)."""

    def __init__(self, value: bool | str | float) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def _is_number_type(annotation: object) -> bool:
    """Whether ``annotation`` is ``int`` or ``float`` (or one of them annotated), or a union
    of them and None."""
    if get_origin(annotation) is Annotated:
        return _is_number_type(get_args(annotation)[0])
    if annotation in _NUMBER_TYPES:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [kind for kind in get_args(annotation) if kind is not type(None)]
        return bool(kinds) and all(_is_number_type(kind) for kind in kinds)
    return False


def _is_datetime_type(annotation: object) -> bool:
    """Whether ``annotation`` is a date and time (``datetime`` or pydantic's
    ``AwareDatetime``, or one of them annotated)."""
    if get_origin(annotation) is Annotated:
        return _is_datetime_type(get_args(annotation)[0])
    if annotation is AwareDatetime:
        return True
    return isinstance(annotation, type) and issubclass(annotation, datetime)
