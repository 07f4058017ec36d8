"""Kernels load no Numba until called, compile at their first call (calls between kernels
compiled as Numba's own), and run as plain Python within :func:`interpreted`."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from flankwatch.compiled import interpreted, kernel


def _modules_after(code: str) -> set[str]:
    """Every module a fresh interpreter has imported after running ``code``."""
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    return set(done.stdout.split())


def test_importing_every_module_with_kernels_loads_no_numba() -> None:
    loaded = _modules_after(
        "import flankwatch.track.tracker, flankwatch.sim.steering, flankwatch.assess.kernels\n"
        "import flankwatch.sim.sensors.radar_kernels"
    )
    assert "flankwatch.track.pair_gate" in loaded  # the check sees what the imports brought in
    assert "numba" not in loaded


def test_a_kernel_runs_as_python_within_interpreted_and_compiled_outside() -> None:
    code = (
        "import numpy as np\n"
        "from flankwatch.compiled import interpreted\n"
        "from flankwatch.track.gating import candidate_pairs\n"
        "centres = np.array([[0.0, 0.0], [1000.0, 0.0]])\n"
        "points = np.array([[10.0, 0.0], [990.0, 5.0], [5000.0, 0.0]])\n"
        "radii = np.array([50.0, 50.0])\n"
        "with interpreted():\n"
        "    python = candidate_pairs(centres, radii, points)\n"
        "assert 'numba' not in sys.modules, 'Numba loaded within interpreted()'\n"
        "compiled = candidate_pairs(centres, radii, points)\n"
        "assert 'numba' in sys.modules\n"
        "assert [a.tolist() for a in python] == [a.tolist() for a in compiled] == "
        "[[0, 1], [0, 1]], (python, compiled)\n"
    )
    assert "numba" in _modules_after(code)


@kernel()
def _double(x: float) -> float:
    return 2.0 * x


@kernel()
def _sum_doubled(values: np.ndarray) -> float:
    total = 0.0
    for value in values:
        total += _double(value)
    return total


def test_a_kernel_calling_another_is_compiled_through_numba_s_dispatcher() -> None:
    values = np.array([1.0, 2.5, 4.0])
    with interpreted():
        assert _sum_doubled(values) == 15.0
    assert _sum_doubled._compiled is None and _double._compiled is None  # Python only so far
    assert _sum_doubled(values) == 15.0
    assert len(_sum_doubled.dispatcher.signatures) == 1
    # the inner kernel was compiled for the outer one's float, never called from Python
    assert [str(s) for s in _double.dispatcher.signatures] == ["(float64,)"]


@kernel(inline="always")
def _tripled(value: float) -> float:
    return 3.0 * value


@kernel()
def _sum_tripled(values: np.ndarray) -> float:
    total = 0.0
    for value in values:
        total += _tripled(value)
    return total


def test_a_kernel_declared_inline_is_inlined_into_the_kernel_calling_it() -> None:
    values = np.array([1.0, 2.5, 4.0])
    assert _sum_tripled(values) == 22.5
    # Numba compiled the caller with the inner kernel's body in it, never the inner kernel
    # on its own (a call kept as a call costs its arguments' and results' handling each time)
    assert len(_sum_tripled.dispatcher.signatures) == 1
    assert _tripled.dispatcher.signatures == []
    with interpreted():
        assert _sum_tripled(values) == 22.5


def test_interpreted_ends_with_its_block_even_when_the_block_fails() -> None:
    @kernel()
    def triple(x: float) -> float:
        return 3.0 * x

    with pytest.raises(RuntimeError), interpreted(), interpreted():
        assert triple(1.0) == 3.0
        raise RuntimeError("the block fails")
    assert triple._compiled is None
    assert triple(2.0) == 6.0
    assert triple._compiled is not None  # outside the blocks, the call compiled it


@kernel(error_model="numpy")
def _ratio(top: np.ndarray, bottom: np.ndarray) -> float:
    return top[0] / bottom[0]


def test_a_kernel_with_numpy_s_error_model_divides_by_zero_silently_either_way() -> None:
    top, zero = np.array([1.0]), np.array([0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with interpreted():
            assert _ratio(top, zero) == np.inf
        assert _ratio(top, zero) == np.inf
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        assert _ratio.py_func(top, zero) == np.inf  # what the Python alone would warn of
