"""Reading the assessment's rule files (YAML), with errors that name the file and field.

A rule file is data: :func:`load_rule_file` reads it and validates it into a
pydantic model, raising :class:`RuleError` (exit code 2 on the command line)
with every fault's field path, line and message. Every number in a rule file
must be finite and at most :data:`MAX_MAGNITUDE` in size (``.inf`` and ``.nan``
are refused: a bound that is left out already means no bound).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from flankwatch.yamlfile import (
    Location,
    Model,
    YamlFileError,
    raise_faults,
    read_text,
    validate_yaml,
)

MAX_MAGNITUDE = 1e12
"""Largest size of a number in a rule file: far beyond any distance (m), time (s) or
speed (m/s) a rule can mean, and small enough to square without overflow."""


class RuleError(YamlFileError):
    """A rule file that cannot be read or is not valid."""

    what = "rule file"


def load_rule_file(path: Path, model: type[Model]) -> Model:
    """The rule file at ``path`` validated as ``model``; raises :class:`RuleError`."""
    return parse_rules(read_text(path, RuleError), str(path), model)


def parse_rules(text: str, source: str, model: type[Model]) -> Model:
    """Rule-file text validated as ``model``; ``source`` names it in errors."""
    rules = validate_yaml(text, source, model, RuleError)
    faults = [
        (loc, f"Input should be a finite number of size at most {MAX_MAGNITUDE:g}")
        for loc in _out_of_bounds(rules.model_dump())
    ]
    raise_faults(faults, text, source, RuleError)
    return rules


def _out_of_bounds(value: Any, loc: Location = ()) -> list[Location]:
    """Where in a dumped model a number is infinite, NaN or larger than :data:`MAX_MAGNITUDE`."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return [] if math.isfinite(value) and abs(value) <= MAX_MAGNITUDE else [loc]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _out_of_bounds(item, (*loc, key))]
    if isinstance(value, list | tuple):
        return [found for i, item in enumerate(value) for found in _out_of_bounds(item, (*loc, i))]
    return []
