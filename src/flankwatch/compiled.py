"""Compiled kernels that cost nothing until they are called, and can run as plain Python.

flankwatch's inner loops (gating, filtering, steering, threat geometry) are written as plain
Python over NumPy arrays and compiled by Numba. Numba's own start is about a second: importing
it, then setting up its compiler target at the first compiled call (which loads SciPy's
``linalg`` to check for BLAS), then loading each kernel from its cache. A module that declares
its kernels with :func:`kernel` imports no Numba; Numba is loaded, and a kernel compiled or
taken from the cache, at the kernel's first call.

Within :func:`interpreted`, every kernel runs as the Python it is written in, without Numba:
much slower per element, but with no start at all, so it is the faster way for a handful of
plots (``flankwatch track`` on a small file). Both ways do the same float arithmetic in the same
order, and the tests hold their results equal. For that, a kernel takes exponentials, logs and
sines of single numbers with :mod:`math` (the C library's, as compiled code calls), never with
NumPy's ufuncs, whose vectorised versions (on CPUs with AVX-512) may differ in the last bit.
A kernel compiled with NumPy's error model (``error_model="numpy"``: a division by zero gives
inf or nan, silently) runs as Python with NumPy's floating-point warnings off, as compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

_interpreted_depth = 0
"""How many :func:`interpreted` blocks are open; kernels run as Python while above 0."""


class Kernel:
    """A function compiled by Numba at its first call (options as ``numba.njit`` takes them).

    Another kernel calling this one sees Numba's own dispatcher, so the call is compiled
    (and inlined where asked) exactly as if the dispatcher stood in its place.
    """

    def __init__(self, function: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = function
        self.targetoptions = options
        """The options, under the name Numba's dispatcher gives them: Numba's inliner reads
        ``targetoptions`` and ``py_func`` from a called global, so a kernel declared with
        ``inline="always"`` is inlined into the kernels that call it, as a plain Numba
        function is (under another name, each call stayed a call: the grid search of
        candidate pairs took twice the time, each pair's append returning its arrays)."""
        self._compiled: Callable[..., Any] | None = None
        self.__name__ = function.__name__
        self.__qualname__ = function.__qualname__
        self.__doc__ = function.__doc__
        self.__module__ = function.__module__

    @property
    def dispatcher(self) -> Callable[..., Any]:
        """Numba's dispatcher for this kernel, made (not yet compiled) at the first use."""
        if self._compiled is None:
            numba = _load_numba()
            self._compiled = numba.njit(**self.targetoptions)(self.py_func)
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        if _interpreted_depth:
            if self.targetoptions.get("error_model") == "numpy":
                # compiled, a division by zero gives inf or nan silently; so here too
                with np.errstate(all="ignore"):
                    return self.py_func(*args)
            return self.py_func(*args)
        compiled = self._compiled
        if compiled is None:
            compiled = self.dispatcher
        return compiled(*args)


def kernel(**options: Any) -> Callable[[Callable[..., Any]], Kernel]:
    """Declare a compiled kernel; ``options`` go to ``numba.njit`` (``cache=True`` and so on)."""

    def declare(function: Callable[..., Any]) -> Kernel:
        return Kernel(function, options)

    return declare


@contextmanager
def interpreted() -> Iterator[None]:
    """Run every kernel as plain Python within the block (for the whole process)."""
    global _interpreted_depth
    _interpreted_depth += 1
    try:
        yield
    finally:
        _interpreted_depth -= 1


_numba: Any = None


def _load_numba() -> Any:
    """Import Numba and teach it that a :class:`Kernel` is typed as its dispatcher."""
    global _numba
    if _numba is None:
        import numba
        from numba.core import types
        from numba.extending import typeof_impl

        @typeof_impl.register(Kernel)
        def _typeof_kernel(value: Kernel, context: Any) -> Any:
            return types.Dispatcher(value.dispatcher)

        _numba = numba
    return _numba
