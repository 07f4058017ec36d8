"""Reading scenario files, built-in or the user's, with errors that say where and what."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pydantic import ValidationError

from flankwatch.scenario.schema import Scenario, cross_field_faults, file_location
from flankwatch.yamlfile import (
    Problem,
    YamlFileError,
    field_path,
    raise_faults,
    read_text,
    validate_yaml,
)

__all__ = [
    "Problem",
    "ScenarioError",
    "builtin_names",
    "builtin_text",
    "load_scenario",
    "parse_scenario",
    "with_changes",
]


class ScenarioError(YamlFileError):
    """A scenario file that cannot be read or is not a valid scenario."""

    what = "scenario"


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
    if path.suffix in (".yaml", ".yml") or _exists(path):
        text = read_text(path, ScenarioError)
        return parse_scenario(text, str(path)), text
    name = str(name_or_path)
    try:
        text = builtin_text(name)
    except KeyError as error:
        raise ScenarioError(name, [Problem("(name)", str(error.args[0]))]) from None
    return parse_scenario(text, f"built-in scenario {name}"), text


def _exists(path: Path) -> bool:
    """Whether ``path`` names something on disk (a name no file can have does not)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def parse_scenario(text: str, source: str) -> Scenario:
    """Validate a scenario's YAML text; ``source`` names it in errors.

    Every check a run relies on is made here, field by field and then across
    fields (:func:`~flankwatch.scenario.schema.cross_field_faults`), so
    ``flankwatch validate`` and ``flankwatch run`` refuse the same files.
    Raises :class:`ScenarioError` naming every fault with its field path and line.
    """
    scenario = validate_yaml(text, source, Scenario, ScenarioError, relocate=file_location)
    raise_faults(cross_field_faults(scenario), text, source, ScenarioError)
    return scenario


def with_changes(scenario: Scenario, source: str, **changes: object) -> Scenario:
    """``scenario`` with some fields replaced (a run's ``--seed`` or ``--duration``),
    checked as a scenario file is; raises :class:`ScenarioError` naming each fault."""
    data = {**scenario.model_dump(), **changes}
    try:
        changed = Scenario.model_validate(data)
    except ValidationError as fault:
        problems = [
            Problem(field_path(file_location(err["loc"])), err["msg"])
            for err in fault.errors(include_url=False)
        ]
        raise ScenarioError(source, problems) from None
    faults = cross_field_faults(changed)
    if faults:
        raise ScenarioError(source, [Problem(field_path(loc), msg) for loc, msg in faults])
    return changed
