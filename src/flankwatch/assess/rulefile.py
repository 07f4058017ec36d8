"""Reading the assessment's rule files (YAML), with errors that name the file and field.

A rule file is data: :func:`load_rule_file` reads it, validates it into a
pydantic model, and raises :class:`RuleError` listing every fault as a field
path (``rules[2].when.identity``), its line in the file and the message. The
command line turns a :class:`RuleError` into exit code 2, like a bad scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class RuleProblem:
    """One fault in a rule file: the field path, its line (if known) and the message."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.field} (line {self.line})" if self.line else self.field
        return f"{where}: {self.message}"


class RuleError(Exception):
    """A rule file that cannot be read or is not valid."""

    exit_code = 2

    def __init__(self, source: str, problems: list[RuleProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source}: not a valid rule file:\n{lines}")


def load_rule_file(path: Path, model: type[Model]) -> Model:
    """The rule file at ``path`` validated as ``model``; raises :class:`RuleError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RuleError(str(path), [RuleProblem("(file)", error.strerror or str(error))]) from None
    return parse_rules(text, str(path), model)


def parse_rules(text: str, source: str, model: type[Model]) -> Model:
    """Rule-file text validated as ``model``; ``source`` names it in errors."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RuleError(
            source, [RuleProblem("(yaml)", str(error).replace("\n", " "), line)]
        ) from None
    if not isinstance(data, dict):
        raise RuleError(source, [RuleProblem("(top)", "a rule file is a mapping of fields")])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [
            RuleProblem(field_path(err["loc"]), err["msg"], _line_of(node, err["loc"]))
            for err in error.errors(include_url=False)
        ]
        raise RuleError(source, problems) from None


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location written as ``rules[2].when.identity``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.startswith("function-") or "[" in part:
            continue
        else:
            text += f".{part}" if text else part
    return text or "(top)"


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, followed as deep as it goes."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            matches = [value for key, value in node.value if key.value == part]
            if not matches:
                break
            node = matches[0]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
