"""The reference environment: a separate virtual environment with independent decoders.

``asterix-decoder`` (GPL; its module is also called ``asterix``, like libasterix's) is
never installed beside flankwatch. It lives in its own virtual environment, together
with ``traffic`` installed without its dependencies, only for the recorded samples it
ships. The tests run :file:`reference_asterix.py` with that environment's Python and
read sample files from its installed packages; nothing from it is imported here.

Where the environment is:

- ``FLANKWATCH_ASTERIX_REFERENCE_PYTHON`` names its Python, if set (CI sets it). A
  Python there that cannot import ``asterix.parse`` fails the tests, not skips them.
- Otherwise it is created once in the pytest cache (``python -m venv``, then ``pip
  install`` from the package index) and reused by later runs. If that fails (no
  network) or takes longer than :data:`SETUP_TIMEOUT_S`, the tests are skipped with
  the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ENV_VAR = "FLANKWATCH_ASTERIX_REFERENCE_PYTHON"
"""The environment variable naming the reference environment's Python."""
PACKAGES = ("asterix-decoder==0.7.11", "traffic==2.13")
"""What the reference environment holds (installed without dependencies)."""
SETUP_TIMEOUT_S = 180.0
"""Longest time for creating the environment, s (it builds asterix-decoder from source)."""
SCRIPT = Path(__file__).with_name("reference_asterix.py")
"""The reference decoding script, run inside the reference environment."""
SETUP_HINT = (
    f"python3 -m venv DIR && DIR/bin/pip install --no-deps {' '.join(PACKAGES)} "
    f"&& export {ENV_VAR}=DIR/bin/python"
)
"""How to set the reference environment up by hand."""

Record = dict[str, Any]
"""One record as the reference decoder gives it: ``category`` and ``items``."""


@dataclass(frozen=True, slots=True)
class Reference:
    """The reference environment, by the path of its Python."""

    python: Path

    def _run(self, arguments: Sequence[str], stdin: str = "") -> str:
        done = subprocess.run(
            [str(self.python), *arguments],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"{self.python} {' '.join(arguments)} failed: {done.stderr.strip()}")
        return done.stdout

    def decode(self, datagrams: Sequence[bytes]) -> list[list[Record]]:
        """The records of each datagram, decoded by ``asterix-decoder``."""
        stdin = "".join(datagram.hex() + "\n" for datagram in datagrams)
        result: list[list[Record]] = json.loads(self._run([str(SCRIPT)], stdin))
        return result

    def decode_file(self, path: Path) -> list[Record]:
        """The records of a binary file read as one datagram by ``asterix-decoder``."""
        result: list[list[Record]] = json.loads(self._run([str(SCRIPT), "--file", str(path)]))
        return result[0]

    def package_file(self, distribution: str, relative: str) -> Path | None:
        """The file ``relative`` (a path in site-packages) of ``distribution`` installed in
        the reference environment, None if it is not there."""
        code = (
            "import importlib.metadata as m, sys\n"
            "try:\n"
            f"    print(m.distribution({distribution!r}).locate_file({relative!r}))\n"
            "except m.PackageNotFoundError:\n"
            "    pass\n"
        )
        text = self._run(["-c", code]).strip()
        return Path(text) if text and Path(text).is_file() else None


def _works(python: Path) -> bool:
    """Whether ``python`` runs and imports asterix-decoder's ``asterix.parse``."""
    if not python.is_file():
        return False
    done = subprocess.run(
        [str(python), "-c", "import asterix; asterix.parse"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.returncode == 0


def _create(folder: Path) -> str:
    """Create the reference environment in ``folder``; "" if done, else why not."""
    shutil.rmtree(folder, ignore_errors=True)
    python = folder / "bin" / "python"
    steps = (
        [sys.executable, "-m", "venv", str(folder)],
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", *PACKAGES],
    )
    try:
        for step in steps:
            done = subprocess.run(
                step, capture_output=True, text=True, timeout=SETUP_TIMEOUT_S, check=False
            )
            if done.returncode != 0:
                lines = done.stderr.strip().splitlines()
                return f"`{' '.join(step)}` failed: {lines[-1] if lines else done.returncode}"
    except subprocess.TimeoutExpired as timeout:
        return f"`{' '.join(timeout.cmd)}` took longer than {SETUP_TIMEOUT_S:.0f} s"
    return ""


def find_reference(config: pytest.Config) -> Reference:
    """The reference environment: the one named by ``FLANKWATCH_ASTERIX_REFERENCE_PYTHON``,
    else one made (once) in the pytest cache of ``config``; skips the calling test if it
    cannot be made."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        python = Path(configured)
        if not _works(python):
            pytest.fail(f"{ENV_VAR}={configured} is no Python with asterix-decoder")
        return Reference(python)
    cache = getattr(config, "cache", None)
    if cache is not None:
        folder = Path(cache.mkdir("asterix-reference")) / "venv"
    else:
        folder = Path(tempfile.gettempdir()) / "flankwatch-asterix-reference"
    python = folder / "bin" / "python"
    if not _works(python):
        why = _create(folder)
        if why or not _works(python):
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip(
                f"no reference environment ({why or 'asterix-decoder did not import'}); "
                f"set one up: {SETUP_HINT}"
            )
    return Reference(python)
