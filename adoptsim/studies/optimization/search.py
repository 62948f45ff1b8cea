"""The search: Optuna trials in a SQLite study, each trial's replications on any executor.

Every trial runs the same replication seeds (common random numbers), so trials differ only by their
decisions. Trials are asked in fixed batches of `batch`, evaluated on the executor, and told in
order, so the same file and seed give the same study whatever the number of workers. The study
lives in `study.db` in the output folder: a killed search resumes with the finished trials kept
(a trial cut off mid-run is marked failed and its decisions are tried again first).

The search has two stages: `trials` of the sampler's (TPE by default) over the whole space, then
`refine` more, a local search around the best points found: CMA-ES warm-started from the first
stage's trials (`ask_refinement`). Each refinement trial is a function of the stored trials only
(its sampler is made afresh, seeded, for every trial), so it is the same on resume and whatever
the number of workers.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd

from adoptsim.errors import AdoptsimError
from adoptsim.scenario.paths import get_path
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.evaluation import Evaluation as Runs
from adoptsim.studies.evaluation import evaluate, point_tasks, run_task
from adoptsim.studies.optimization.posterior import draws, with_draw
from adoptsim.studies.optimization.spec import TARGET_KPI, Problem

UNSPENT = "unspent"
"""The share of the budget kept back, when the split allows it."""


def kpi_value(kpi: str, kpis: dict[str, float], series: pd.DataFrame, steps: int, penalised: bool) -> float:
    """One replication's value of a run KPI (the registry's, from its KPI row).

    Time to a target share that is never reached is NaN, or with `penalised` (what the search
    sees) steps * (1 + gap / target), gap = target - final share: later than any run that reaches
    it, and better the closer the run came, so the search still has a slope to follow.
    """
    value = float(kpis[kpi])
    target = TARGET_KPI.match(kpi)
    if penalised and target and np.isnan(value):
        level = float(target["pct"]) / 100.0
        final = float(series[f"share_{target['what']}"].iloc[-1])
        return steps * (1.0 + max(level - final, 0.0) / level)
    return value


@dataclass
class Evaluation:
    """A candidate's replications: KPI rows and time series, and its scenario."""

    scenario: Scenario
    kpis: list[dict]
    series: list[pd.DataFrame]

    def values(self, kpi: str, penalised: bool = False) -> np.ndarray:
        steps = self.scenario.steps
        return np.array([kpi_value(kpi, k, s, steps, penalised) for k, s in zip(self.kpis, self.series, strict=True)])


def evaluate_all(
    scenarios: list[Scenario],
    seed: int,
    replications: int,
    executor: Executor | None,
    posterior: pd.DataFrame | None = None,
) -> list[Evaluation]:
    """Every scenario on the same replication seeds (the evaluation layer's tasks, all at once);
    with a posterior, replication r of every scenario runs posterior draw r (posterior.py)."""
    if posterior is None:
        result = evaluate(scenarios, replications, seed, executor)
    else:
        result = evaluate_with_draws(scenarios, draws(posterior, replications, seed), seed, executor)
    kpis = result.kpis.groupby("point")
    series = result.series.groupby(["point", "replication"])
    return [
        Evaluation(
            scenario,
            kpis.get_group(i).sort_values("replication").to_dict("records"),
            [series.get_group((i, r)).reset_index(drop=True) for r in range(replications)],
        )
        for i, scenario in enumerate(scenarios)
    ]


def evaluate_with_draws(
    scenarios: list[Scenario], values: list[dict[str, float]], seed: int, executor: Executor | None
) -> Runs:
    """Replication r of scenario i: scenario i with draw r, on replication seed r."""
    tasks = point_tasks(range(len(scenarios)), len(values), seed)
    drawn = [with_draw(scenarios[t.point], values[t.replication], "posterior", f"draw {t.replication}") for t in tasks]
    if executor is None:
        parts = [run_task(s, t) for s, t in zip(drawn, tasks, strict=True)]
    else:
        parts = [f.result() for f in [executor.submit(run_task, s, t) for s, t in zip(drawn, tasks, strict=True)]]
    return Runs(kpis=pd.DataFrame([p[0] for p in parts]), series=pd.concat([p[1] for p in parts], ignore_index=True))


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


def make_sampler(problem: Problem) -> optuna.samplers.BaseSampler:
    """The problem's seeded sampler; TPE models after the warm starts and a few random trials."""
    seed = problem.spec.seed
    method = problem.spec.method
    if method == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=max(8, problem.spec.batch * 2))
    if method == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    # multivariate TPE models the split's weights jointly (they only matter through their ratios)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            seed=seed,
            n_startup_trials=len(warm_starts(problem)) + min(5, max(problem.spec.trials // 10, 2)),
            multivariate=True,
            group=True,
        )


def open_study(problem: Problem, folder: Path, resume: bool) -> optuna.Study:
    """The study in folder/study.db: new, or resumed (a trial cut off mid-run is re-queued)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    database = folder / "study.db"
    if database.exists() and not resume:
        raise AdoptsimError(f"{folder}: holds a study already; add --resume to continue it, or choose another --out")
    storage = optuna.storages.RDBStorage(f"sqlite:///{database}")
    directions = [o.sense for o in problem.spec.objectives]
    study = optuna.create_study(
        study_name=problem.spec.name,
        storage=storage,
        sampler=make_sampler(problem),
        directions=directions,
        load_if_exists=True,
    )
    if not study.trials:
        for params in warm_starts(problem):
            study.enqueue_trial(params)
    elif any(not _same_space(t, search_space(problem)) for t in completed(study)):
        raise AdoptsimError(f"{database}: made for another search space (another file, or an older adoptsim)")
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
        study.enqueue_trial(trial.params, skip_if_exists=False)
    return study


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


def _same_space(trial: optuna.trial.FrozenTrial, space: dict[str, optuna.distributions.BaseDistribution]) -> bool:
    return all(space.get(name) == distribution for name, distribution in trial.distributions.items())


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


def stalled(problem: Problem, study: optuna.Study) -> bool:
    """Whether the last `patience` trials all failed to beat the best before them by `tolerance`
    (first objective; never with several objectives)."""
    patience, spec = problem.spec.patience, problem.spec
    done = searched(study)
    if patience is None or len(spec.objectives) > 1 or len(done) <= patience:
        return False
    sign = -1.0 if spec.objectives[0].sense == "maximize" else 1.0
    values = sign * np.array([t.value for t in sorted(done, key=lambda t: t.number)])
    return bool(values[-patience:].min() >= values[:-patience].min() - spec.tolerance)


def run_search(
    problem: Problem,
    study: optuna.Study,
    trials: int,
    executor: Executor | None,
    on_trial: Callable[[], None] | None = None,
) -> None:
    """Ask, evaluate and tell until the study holds `trials` finished trials of the sampler's (or,
    with `patience`, until that many trials in a row have not improved the best by more than
    `tolerance`), then the refinement's trials after them (`ask_refinement`)."""
    space = search_space(problem)
    refine = problem.spec.refinement(trials)
    while (remaining := trials - len(searched(study))) > 0 and not stalled(problem, study):
        _run_batch(
            problem, study, [study.ask(space) for _ in range(min(problem.spec.batch, remaining))], executor, on_trial
        )
    while (remaining := refine - len(refined(study))) > 0 and searched(study):
        asked = [ask_refinement(problem, study) for _ in range(min(problem.spec.batch, remaining))]
        _run_batch(problem, study, asked, executor, on_trial)


def _run_batch(
    problem: Problem,
    study: optuna.Study,
    asked: list[optuna.trial.Trial],
    executor: Executor | None,
    on_trial: Callable[[], None] | None,
) -> None:
    """Evaluate the asked trials on the problem's seeds, and tell them in order."""
    objectives = problem.spec.objectives
    scenarios = [problem.scenario_with(*decode(problem, t.params)) for t in asked]
    evaluations = evaluate_all(scenarios, problem.spec.seed, problem.spec.replications, executor, problem.posterior)
    for trial, evaluation in zip(asked, evaluations, strict=True):
        values = [float(np.mean(evaluation.values(o.kpi, penalised=True))) for o in objectives]
        trial.set_user_attr("spend", float(np.mean([k["total_spend"] for k in evaluation.kpis])))
        study.tell(trial, values if len(values) > 1 else values[0])
        if on_trial is not None:
            on_trial()
