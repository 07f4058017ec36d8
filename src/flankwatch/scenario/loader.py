"""Reading scenario files, built-in or the user's, with errors that say where and what."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import ValidationError

from flankwatch.scenario.schema import Scenario, reference_faults


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario file: the field path, its line and the message."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.field} (line {self.line})" if self.line else self.field
        return f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be read or is not a valid scenario."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source}: not a valid scenario:\n{lines}")


def builtin_names() -> list[str]:
    """The names of the built-in scenarios, sorted."""
    folder = files("flankwatch.scenario").joinpath("builtin")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def builtin_text(name: str) -> str:
    """The YAML text of a built-in scenario."""
    if name not in builtin_names():
        raise KeyError(f"no built-in scenario {name!r}; built-in: {', '.join(builtin_names())}")
    return files("flankwatch.scenario").joinpath("builtin").joinpath(f"{name}.yaml").read_text()


def load_scenario(name_or_path: str | Path) -> tuple[Scenario, str]:
    """A validated scenario and its YAML text, from a built-in name or a file path.

    Raises :class:`ScenarioError` naming the file, the field and the fault.
    """
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ScenarioError(
                str(path), [Problem("(file)", error.strerror or str(error))]
            ) from None
        return parse_scenario(text, str(path)), text
    name = str(name_or_path)
    try:
        text = builtin_text(name)
    except KeyError as error:
        raise ScenarioError(name, [Problem("(name)", str(error.args[0]))]) from None
    return parse_scenario(text, f"built-in scenario {name}"), text


def parse_scenario(text: str, source: str) -> Scenario:
    """Validate a scenario's YAML text; ``source`` names it in errors."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(
            source, [Problem("(yaml)", str(error).replace("\n", " "), line)]
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("(top)", "a scenario is a mapping of fields")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(_dotted(err["loc"]), err["msg"], _line_of(node, err["loc"]))
            for err in error.errors(include_url=False)
        ]
        raise ScenarioError(source, problems) from None
    faults = reference_faults(scenario)
    if faults:
        problems = [Problem(_dotted(loc), message, _line_of(node, loc)) for loc, message in faults]
        raise ScenarioError(source, problems)
    return scenario


def _dotted(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as ``raids[2].route[0].alt_m``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("function-after", "function-before") or "[" in str(part):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text or "(top)"


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, as deep as the path can be followed."""
    line = node.start_mark.line + 1 if node is not None else None
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
