"""The optimiser: an Optuna study (TPE or CMA-ES) stored in the output folder (storage.py's journal).

Trials are proposed `method.batch` at a time (ask), their replications run on the executor, and
their objectives told back; a trial counts once it is told. A killed calibration leaves its told
trials in `study.journal`; `--resume` re-queues the trials cut off mid-batch with the same values and
continues, and since the sampler is reseeded before each proposal from (seed, number of trials
told or queued), the resumed study equals the uninterrupted one. A lock file (`study.lock`)
refuses a second process on the same folder.
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
from adoptsim.studies.storage import study_storage
from adoptsim.world.streams import replication_seed


def distributions(problem: Problem) -> dict[str, optuna.distributions.FloatDistribution]:
    """The search space: each parameter's bounds, the launch window as decimal years."""
    space = {}
    for name in problem.names:
        bounds = problem.bounds(name)
        if bounds is not None:
            space[name] = optuna.distributions.FloatDistribution(bounds.low, bounds.high, log=bounds.log)
    if problem.spec.fits_launch:
        window = problem.spec.launch
        space[LAUNCH] = optuna.distributions.FloatDistribution(
            decimal_year(window.earliest), decimal_year(window.latest)
        )
    return space


def open_study(problem: Problem, out: Path) -> optuna.Study:
    """The study in `out` (storage.py), created or loaded; its sampler seeded from the calibration seed."""
    optuna.logging.set_verbosity(logging.WARNING)
    seed = problem.loaded.seed
    if problem.spec.method.optimizer == "cmaes":
        sampler: optuna.samplers.BaseSampler = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=True, multivariate=True)
    storage = study_storage(out)
    study = optuna.create_study(
        study_name=problem.spec.name, storage=storage, sampler=sampler, direction="minimize", load_if_exists=True
    )
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)  # cut off by a kill
        study.enqueue_trial(trial.params, skip_if_exists=False)
    return study


def reseed(study: optuna.Study, seed: int, index: int) -> None:
    """Seed the sampler for the `index`-th proposal, so a resumed study proposes what an
    uninterrupted one would have (optuna's samplers keep their generator in memory only)."""
    value = replication_seed(seed, index) % 2**32
    sampler = study.sampler
    holders = (sampler, getattr(sampler, "_random_sampler", None), getattr(sampler, "_independent_sampler", None))
    states = [getattr(h, "_rng", None) for h in holders if h is not None] + [getattr(sampler, "_cma_rng", None)]
    for state in states:
        if state is not None:
            state.rng.seed(value)


def completed(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def search(problem: Problem, study: optuna.Study, executor: Executor | None, trials: int, progress: bool) -> int:
    """Run trials until the study holds `trials` completed ones; returns how many this call ran."""
    space = distributions(problem)
    ran = 0
    done = completed(study)
    with tqdm(total=trials, initial=done, desc="trials", unit="trial", disable=not progress) as bar:
        while done < trials:
            asked = []
            for _ in range(min(problem.spec.method.batch, trials - done)):
                reseed(study, problem.loaded.seed, done + len(asked))
                asked.append(study.ask(space))
            losses = problem.losses([trial.params for trial in asked], executor)
            for trial, loss in zip(asked, losses, strict=True):
                study.tell(trial, loss)
            ran += len(asked)
            now = completed(study)
            bar.update(now - done)
            bar.set_postfix(best=f"{study.best_value:.3g}")
            done = now
    return ran
