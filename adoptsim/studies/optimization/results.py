"""After the search: the trials as a table, the finalists re-evaluated, paired with the references.

The finalists (best few trials) and the references (the base: the problem's warm start, an even
split of `budget` with the base scenario's other settings; and each ready playbook with its
interventions' budgets scaled to the same total) run on fresh replication seeds
(`seed + 1`: the search's seeds picked the winner, so judging it on them would flatter it), the
same seeds for all, and every difference is paired over replications with a 95 % t interval.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import optuna
import pandas as pd

from adoptsim.results.intervals import mean_ci
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.costs import cost_per_adopter
from adoptsim.studies.optimization.search import Evaluation, evaluate_all
from adoptsim.studies.optimization.space import base_params, decode
from adoptsim.studies.optimization.spec import Problem, read_playbook
from adoptsim.studies.optimization.stages import STAGE, completed

UNDERSPENT = 0.10
NO_SPEND = "no spend (the levers without money)"
"""A candidate leaving more than this share of the budget unspent is flagged."""


def trials_table(problem: Problem, study: optuna.Study) -> pd.DataFrame:
    """One row per finished trial: objectives (as the search saw them), spend, shares, decisions."""
    rows = []
    for trial in completed(study):
        shares, values = decode(problem, trial.params)
        row: dict[str, object] = {"trial": trial.number, "stage": trial.user_attrs.get(STAGE, "search")}
        for objective, value in zip(problem.spec.objectives, trial.values, strict=True):
            row[objective.kpi] = value
            if f"reached_{objective.kpi}" in trial.user_attrs:  # below all: the value is the search's penalty
                row[f"{objective.kpi}_reached"] = trial.user_attrs[f"reached_{objective.kpi}"]
                row[f"{objective.kpi}_of"] = problem.spec.replications
        row["spend"] = trial.user_attrs.get("spend", float("nan"))
        row.update({f"share_{name}": share for name, share in shares.items()})
        if problem.spec.split.allow_unspent:
            row["share_unspent"] = max(1.0 - sum(shares.values()), 0.0)
        row.update(
            {
                path: value if not isinstance(value, list) else ",".join(map(str, value))
                for path, value in values.items()
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def finalist_trials(
    problem: Problem, study: optuna.Study, among: list[optuna.trial.FrozenTrial] | None = None
) -> list[optuna.trial.FrozenTrial]:
    """The best trials: by the objective, or the Pareto front ordered by the first objective;
    `among` some of the finished trials only (e.g. the first stage's), with one objective."""
    count = problem.spec.finalists
    if len(problem.spec.objectives) > 1:
        front = sorted(study.best_trials, key=lambda t: t.values[0])
        first = problem.spec.objectives[0].sense == "maximize"
        return (front[::-1] if first else front)[:count]
    reverse = problem.spec.objectives[0].sense == "maximize"
    return sorted(completed(study) if among is None else among, key=lambda t: t.value, reverse=reverse)[:count]


def at_budget(scenario: Scenario, budget: float) -> Scenario:
    """A playbook with its interventions' budgets scaled so they add up to `budget`.

    Stated budgets keep their proportions; an intervention without one counts as the mean of the
    stated ones (an equal share when none is stated).
    """
    stated = [iv.budget for iv in scenario.interventions if iv.budget is not None]
    fill = float(np.mean(stated)) if stated else 1.0
    weights = [iv.budget if iv.budget is not None else fill for iv in scenario.interventions]
    total = sum(weights) or 1.0
    interventions = [
        iv.model_copy(update={"budget": budget * w / total})
        for iv, w in zip(scenario.interventions, weights, strict=True)
    ]
    return scenario.model_copy(update={"interventions": interventions})


@dataclass
class FinalComparison:
    """Finalists and references evaluated on the same fresh seeds."""

    names: list[str]
    evaluations: list[Evaluation]
    finalists: int
    seed: int

    @property
    def winner(self) -> Evaluation:
        return self.evaluations[0]


def final_comparison(
    problem: Problem,
    study: optuna.Study,
    executor: Executor | None,
    among: list[optuna.trial.FrozenTrial] | None = None,
) -> FinalComparison:
    """Re-evaluate the finalists (the best of `among`, default every finished trial) and the
    references with `final_replications` on seed + 1."""
    spec = problem.spec
    trials = finalist_trials(problem, study, among)
    scenarios = [
        problem.scenario_with(*decode(problem, t.params), name=f"{spec.name}_trial_{t.number}") for t in trials
    ]
    names = [f"trial {t.number}" for t in trials]
    base = problem.scenario_with(*decode(problem, base_params(problem)), name=f"{spec.name}_base")
    scenarios.append(base)
    names.append("base (even split)")
    # what the money buys: the same market with no money for the levers (worth_it reads it)
    nothing = {name: 0.0 for name in spec.split.interventions}
    scenarios.append(problem.scenario_with(nothing, decode(problem, base_params(problem))[1], f"{spec.name}_no_spend"))
    names.append(NO_SPEND)
    for i, path in enumerate(spec.playbooks):
        # Judged in the same market (`fixed:` population, network, ...), on the same KPIs (targets,
        # horizons) and horizon as the candidates: a playbook read as its file stands ran at 20,000
        # consumers beside candidates at 3,000.
        playbook = read_playbook(problem.source, spec, path, f"playbooks[{i}]")
        playbook = playbook.model_copy(update={"steps": base.steps, "kpis": base.kpis})
        scenarios.append(at_budget(playbook, spec.budget))
        names.append(f"playbook {playbook.name}")
    seed = spec.seed + 1
    evaluations = evaluate_all(scenarios, seed, spec.final_replications, executor, problem.posterior)
    order = _rank(problem, evaluations[: len(trials)])
    ranked = [evaluations[i] for i in order] + evaluations[len(trials) :]
    return FinalComparison([names[i] for i in order] + names[len(trials) :], ranked, len(trials), seed)


def _rank(problem: Problem, evaluations: list[Evaluation]) -> list[int]:
    objective = problem.spec.objectives[0]
    means = [float(np.mean(e.values(objective.kpi, penalised=True))) for e in evaluations]
    order = np.argsort(means)
    return list(order[::-1] if objective.sense == "maximize" else order)


def paired(ours: np.ndarray, theirs: np.ndarray) -> dict[str, object]:
    """Mean paired difference (ours - theirs) with its 95 % t interval; where a run never reached
    a target, no number: NaN and how many of each side reached it ("never (k of n reached)")."""
    reached = (int(np.isfinite(ours).sum()), int(np.isfinite(theirs).sum()))
    n = len(ours)
    if min(reached) < n:
        mean = low = high = float("nan")
    else:
        mean, low, high = mean_ci(ours - theirs)
    return {
        "winner": float(np.nanmean(ours)) if reached[0] else float("nan"),
        "other": float(np.nanmean(theirs)) if reached[1] else float("nan"),
        "difference": mean,
        "lower": low,
        "upper": high,
        "replications": n,
        "winner_reached": reached[0],
        "other_reached": reached[1],
    }


def worth_it(final: FinalComparison) -> dict[str, object]:
    """The winner against spending nothing on the levers, paired over the final replications: the
    extra adopters (ever adopted), the cost of each (the ratio of mean extra spend to mean extra
    adopters, Fieller's interval, or its verdict) and the extra net value (value after the run
    included), whose interval says whether the money pays for itself."""
    if NO_SPEND not in final.names:
        return {}
    winner, nothing = final.winner, final.evaluations[final.names.index(NO_SPEND)]
    extra = winner.values("ever_adopted") - nothing.values("ever_adopted")
    spend = winner.values("total_spend") - nothing.values("total_spend")
    value = winner.values("net_value") - nothing.values("net_value")
    cost, cost_low, cost_high, verdict = cost_per_adopter(spend, extra)
    adopters, adopters_low, adopters_high = mean_ci(extra)
    net, net_low, net_high = mean_ci(value)
    return {
        "extra_adopters": adopters,
        "extra_adopters_lower": adopters_low,
        "extra_adopters_upper": adopters_high,
        "extra_spend": float(np.mean(spend)),
        "cost_per_extra_adopter": cost,
        "cost_lower": cost_low,
        "cost_upper": cost_high,
        "cost_verdict": verdict,
        "extra_net_value": net,
        "extra_net_value_lower": net_low,
        "extra_net_value_upper": net_high,
        "replications": len(extra),
    }


def paired_differences(problem: Problem, final: FinalComparison) -> pd.DataFrame:
    """The winner against every other candidate and reference, per objective and for spend:
    mean of the paired differences (winner - other) with a 95 % t interval over replications."""
    rows = []
    kpis = [o.kpi for o in problem.spec.objectives] + ["total_spend"]
    winner = final.winner
    for name, other in zip(final.names[1:], final.evaluations[1:], strict=True):
        for kpi in dict.fromkeys(kpis):
            rows.append({"against": name, "kpi": kpi, **paired(winner.values(kpi), other.values(kpi))})
    return pd.DataFrame(rows)


def candidates_table(problem: Problem, final: FinalComparison) -> pd.DataFrame:
    """Each finalist and reference: mean and 95 % interval of every objective and of spend."""
    rows = []
    kpis = dict.fromkeys([o.kpi for o in problem.spec.objectives] + ["total_spend", "final_active_share"])
    for name, evaluation in zip(final.names, final.evaluations, strict=True):
        row: dict[str, object] = {"candidate": name, "scenario": evaluation.scenario.name}
        for kpi in kpis:
            values = evaluation.values(kpi)
            reached = values[~np.isnan(values)]
            mean, low, high = mean_ci(reached)
            row.update({kpi: mean, f"{kpi}_lower": low, f"{kpi}_upper": high, f"{kpi}_n": reached.size})
        spent = float(np.mean(evaluation.values("total_spend"))) / problem.spec.budget
        row.update({"spent_share": spent, "underspent": spent < 1 - UNDERSPENT})
        rows.append(row)
    return pd.DataFrame(rows)
