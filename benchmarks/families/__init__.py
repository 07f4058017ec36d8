"""Plot families for benchmarking trackers on plots they were not tuned for.

Each family module has ``SEED`` and ``generate(n_targets, n_scans, seed=SEED) -> Scene``;
:data:`FAMILIES` maps the family's name to its generator.
"""

from __future__ import annotations

from collections.abc import Callable

from families import clutter, dense, manoeuvring, multisensor, polar, sparse
from families.scene import Scene

Generator = Callable[[int, int], Scene]

FAMILIES: dict[str, Generator] = {
    "sparse": sparse.generate,
    "dense": dense.generate,
    "manoeuvring": manoeuvring.generate,
    "multisensor": multisensor.generate,
    "clutter": clutter.generate,
    "polar": polar.generate,
}
"""Family name -> generator of its scene for a number of targets and scans."""
