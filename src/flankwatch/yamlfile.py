"""YAML files validated by pydantic, with errors that name the file, the field and the line.

Scenarios, identity rules and alert rules are all YAML data checked against a
pydantic model. :func:`validate_yaml` reads the text, validates it and, when
anything is wrong, raises the caller's :class:`YamlFileError` subclass listing
every fault as a field path (``raids[2].route[0].alt_m``), its line in the file
and the message. The command line turns such an error into exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)
Location = tuple[int | str, ...]
"""Where in a file a fault is: field names and list indices, as pydantic gives them."""


@dataclass(frozen=True)
class Problem:
    """One fault in a file: the field path, its line (if known) and the message."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.field} (line {self.line})" if self.line else self.field
        return f"{where}: {self.message}"


class YamlFileError(Exception):
    """A YAML file that cannot be read or is not valid; subclasses say what it should be."""

    what = "file"
    """What the file should have been, for the message ("scenario", "rule file")."""
    exit_code = 2

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source}: not a valid {self.what}:\n{lines}")


def read_text(path: Path, error: type[YamlFileError]) -> str:
    """The text of ``path``; an unreadable file raises ``error``."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as fault:
        raise error(str(path), [Problem("(file)", fault.strerror or str(fault))]) from None


def validate_yaml(
    text: str,
    source: str,
    model: type[Model],
    error: type[YamlFileError],
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Model:
    """``text`` validated as ``model``; ``source`` names it in the ``error`` raised.

    ``prepare`` may transform the parsed mapping first (for instance to lay it
    over defaults); an empty file is an empty mapping.
    """
    node, data = _parse(text, source, error)
    if prepare is not None:
        data = prepare(data)
    try:
        return model.model_validate(data)
    except ValidationError as fault:
        problems = [
            Problem(field_path(err["loc"]), err["msg"], line_of(node, err["loc"]))
            for err in fault.errors(include_url=False)
        ]
        raise error(source, problems) from None


def raise_faults(
    faults: list[tuple[Location, str]], text: str, source: str, error: type[YamlFileError]
) -> None:
    """Raise ``error`` for faults found after validation, located in ``text``'s lines."""
    if faults:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raise error(
            source, [Problem(field_path(loc), msg, line_of(node, loc)) for loc, msg in faults]
        )


def _parse(
    text: str, source: str, error: type[YamlFileError]
) -> tuple[yaml.Node | None, dict[str, Any]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as fault:
        mark = getattr(fault, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise error(source, [Problem("(yaml)", str(fault).replace("\n", " "), line)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(source, [Problem("(top)", f"a {error.what} is a mapping of fields")])
    return node, data


def field_path(loc: Location) -> str:
    """A pydantic error location written as ``raids[2].route[0].alt_m``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.startswith("function-") or "[" in part:
            continue
        else:
            text += f".{part}" if text else part
    return text or "(top)"


def line_of(node: yaml.Node | None, loc: Location) -> int | None:
    """The 1-based line of the YAML node at ``loc``, followed as deep as it goes."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            matches = [value for key, value in node.value if key.value == part]
            if not matches:
                break
            node = matches[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
