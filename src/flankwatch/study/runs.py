"""One run of a study: a scenario under one policy with one seed, reduced to its response.

Seeds are drawn reproducibly from a base seed (:func:`draw_seeds`), and every
policy runs on the same seeds (common random numbers: the same raids, the same
sensor noise), so the differences between policies come from the policies.
A run records nothing unless asked (``record`` of :func:`study_specs`: each run then
records as ``flankwatch run`` does) and returns only the response's figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from flankwatch.pipeline import Progress, RunOptions, run_scenario
from flankwatch.respond.catalogue import effector_catalogue
from flankwatch.respond.policy import Policy, builtin_policy_names, load_policy
from flankwatch.respond.summary import ResponseSummary
from flankwatch.scenario.loader import with_changes
from flankwatch.scenario.schema import Scenario
from flankwatch.store.recording import check_out_folder


@dataclass(frozen=True)
class RunSpec:
    """What one run of a study runs: ``scenario`` (named ``source`` in errors) with
    ``seed`` under ``policy`` (a built-in policy name or a policy file), whose ``rules``
    travel with the run (a policy file need not exist where the run goes); recorded into
    the folder ``out`` unless it is ``None``, replacing a recording there with ``force``."""

    scenario: Scenario
    scenario_text: str
    source: str
    policy: str
    seed: int
    rules: Policy
    out: Path | None = None
    force: bool = False


@dataclass(frozen=True)
class RunResult:
    """The response's figures of one run."""

    policy: str
    seed: int
    response: ResponseSummary


def draw_seeds(base_seed: int, runs: int) -> list[int]:
    """``runs`` seeds drawn from ``base_seed`` (the same every time, whatever ``runs``
    was before: the first k of n seeds are the k seeds)."""
    if base_seed < 0:
        raise ValueError(f"a base seed must be 0 or more, not {base_seed}")
    if runs < 1:
        raise ValueError(f"a study needs at least 1 run, not {runs}")
    state = np.random.SeedSequence(base_seed).generate_state(runs, dtype=np.uint32)
    return [int(seed) for seed in state]


def study_specs(
    scenario: Scenario,
    scenario_text: str,
    source: str,
    policies: Sequence[str],
    seeds: Sequence[int],
    record: Path | None = None,
    force: bool = False,
) -> list[RunSpec]:
    """Every run of a study, policy by policy (in the order given), seed by seed; with
    ``record``, each recorded into ``record/POLICY/SCENARIO-SEED`` (:func:`policy_label`;
    a relative ``record`` taken from the current folder, wherever the runs go).

    Each policy is loaded here, once, and checked against the scenario's effector
    catalogue: raises ``ValueError`` when the scenario declares no defence or two
    policies would record into one folder,
    :class:`~flankwatch.respond.policy.PolicyError` naming a policy that does not fit, and
    :class:`~flankwatch.store.recording.RecordingError` naming a run's folder that is not
    new or empty (or, with ``force``, a recording to be replaced: never other files).
    """
    if scenario.defence is None:
        raise ValueError(f"{source}: has no defence (no `defence:` section): no policy applies")
    catalogue = effector_catalogue(scenario.defence.catalogue)
    rules = {policy: load_policy(policy, catalogue) for policy in policies}
    specs = [
        RunSpec(scenario, scenario_text, source, policy, seed, rules[policy])
        for policy in policies
        for seed in seeds
    ]
    if record is None:
        return specs
    record = record.absolute()  # the same folder for workers started elsewhere
    labels = {policy: policy_label(policy) for policy in policies}
    for label in dict.fromkeys(labels.values()):
        sharing = [policy for policy in policies if labels[policy] == label]
        if len(sharing) > 1:
            raise ValueError(
                f"{record / label}: policies {' and '.join(sharing)} would share this folder "
                "of recordings; give their files different names"
            )
    folders = [record / labels[spec.policy] / f"{scenario.name}-{spec.seed}" for spec in specs]
    for folder in folders:
        check_out_folder(folder, force)
    return [
        replace(spec, out=folder, force=force) for spec, folder in zip(specs, folders, strict=True)
    ]


def policy_label(policy: str) -> str:
    """The name of ``policy``'s folder in a study's recordings: a built-in policy's name, or
    a policy file's name without its suffix."""
    return policy if policy in builtin_policy_names() else Path(policy).stem


def run_one(spec: RunSpec, progress: Progress | None = None) -> RunResult:
    """Simulate ``spec``'s scenario with its seed under its policy; its response's figures.
    ``progress`` is called with the data time reached (s) after each window; an exception
    it raises stops the run. A run with a folder records into it all that ``flankwatch
    run`` records (alerts and the tracking evaluation too); the figures are the same.
    """
    scenario = with_changes(spec.scenario, spec.source, seed=spec.seed)
    options = RunOptions(policy=spec.rules, response_only=spec.out is None, force=spec.force)
    summary = run_scenario(scenario, spec.scenario_text, spec.out, progress, options)
    assert summary.response is not None, "a run under a policy always has a response"
    return RunResult(spec.policy, spec.seed, summary.response)
