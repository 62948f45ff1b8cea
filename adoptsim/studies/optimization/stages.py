"""The search's two stages: which finished trials belong to the sampler's search over the whole space
and which to the refinement after it, and the refinement's sampler (CMA-ES warm-started from the
first stage, made afresh for every trial so a trial depends only on the stored ones).
"""

from __future__ import annotations

import warnings
from typing import Any

import optuna

from adoptsim.studies.optimization.space import search_space
from adoptsim.studies.optimization.spec import Problem


def completed(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


STAGE = "stage"
"""The user attribute that marks a refinement trial (its value REFINE)."""
REFINE = "refine"


def searched(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """The finished trials of the first stage (the sampler's search over the whole space)."""
    return [t for t in completed(study) if t.user_attrs.get(STAGE) != REFINE]


def refined(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """The finished trials of the refinement stage."""
    return [t for t in completed(study) if t.user_attrs.get(STAGE) == REFINE]


def best_of(problem: Problem, trials: list[optuna.trial.FrozenTrial]) -> optuna.trial.FrozenTrial:
    """The trial with the best value of the (one) objective, the earliest of equals."""
    sign = -1.0 if problem.spec.objectives[0].sense == "maximize" else 1.0
    return min(trials, key=lambda t: (sign * t.value, t.number))


def refinement_sampler(
    problem: Problem, source: list[optuna.trial.FrozenTrial], best: optuna.trial.FrozenTrial
) -> optuna.samplers.BaseSampler | None:
    """CMA-ES warm-started from the first stage's trials (WS-CMA-ES: its first distribution is fitted
    to their best tenth), the choices (which CMA-ES cannot search) held at the best point's; None
    when fewer than two numbers are searched (CMA-ES needs two) or the first stage has fewer than
    ten trials (its best tenth would be empty)."""
    space = search_space(problem)
    numbers = [n for n, d in space.items() if not isinstance(d, optuna.distributions.CategoricalDistribution)]
    if len(numbers) < 2 or len(source) < 10:
        return None
    stripped = [
        optuna.trial.create_trial(
            params={n: t.params[n] for n in numbers},
            distributions={n: space[n] for n in numbers},
            value=t.value,
        )
        for t in source
    ]
    fixed = {n: best.params[n] for n in space if n not in numbers}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        cma = optuna.samplers.CmaEsSampler(
            seed=problem.spec.seed, source_trials=stripped, warn_independent_sampling=False
        )
        return optuna.samplers.PartialFixedSampler(fixed, cma) if fixed else cma


def _ask_with(study: optuna.Study, sampler: optuna.samplers.BaseSampler, space: dict[str, Any]) -> optuna.trial.Trial:
    kept = study.sampler
    study.sampler = sampler
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return study.ask(space)
    finally:
        study.sampler = kept


def ask_refinement(problem: Problem, study: optuna.Study) -> optuna.trial.Trial:
    """The next refinement trial, from CMA-ES warm-started on the first stage's trials (or the
    study's own sampler when fewer than two numbers are searched). The sampler is made afresh with
    the problem's seed for every trial, so a trial depends only on the stored ones and its number."""
    source = searched(study)
    sampler = refinement_sampler(problem, source, best_of(problem, source))
    trial = _ask_with(study, sampler or study.sampler, search_space(problem))
    trial.set_user_attr(STAGE, REFINE)
    return trial
