"""Parameter uncertainty: a likelihood-free posterior by ABC-SMC (pyabc).

Prior: uniform on each parameter's bounds (on log10 for `log: true`). A particle is accepted
when the distance sqrt(objective) of ONE simulated run is below the generation's tolerance,
which shrinks from generation to generation (the median of the previous one); the accepted
particles, weighted, approximate p(theta | data) including the model's own randomness. A run's
seed is derived from its parameter values, so a given particle always gives the same curve, and
each proposal is drawn from a seed of its own (sampler.py), so the posterior is the same on
every run whatever the number of workers. The model (abc_model.py) stops a run as soon as the
tolerance rejects it, exactly.
"""

from __future__ import annotations

import logging
import math
import time
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.executors import SerialExecutor, capacity

ABC_FILE = "abc.db"
POSTERIOR_FILE = "posterior.csv"


class GenerationLines(logging.Handler):
    """Prints a line per ABC-SMC generation: its tolerance, the simulations and seconds so far.

    With `history` (pyabc's, set once the run is created) it first prints pyabc's sample from the
    prior, which sets generation 0's tolerance, and counts it in the simulations so far: pyabc's
    max_simulations counts it, so without it the printed total stops short of the cap that stopped
    the run. `stop` keeps pyabc's reason for stopping."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.tolerance = float("nan")
        self.simulations = 0
        self.prior_sample = 0
        self.started = time.perf_counter()
        self.history = None
        self.generation = -1
        self.stop = ""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("t: "):
            self.tolerance = float(message.split("eps:")[1].strip(" ."))
            self.generation = int(message[3:].split(",")[0])
            if self.history is not None and self.simulations == 0:
                self.prior_sample = self.simulations = int(self.history.total_nr_simulations or 0)
                print(
                    f"  prior sample: {self.prior_sample} simulations (pyabc's, to set the first tolerance; "
                    "counted in max_simulations and below)",
                    flush=True,
                )
        elif message.startswith("Stop:"):
            self.stop = message
        elif message.startswith("Accepted:"):
            accepted, tried = (int(x) for x in message.split("=")[0].replace("Accepted:", "").split("/"))
            effective = float(message.split("ESS:")[1].strip(" .")) if "ESS:" in message else float("nan")
            self.simulations += tried
            print(
                f"  generation {self.generation}: tolerance {self.tolerance:.4g} (RMS error a point "
                f"{self.tolerance / np.sqrt(self.points):.3g}), accepted {accepted} of {tried} "
                f"({effective:.1f} effective), {self.simulations} simulations in "
                f"{time.perf_counter() - self.started:.0f} s so far",
                flush=True,
            )


def run_posterior(problem: Problem, out: Path, executor: Executor | None) -> pd.DataFrame:
    """The weighted particles of the last generation: a column per parameter and `weight`."""
    from adoptsim.studies.calibration.abc_model import AbcModel, in_blocks
    from adoptsim.studies.calibration.sampler import SeededSampler

    for name in ("pyabc", "Sampler", "Epsilon", "Distance", "History", "Adaptation"):
        logging.getLogger(name).setLevel(logging.WARNING)
    lines = GenerationLines()
    lines.points = max(int(problem.fitted.sum()), 1)
    abc_log = logging.getLogger("ABC")
    abc_log.setLevel(logging.INFO)
    abc_log.propagate = False
    abc_log.handlers = [lines]
    settings = problem.spec.method.posterior
    model = AbcModel(problem)
    serial = executor is None or isinstance(executor, SerialExecutor)
    # two tasks in flight per worker keep each busy; one at a time in this process
    jobs = 1 if serial else 2 * capacity(executor)
    executor = SerialExecutor() if serial else executor
    sampler = SeededSampler(executor, problem.loaded.seed, jobs, settings.blocks, in_blocks)
    abc = abc_smc(model, settings.population, sampler)
    database = out / ABC_FILE
    if database.exists():
        database.unlink()  # an interrupted posterior starts again; the optimiser's study is what resumes
    abc.new(f"sqlite:///{database}", {"y": problem.observations["share"].to_numpy()})
    lines.history = abc.history
    np.random.seed(problem.loaded.seed % 2**32)  # pyabc's own draws between generations
    # the printed tolerance is sqrt(objective); as an RMS error a point it is that over sqrt(points)
    minimum = None if settings.tolerance is None else settings.tolerance * np.sqrt(lines.points)
    history = abc.run(
        minimum_epsilon=minimum,
        max_nr_populations=settings.generations,
        max_total_nr_simulations=settings.max_simulations,
    )
    print(stopped(lines, settings, int(history.total_nr_simulations)), flush=True)
    particles, weights = history.get_distribution(m=0)
    table = pd.DataFrame([model.values(row) for row in particles.to_dict("records")])
    table["weight"] = np.asarray(weights) / np.sum(weights)
    return table


def stopped(lines: GenerationLines, settings, simulations: int) -> str:
    """Why the ABC-SMC stopped (pyabc's reason, as GenerationLines kept it), the simulations it
    ran, counting the prior sample as max_simulations does, and the tolerance it reached against
    the one asked for, both as an RMS error a fitted point."""
    reached = lines.tolerance / np.sqrt(lines.points)
    asked = "none asked" if settings.tolerance is None else f"asked {settings.tolerance:g}"
    last = f"generation {lines.generation} of up to {settings.generations}"
    why = {
        "Stop: Total simulations budget.": f"stopped at the simulation cap after {last}: {simulations} simulations "
        f"reached max_simulations {settings.max_simulations}",
        "Stop: Maximum number of generations.": f"stopped after {last}: {simulations} simulations",
        "Stop: Minimum epsilon.": f"stopped at the asked tolerance after {last}: {simulations} simulations",
    }.get(lines.stop, f"stopped after {last} ({lines.stop or 'no reason given'}): {simulations} simulations")
    return (
        f"  {why} (with the prior sample's {lines.prior_sample}); tolerance reached: RMS error a point "
        f"{reached:.3g} ({asked})"
    )


def twice_the_covariance(effective: float, dimension: int) -> float:  # noqa: ARG001
    """The proposal kernel's bandwidth factor: its covariance is twice the previous generation's
    weighted covariance (Beaumont, Cornuet, Marin and Robert 2009, "Adaptive approximate Bayesian
    computation", Biometrika 96). pyabc's default, Silverman's rule, gives 0.4 times it in 8
    dimensions: the proposals then cluster on a few heavy particles and the weights degenerate
    (1-10 effective particles of 100 measured on calibrations/three_markets.yaml, 6-49 on the
    China hold-out, against 69-88 with this kernel; docs/calibration.md)."""
    return math.sqrt(2.0)


def abc_smc(model, population: int, sampler):
    """pyabc's ABC-SMC with the calibration's prior, distance and proposal kernel."""
    import pyabc

    from adoptsim.studies.calibration.proposals import NormalKernel

    kernel = NormalKernel(bandwidth_selector=twice_the_covariance)
    return pyabc.ABCSMC(
        model, model.prior(), model.distance, population_size=population, sampler=sampler, transitions=kernel
    )


def draw(particles: pd.DataFrame, names: list[str], count: int, seed: int) -> list[dict[str, float]]:
    """`count` parameter sets drawn from the weighted particles (a seeded resample)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(particles), size=count, p=particles["weight"].to_numpy())
    return [{name: float(particles.iloc[i][name]) for name in names} for i in rows]


def weighted_interval(values: np.ndarray, weights: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central `level` interval of a weighted sample."""
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail], weights=weights, method="inverted_cdf")
    return float(low), float(high)
