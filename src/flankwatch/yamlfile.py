"""YAML files validated by pydantic, with errors that name the file, the field and the line.

Scenarios, identity rules and alert rules are all YAML data checked against a
pydantic model. :func:`validate_yaml` reads the text, validates it and, when
anything is wrong, raises the caller's :class:`YamlFileError` subclass listing
every fault as a field path (``raids[2].route[0].alt_m``), its line in the file
and the message. The command line turns such an error into exit code 2.

Whatever the file holds, reading it ends in a validated model or that error,
never another exception: bytes that are not UTF-8, characters YAML forbids,
syntax errors, unknown or unsafe tags (``!!python/object``), values a tag cannot
be built from (``!!float abc``), keys given twice, nesting deeper than
:data:`MAX_DEPTH` and a top level that is not a mapping are all faults of the file.
"""

from __future__ import annotations

import re
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

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by its own arguments (raised in a run's child process, raised again in
        the run)."""
        return (type(self), (self.source, self.problems))


def read_text(path: Path, error: type[YamlFileError]) -> str:
    """The text of ``path`` (UTF-8, with or without a byte-order mark).

    A file that cannot be read, or is not UTF-8 text, raises ``error`` naming
    the file and, for bad bytes, their line.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as fault:
        raise error(str(path), [Problem("(file)", fault.strerror or str(fault))]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as fault:
        line = data.count(b"\n", 0, fault.start) + 1
        byte = data[fault.start]
        problem = Problem("(file)", f"not UTF-8 text: byte 0x{byte:02x} cannot be decoded", line)
        raise error(str(path), [problem]) from None


def validate_yaml(
    text: str,
    source: str,
    model: type[Model],
    error: type[YamlFileError],
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    relocate: Callable[[Location], Location] | None = None,
) -> Model:
    """``text`` validated as ``model``; ``source`` names it in the ``error`` raised.

    ``prepare`` may transform the parsed mapping first (for instance to lay it
    over defaults); an empty file is an empty mapping. ``relocate`` maps a
    pydantic error location onto the keys written in the file, for models whose
    fields are not laid out as the file's keys.
    """
    node, data = _parse(text, source, error)
    if prepare is not None:
        data = prepare(data)
    try:
        return model.model_validate(data)
    except ValidationError as fault:
        problems = []
        for err in fault.errors(include_url=False):
            loc = relocate(err["loc"]) if relocate is not None else err["loc"]
            problems.append(Problem(field_path(loc), err["msg"], line_of(node, loc)))
        raise error(source, problems) from None


def raise_faults(
    faults: list[tuple[Location, str]], text: str, source: str, error: type[YamlFileError]
) -> None:
    """Raise ``error`` for faults found after validation, located in ``text``'s lines."""
    if faults:
        node, _ = _parse(text, source, error)
        raise error(
            source, [Problem(field_path(loc), msg, line_of(node, loc)) for loc, msg in faults]
        )


MAX_DEPTH = 64
"""Deepest nesting of lists and mappings a file may have (no valid file comes near it)."""
MAX_VALUES = 1_000_000
"""Most values (scalars, lists, mappings) a file may stand for once its aliases are
expanded: a few lines of aliases can otherwise stand for billions (the largest valid
scenario, 100,000 objects, holds far fewer)."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses what it would otherwise crash or silently lose on.

    It refuses nesting deeper than :data:`MAX_DEPTH` (instead of exhausting the
    stack) and a key written twice in one mapping (PyYAML would keep the last),
    and turns a value its tag cannot be built from (``!!float abc``, a 13th
    month) into a :class:`yaml.YAMLError` at that value's line.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as fault:  # any failure to build a value is a fault of the file
            raise yaml.constructor.ConstructorError(
                None, None, _unbuildable(node, fault), node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            line = key.start_mark.line + 1
            if key.value in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key.value!r} is given twice (lines {seen[key.value]} and {line})",
                    key.start_mark,
                )
            seen[key.value] = line
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """A whole number as YAML 1.2 writes it: decimal digits (``010`` is ten)."""
        return int(str(self.construct_scalar(node)))


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
# Numbers as YAML 1.2 reads them, not as YAML 1.1 (PyYAML's) does: 1:30 is text, not 90 s
# (sexagesimal), 010 is ten (not octal eight), 1e5 is a number (not text); 0x1F, 0b101
# and 1_000 are text, which a number field refuses by its line.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rule) for tag, rule in rules if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_constructor(_INT_TAG, _Loader.construct_yaml_int)


def _unbuildable(node: yaml.Node, fault: Exception) -> str:
    """Why a value could not be built from its node, in words."""
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    detail = f" ({fault})" if str(fault) and not isinstance(fault, LookupError) else ""
    if isinstance(node, yaml.ScalarNode):
        return f"{str(node.value)[:80]!r} is not a valid {tag}{detail}"
    return f"cannot build a {tag} here{detail}"


def _parse(
    text: str, source: str, error: type[YamlFileError]
) -> tuple[yaml.Node | None, dict[str, Any]]:
    """The node tree (for lines) and the data of ``text``, which must be one mapping."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _expanded_size(node, {}) > MAX_VALUES:
                raise error(
                    source,
                    [
                        Problem(
                            "(yaml)",
                            f"the file holds more than {MAX_VALUES:,} values once its aliases "
                            "(*name) are expanded",
                        )
                    ],
                )
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as fault:
        raise error(source, [_yaml_problem(fault, text)]) from None
    except RecursionError:
        raise error(source, [Problem("(yaml)", "nested too deeply")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        found = type(data).__name__
        raise error(
            source, [Problem("(top)", f"a {error.what} is a mapping of fields, not a {found}")]
        )
    return node, data


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for with every alias expanded (a node an alias
    shares is counted each time; ``sizes`` remembers each node's size)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a node met again while being counted (not possible in YAML)
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(
            _expanded_size(key, sizes) + _expanded_size(value, sizes) for key, value in node.value
        )
    else:
        size = 1
    sizes[id(node)] = size
    return size


def _yaml_problem(fault: yaml.YAMLError, text: str) -> Problem:
    """A YAML fault as a problem at its line, without PyYAML's echo of the text."""
    if isinstance(fault, yaml.MarkedYAMLError):
        words = [part for part in (fault.context, fault.problem) if part]
        mark = fault.problem_mark or fault.context_mark
        line = mark.line + 1 if mark is not None else None
        where = f" (column {mark.column + 1})" if mark is not None else ""
        return Problem("(yaml)", ": ".join(words) + where, line)
    if isinstance(fault, yaml.reader.ReaderError):
        line = text.count("\n", 0, fault.position) + 1
        code = fault.character if isinstance(fault.character, int) else ord(fault.character)
        return Problem("(yaml)", f"character U+{code:04X} not allowed: {fault.reason}", line)
    return Problem("(yaml)", str(fault).replace("\n", " "))


def field_path(loc: Location) -> str:
    """A pydantic error location written as ``raids[2].route[0].alt_m``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        name = str(part)
        if name.startswith("function-") or "[" in name:
            continue
        text += f".{name}" if text else name
    return text or "(top)"


def line_of(node: yaml.Node | None, loc: Location) -> int | None:
    """The 1-based line of the YAML node at ``loc``, followed as deep as it goes."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            matches = [value for key, value in node.value if key.value == str(part)]
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
