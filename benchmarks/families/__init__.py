"""Plot families for benchmarking trackers on plots they were not tuned for.

Each family module has ``SEED`` and ``generate(n_targets, n_scans, seed=SEED) -> Scene``;
:data:`FAMILIES` maps the family's name to its generator.
"""

from __future__ import annotations

from typing import Protocol

from families import clutter, dense, manoeuvring, multisensor, polar, sparse
from families.scene import Scene


class Generator(Protocol):
    """A family's generator: its scene for a number of targets and scans, from a seed."""

    def __call__(self, n_targets: int, n_scans: int, seed: int = ...) -> Scene: ...


FAMILIES: dict[str, Generator] = {
    "sparse": sparse.generate,
    "dense": dense.generate,
    "manoeuvring": manoeuvring.generate,
    "multisensor": multisensor.generate,
    "clutter": clutter.generate,
    "polar": polar.generate,
}
"""Family name -> its generator."""
