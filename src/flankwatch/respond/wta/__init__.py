"""Weapon-target assignment: which weapon engages which target, how many times.

``solve`` takes a ``WtaProblem`` (target values, kill probabilities, uses and
costs per weapon) and returns a ``WtaSolution``; ``read_instance`` reads the
public benchmark's text format; ``wta`` (in ``command``) is the command line.
"""

from flankwatch.respond.wta.instance import WtaFormatError, parse_instance, read_instance
from flankwatch.respond.wta.problem import WtaProblem, WtaSolution, check_feasible, objective
from flankwatch.respond.wta.solver import METHODS, solve

__all__ = [
    "METHODS",
    "WtaFormatError",
    "WtaProblem",
    "WtaSolution",
    "check_feasible",
    "objective",
    "parse_instance",
    "read_instance",
    "solve",
]
