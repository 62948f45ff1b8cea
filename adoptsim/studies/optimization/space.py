"""The search space of an optimisation: a weight per lever of the budget split, on a log scale whose
floor turns the lever off, and one dimension per decision; how a trial's values decode to budget
shares and decisions; and the warm starts every search begins with.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna

from adoptsim.scenario.paths import get_path
from adoptsim.studies.optimization.spec import Problem

UNSPENT = "unspent"
"""The share of the budget kept back, when the split allows it."""


WEIGHT_FLOOR = 0.01
"""The lowest weight of a lever: at it the lever is off (its share is exactly 0)."""
EVEN_WEIGHT = 0.1
"""Every lever's weight in the warm start (any equal weights give the even split; this is the
middle of the log scale, so the sampler's kernels around it are not cut by a bound)."""


def search_space(problem: Problem) -> dict[str, optuna.distributions.BaseDistribution]:
    """Optuna distributions: a weight per split intervention (on a log scale; shares in `decode`)
    and one per decision."""
    split = problem.spec.split
    names = list(split.interventions) + ([UNSPENT] if split.allow_unspent else [])
    space: dict[str, optuna.distributions.BaseDistribution] = {
        f"weight:{name}": optuna.distributions.FloatDistribution(WEIGHT_FLOOR, 1.0, log=True) for name in names
    }
    for path, decision in problem.spec.decisions.items():
        if decision.choices is not None:
            space[path] = optuna.distributions.CategoricalDistribution(list(range(len(decision.choices))))
        elif decision.integer:
            low, high = int(round(decision.range[0])), int(round(decision.range[1]))
            space[path] = optuna.distributions.IntDistribution(low, high, log=decision.log)
        else:
            space[path] = optuna.distributions.FloatDistribution(*decision.range, log=decision.log)
    return space


def decode(problem: Problem, params: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """Budget shares (sum <= 1, each under its `most`) and decision values from a trial's params.

    share_i = (w_i - floor) / sum(w - floor), with the unspent weight in the sum when allowed: the
    weights are searched on a log scale from the floor (0.01) to 1, so a lever that does not pay
    for itself is easy to drop (the lowest part of its range gives it a share near 0, the floor
    exactly 0), where weights drawn evenly from [0, 1] keep every lever near 1/n unless the
    sampler finds the thin strip by 0. A share above its `most` is cut to it and the rest is left
    unspent. A start past `latest_start` is moved to it.
    """
    split = problem.spec.split
    names = list(split.interventions) + ([UNSPENT] if split.allow_unspent else [])
    weights = np.maximum(np.array([params[f"weight:{n}"] for n in names]) - WEIGHT_FLOOR, 0.0)
    shares = weights / weights.sum() if weights.sum() > 0 else np.full(len(names), 1.0 / len(names))
    budget = {n: min(float(s), split.most.get(n, 1.0)) for n, s in zip(names, shares, strict=True) if n != UNSPENT}
    values: dict[str, Any] = {}
    for path, decision in problem.spec.decisions.items():
        raw = params[path]
        value = decision.choices[raw] if decision.choices is not None else raw
        if problem.spec.latest_start is not None and path.endswith(".start"):
            value = min(value, problem.spec.latest_start)
        values[path] = value
    return budget, values


def base_params(problem: Problem) -> dict[str, Any]:
    """The first trial: the base scenario's own settings with an even split (a warm start, so the
    search never reports something worse than what the strategist already had)."""
    params: dict[str, Any] = {f"weight:{name}": EVEN_WEIGHT for name in problem.spec.split.interventions}
    if problem.spec.split.allow_unspent:
        params[f"weight:{UNSPENT}"] = WEIGHT_FLOOR
    for path, decision in problem.spec.decisions.items():
        value = get_path(problem.base, path)
        if decision.choices is not None:
            if value in decision.choices:
                params[path] = decision.choices.index(value)
        elif value is not None:
            low, high = decision.range
            value = min(max(value, low), high)
            params[path] = int(round(value)) if decision.integer else float(value)
    return params


def warm_starts(problem: Problem) -> list[dict[str, Any]]:
    """The trials run first: the base (even split), then the base with each lever off and the
    others even. They ask at once whether some lever does not pay for itself, and give the sampler
    a point on every face of the simplex, so that dropping a lever is one step, not a search."""
    base = base_params(problem)
    levers = problem.spec.split.interventions
    return [base] + ([{**base, f"weight:{name}": WEIGHT_FLOOR} for name in levers] if len(levers) > 1 else [])
