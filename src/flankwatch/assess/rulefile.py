"""Reading the assessment's rule files (YAML), with errors that name the file and field.

A rule file is data: :func:`load_rule_file` reads it and validates it into a
pydantic model, raising :class:`RuleError` (exit code 2 on the command line)
with every fault's field path, line and message.
"""

from __future__ import annotations

from pathlib import Path

from flankwatch.yamlfile import Model, YamlFileError, read_text, validate_yaml


class RuleError(YamlFileError):
    """A rule file that cannot be read or is not valid."""

    what = "rule file"


def load_rule_file(path: Path, model: type[Model]) -> Model:
    """The rule file at ``path`` validated as ``model``; raises :class:`RuleError`."""
    return parse_rules(read_text(path, RuleError), str(path), model)


def parse_rules(text: str, source: str, model: type[Model]) -> Model:
    """Rule-file text validated as ``model``; ``source`` names it in errors."""
    return validate_yaml(text, source, model, RuleError)
