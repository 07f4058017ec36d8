"""What the debris rule's ``debris_sigmas`` does on a night of cruise missiles.

The night is the one of the end-to-end test
(``tests/scenarios/test_cruise_missile_defence.py``, loaded from there so that both use
one scenario): ten Kh-101 on Lublin, NASAMS and Patriot beside the city, the Polish
night's sensors and no-engagement rules (places of 500+ inhabitants, a 1 km margin).
For each ``debris_sigmas`` it runs the night as ``flankwatch run`` does (the response's
figures; no recording) and prints shots, destroyed, leakers, withheld shots, the money
spent and the cost-exchange ratio (EUR spent per EUR of missiles destroyed, a Kh-101 at
the catalogue's 13M USD) and the shots whose debris fell in a no-engagement area.

    python benchmarks/debris_sigmas.py [--sigmas 0 1 2 3] [--seed SEED]
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import yaml
from arguments import non_negative_int, one_line

from flankwatch.pipeline import RunOptions, run_scenario
from flankwatch.scenario.loader import ScenarioError, parse_scenario
from flankwatch.scenario.schema import Scenario

TEST = Path(__file__).resolve().parents[1] / "tests/scenarios/test_cruise_missile_defence.py"


def _night_text() -> str:
    """The test's scenario, as YAML text."""
    spec = importlib.util.spec_from_file_location("cruise_missile_night", TEST)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{TEST}: cannot load the test's scenario")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text, _ = module._cruise_missiles_on_lublin()
    return str(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sigmas", type=float, nargs="+", default=[0.0, 1.0, 2.0, 3.0])
    parser.add_argument(
        "--seed", type=non_negative_int, default=None, help="the scenario's seed if not given"
    )
    args = parser.parse_args()
    data = yaml.safe_load(_night_text())
    if args.seed is not None:
        data["seed"] = args.seed
    nights: list[tuple[float, str, Scenario]] = []  # all checked before the first runs
    for sigmas in args.sigmas:
        data["defence"]["no_engagement"]["debris_sigmas"] = sigmas
        text = yaml.safe_dump(data, sort_keys=False)
        try:
            nights.append((sigmas, text, parse_scenario(text, "kh101-on-lublin")))
        except ScenarioError as error:
            given = f"--sigmas {sigmas:g}" + ("" if args.seed is None else f" --seed {args.seed}")
            parser.error(f"{given}: {one_line(error)}")
    print(
        "debris_sigmas  shots  destroyed  leakers  withheld  spent MEUR  cost-exchange  "
        "debris in no-engagement areas"
    )
    for sigmas, text, scenario in nights:
        summary = run_scenario(scenario, text, None, options=RunOptions(response_only=True))
        r = summary.response
        assert r is not None, "the scenario has a defence"
        areas = ", ".join(f"{name} {n}" for name, n in sorted(r.debris_areas.items()))
        ratio = "-" if r.cost_exchange_ratio is None else f"{r.cost_exchange_ratio:.3f}"
        print(
            f"{sigmas:13g}  {r.shots:5d}  {r.destroyed:9d}  {r.leakers:7d}  {r.withheld:8d}  "
            f"{r.spent_eur / 1e6:10.2f}  {ratio:>13}  "
            f"{r.debris_in_no_engagement}{f' ({areas})' if areas else ''}"
        )


if __name__ == "__main__":
    main()
