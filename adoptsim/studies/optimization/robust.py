"""What a strategist can rely on when the optimum is flat: the equivalent set and lever importance.

The equivalent set: after the fresh-seed re-evaluation, every finalist whose paired difference
with the winner on the first objective includes zero (95 % t interval over the final
replications; a finalist that fails to reach a target the winner reaches is not equivalent). The
range of each lever's share across the set is the advice: "any split with 30-40 % training ...
is as fast".

Lever importance: Optuna's fANOVA (functional ANOVA on a random forest of the trials, Hutter et
al. 2014): the share of the first objective's variance over the search each decision explains.
The split is searched as weights (shares = (w_i - floor) / sum(w - floor), search.py), so
`weight:<lever>` is read as how much that lever's share matters.
"""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd

from adoptsim.studies.optimization.results import FinalComparison, paired
from adoptsim.studies.optimization.spec import Problem


def equivalent_set(problem: Problem, final: FinalComparison) -> pd.DataFrame:
    """Finalists whose paired difference with the winner includes zero, the winner first: their
    difference, interval, spend and each lever's share of the budget."""
    kpi = problem.spec.objectives[0].kpi
    winner = final.winner.values(kpi)
    rows = []
    for name, evaluation in zip(final.names[: final.finalists], final.evaluations[: final.finalists], strict=True):
        difference = paired(winner, evaluation.values(kpi))
        same = name == final.names[0] or (difference["lower"] <= 0 <= difference["upper"])
        if not same:
            continue
        budgets = {iv.name: iv.budget or 0.0 for iv in evaluation.scenario.interventions}
        row = {"candidate": name, kpi: difference["other"]}
        row |= {k: difference[k] for k in ("difference", "lower", "upper")} if name != final.names[0] else {}
        row["spend"] = float(np.mean(evaluation.values("total_spend")))
        row |= {f"share_{n}": budgets.get(n, 0.0) / problem.spec.budget for n in problem.spec.split.interventions}
        if problem.spec.split.allow_unspent:
            row["share_unspent"] = max(1.0 - sum(row[f"share_{n}"] for n in problem.spec.split.interventions), 0.0)
        rows.append(row)
    return pd.DataFrame(rows)


def share_ranges(problem: Problem, equivalent: pd.DataFrame) -> pd.DataFrame:
    """Lowest and highest share of each lever (and of the money kept back, when allowed) across
    the equivalent set."""
    rows = []
    for name in problem.spec.split.interventions + (["unspent"] if problem.spec.split.allow_unspent else []):
        shares = equivalent[f"share_{name}"]
        rows.append({"lever": name, "lowest": float(shares.min()), "highest": float(shares.max())})
    return pd.DataFrame(rows)


def describe_ranges(ranges: pd.DataFrame, kpi: str, size: int) -> str:
    """The equivalent set in words (`size` counts the winner): the share ranges a split may take
    and do as well, or that no other finalist did."""
    if size <= 1:
        return f"equivalent set: the winner alone (no other finalist's paired interval with it includes 0 on {kpi})"
    parts = [f"{r.lowest:.0%}-{r.highest:.0%} {r.lever}" for r in ranges.itertuples()]
    return (
        f"equivalent set (the winner and {size - 1} other finalist{'s' if size > 2 else ''}, paired interval with "
        f"the winner includes 0 on {kpi}): any split with " + ", ".join(parts) + " does as well"
    )


def importance(problem: Problem, study: optuna.Study) -> pd.DataFrame:
    """fANOVA importance of every decision for the first objective (empty with too few trials)."""
    trials = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(trials) < 4:
        return pd.DataFrame(columns=["decision", "importance"])
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=problem.spec.seed)
    target = (lambda t: t.values[0]) if len(problem.spec.objectives) > 1 else None
    found = optuna.importance.get_param_importances(study, evaluator=evaluator, target=target)
    return pd.DataFrame({"decision": list(found), "importance": list(found.values())})
