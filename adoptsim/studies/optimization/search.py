"""The search: Optuna trials in a study file (storage.py), each trial's replications on any executor.

Every trial runs the same replication seeds (common random numbers), so trials differ only by their
decisions. Trials are asked in fixed batches of `batch`, evaluated on the executor, and told in
order, so the same file and seed give the same study whatever the number of workers. The study
lives in `study.journal` in the output folder: a killed search resumes with the finished trials kept
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

import numpy as np
import optuna
import pandas as pd

from adoptsim.errors import AdoptsimError
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.evaluation import Evaluation as Runs
from adoptsim.studies.evaluation import evaluate, point_tasks, run_task
from adoptsim.studies.optimization.posterior import draws, with_draw
from adoptsim.studies.optimization.space import decode, search_space, warm_starts
from adoptsim.studies.optimization.spec import TARGET_KPI, Problem
from adoptsim.studies.optimization.stages import ask_refinement, completed, refined, searched
from adoptsim.studies.storage import has_study, study_path, study_storage


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
    """The study in folder (storage.py): new, or resumed (a trial cut off mid-run is re-queued)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if has_study(folder) and not resume:
        raise AdoptsimError(f"{folder}: holds a study already; add --resume to continue it, or choose another --out")
    storage = study_storage(folder)
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
        raise AdoptsimError(f"{study_path(folder)}: made for another search space (another file, or an older adoptsim)")
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
        study.enqueue_trial(trial.params, skip_if_exists=False)
    return study


def _same_space(trial: optuna.trial.FrozenTrial, space: dict[str, optuna.distributions.BaseDistribution]) -> bool:
    return all(space.get(name) == distribution for name, distribution in trial.distributions.items())


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
        for o in objectives:  # how many replications reached a target (the value is a penalty where not all did)
            if TARGET_KPI.match(o.kpi):
                trial.set_user_attr(f"reached_{o.kpi}", int(np.sum(~np.isnan(evaluation.values(o.kpi)))))
        study.tell(trial, values if len(values) > 1 else values[0])
        if on_trial is not None:
            on_trial()
