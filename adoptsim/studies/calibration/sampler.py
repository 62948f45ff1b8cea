"""ABC-SMC's sampler: the same particles whatever the number of workers.

pyabc's samplers draw each proposal from numpy's global generator, reseeded from the operating
system in every job, so with several workers a posterior differed from run to run and from the
one-worker posterior (and with it the bands of fit.csv and the intervals of parameters.csv).
Here job j of generation t draws from its own seed, replication_seed(replication_seed(seed,
t + 1), j): its proposal, and so its run and whether it is accepted, depend on (seed, t, j)
alone. Jobs run `jobs` at a time on any executor and the generation keeps jobs 0..J in job order,
J being the job of the n-th acceptance, exactly the jobs one worker would run one after another;
jobs after J that were started anyway are dropped (at most `jobs` x `block` - 1 of them) and
not counted as simulations.

A task is a run of consecutive jobs, handed to `batch` (abc_model.in_blocks runs their
simulations as blocks of one model); each job keeps its own seed, so the particles are the same
however the jobs are grouped. A task holds about the jobs still needed (at the acceptance rate
seen so far) shared by the tasks in flight, at most `block`: few jobs are run and dropped at a
generation's end, and a large generation still runs `block` particles a model.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler

from adoptsim.studies.executors import SerialExecutor
from adoptsim.world.streams import replication_seed

_LOADED: dict[bytes, Callable] = {}
"""A worker's unpickled job function of the generation under way (one entry)."""


def seeded_jobs(job: Callable | bytes, seeds: list[int], batch: Callable[[Callable[[], list]], list] | None) -> list:
    """Jobs on `seeds`, one after another, through `batch` when given (it runs them as it likes
    and returns their particles)."""
    if isinstance(job, bytes):
        key = hashlib.blake2b(job, digest_size=16).digest()
        if key not in _LOADED:
            _LOADED.clear()
            _LOADED[key] = cloudpickle.loads(job)
        job = _LOADED[key]

    def run() -> list:
        return [seeded_job(job, seed) for seed in seeds]

    return run() if batch is None else batch(run)


def seeded_job(job: Callable, seed: int):
    """Run pyabc's simulate_one with numpy's and Python's global generators seeded, leaving both
    as they were (in a serial run they are the calling process's)."""
    saved_numpy, saved_python = np.random.get_state(), random.getstate()
    np.random.seed(seed % 2**32)
    random.seed(seed)
    try:
        particle = job()
    finally:
        np.random.set_state(saved_numpy)
        random.setstate(saved_python)
    return particle


class SeededSampler(Sampler):
    """pyabc sampler over an Executor (adoptsim's serial, process pool or Dask)."""

    def __init__(self, executor: Executor, seed: int, jobs: int, block: int = 1, batch: Callable | None = None) -> None:
        super().__init__()
        self.executor, self.seed, self.jobs = executor, seed, max(int(jobs), 1)
        self.block, self.batch = max(int(block), 1), batch
        self.rate = 1.0  # the last generation's acceptance rate

    def task_size(self, needed: int, tried: int, accepted: int, in_flight: int) -> int:
        """Jobs in the next task: those still expected to be needed for `needed` more acceptances,
        less those in flight, over the tasks kept in flight, between 1 and `block`."""
        rate = accepted / tried if accepted else self.rate
        expected = needed / max(rate, 1e-9) - in_flight
        return int(min(max(math.ceil(expected / self.jobs), 1), self.block))

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):  # noqa: ARG002
        job = simulate_one if isinstance(self.executor, SerialExecutor) else cloudpickle.dumps(simulate_one)
        generation = replication_seed(self.seed, t + 1)
        results: dict[int, object] = {}
        accepted: list[int] = []  # jobs whose particle was accepted, in the order they finished
        running: dict[Future, int] = {}  # a task of up to `block` jobs, by its first job
        submitted = 0
        while True:
            last = sorted(accepted)[n - 1] if len(accepted) >= n else None
            if last is not None:
                for future, i in list(running.items()):
                    if i > last:
                        future.cancel()
                        del running[future]
                if not running:
                    break
            else:
                while len(running) < self.jobs:
                    size = self.task_size(n - len(accepted), len(results), len(accepted), submitted - len(results))
                    seeds = [replication_seed(generation, j) for j in range(submitted, submitted + size)]
                    running[self.executor.submit(seeded_jobs, job, seeds, self.batch)] = submitted
                    submitted += size
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                first = running.pop(future)
                for i, particle in enumerate(future.result(), start=first):
                    results[i] = particle
                    if particle.accepted:
                        accepted.append(i)
        sample = self._create_empty_sample()
        for i in range(last + 1):
            sample.append(results[i])
        self.nr_evaluations_ = last + 1
        self.rate = n / (last + 1)
        return sample
