"""The optimiser: an Optuna study (TPE or CMA-ES) stored in SQLite in the output folder.

Trials are proposed `method.batch` at a time (ask), their replications run on the executor, and
their objectives told back; a trial counts once it is told. A killed calibration leaves its told
trials in `study.db`, so `--resume` continues with the rest; other processes (or a Dask cluster
running the replications) can work on the same study at the same time.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from pathlib import Path

import optuna
from tqdm import tqdm

from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.observations import decimal_year
from adoptsim.studies.calibration.spec import LAUNCH

STUDY_FILE = "study.db"


def distributions(problem: Problem) -> dict[str, optuna.distributions.FloatDistribution]:
    """The search space: each parameter's bounds, the launch window as decimal years."""
    space = {
        path: optuna.distributions.FloatDistribution(bounds.low, bounds.high, log=bounds.log)
        for path, bounds in problem.spec.parameters.items()
    }
    if problem.spec.fits_launch:
        window = problem.spec.launch
        space[LAUNCH] = optuna.distributions.FloatDistribution(
            decimal_year(window.earliest), decimal_year(window.latest)
        )
    return space


def open_study(problem: Problem, out: Path) -> optuna.Study:
    """The study in `out/study.db`, created or loaded; its sampler seeded from the calibration seed."""
    optuna.logging.set_verbosity(logging.WARNING)
    seed = problem.loaded.seed
    if problem.spec.method.optimizer == "cmaes":
        sampler: optuna.samplers.BaseSampler = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=True, multivariate=True)
    return optuna.create_study(
        study_name=problem.spec.name,
        storage=f"sqlite:///{out / STUDY_FILE}",
        sampler=sampler,
        direction="minimize",
        load_if_exists=True,
    )


def completed(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def search(problem: Problem, study: optuna.Study, executor: Executor | None, trials: int, progress: bool) -> int:
    """Run trials until the study holds `trials` completed ones; returns how many this call ran."""
    space = distributions(problem)
    ran = 0
    done = completed(study)
    with tqdm(total=trials, initial=done, desc="trials", unit="trial", disable=not progress) as bar:
        while done < trials:
            asked = [study.ask(space) for _ in range(min(problem.spec.method.batch, trials - done))]
            losses = problem.losses([trial.params for trial in asked], executor)
            for trial, loss in zip(asked, losses, strict=True):
                study.tell(trial, loss)
            ran += len(asked)
            now = completed(study)
            bar.update(now - done)
            bar.set_postfix(best=f"{study.best_value:.3g}")
            done = now
    return ran
