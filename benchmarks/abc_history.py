"""How an ABC-SMC posterior converged, generation by generation, read from its history.

    uv run python -m benchmarks.abc_history CALIBRATION.yaml OUT/abc.db [--more N --workers 2]

With --more, the history (a copy: OUT/abc-more.db) is first run N generations further, with the
calibration's model and population and the pool calibrate uses (pyabc draws seeded with 7).
One line per generation (the calibration sample from the prior is t = -1): its tolerance, its
simulations and those so far, when it ended, and each parameter's central 95 % interval as a
share of its prior (on the searched scale, as parameters.csv's interval_share), with the widest
of the shared core, and the generation's effective number of particles (Kish). Works on a
finished or a running calibration's abc.db.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

import numpy as np

from adoptsim.studies.calibration.loading import load_calibration
from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.outputs import effective_particles
from adoptsim.studies.calibration.posterior import weighted_interval
from adoptsim.studies.calibration.search import distributions


def main() -> None:
    import pyabc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calibration", type=Path)
    parser.add_argument("abc", type=Path)
    parser.add_argument("--more", type=int, default=0, help="generations to add to a copy of the history")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    problem = Problem(load_calibration(args.calibration))
    space = distributions(problem)
    if args.more:
        args.abc = more(problem, args.abc, args.more, args.workers)
    history = pyabc.History(f"sqlite:///{args.abc}")
    total = 0
    for row in history.get_all_populations().itertuples():
        total += int(row.samples)
        line = {"t": int(row.t), "tolerance": round(float(row.epsilon), 4), "simulations": int(row.samples)}
        line |= {"simulations_so_far": total, "ended": str(row.population_end_time)[:19]}
        if row.t >= 0:
            frame, weights = history.get_distribution(m=0, t=int(row.t))
            shares = {}
            for i, (name, dist) in enumerate(space.items()):
                low, high = (np.log10(dist.low), np.log10(dist.high)) if dist.log else (dist.low, dist.high)
                lower, upper = weighted_interval(frame[f"p{i}"].to_numpy(), np.asarray(weights))
                shares[name] = round((upper - lower) / (high - low), 2)
            line["effective_particles"] = round(effective_particles(np.asarray(weights)), 1)
            line["widest_core_share"] = max(shares[name] for name in problem.core)
            line["interval_share"] = shares
        print(json.dumps(line), flush=True)


def more(problem: Problem, database: Path, generations: int, workers: int) -> Path:
    """A copy of the history, run `generations` further; prints calibrate's generation lines."""
    from pyabc.sampler import ConcurrentFutureSampler

    from adoptsim.studies.calibration.abc_model import AbcModel
    from adoptsim.studies.calibration.posterior import GenerationLines, abc_smc
    from adoptsim.studies.executors import make_executor

    copy = database.with_name("abc-more.db")
    shutil.copyfile(database, copy)
    model = AbcModel(problem)
    lines = GenerationLines()
    lines.points = int(problem.fitted.sum())
    log = logging.getLogger("ABC")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.handlers = [lines]
    with make_executor(workers) as pool:
        sampler = ConcurrentFutureSampler(pool, client_max_jobs=2 * workers)
        population = problem.spec.method.posterior.population
        abc = abc_smc(model, population, sampler)
        abc.load(f"sqlite:///{copy}", 1)
        np.random.seed(7)
        abc.run(max_nr_populations=generations)
    return copy


if __name__ == "__main__":
    main()
