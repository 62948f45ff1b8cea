"""Parameter uncertainty: a likelihood-free posterior by ABC-SMC (pyabc).

Prior: uniform on each parameter's bounds (on log10 for `log: true`). A particle is accepted
when the distance sqrt(objective) of ONE simulated run is below the generation's tolerance,
which shrinks from generation to generation (the median of the previous one); the accepted
particles, weighted, approximate p(theta | data) including the model's own randomness. A run's
seed is derived from its parameter values, so a given particle always gives the same curve, and
pyabc's own draws are seeded, so with one worker the posterior is the same on every run.
"""

from __future__ import annotations

import logging
import zlib
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.search import distributions
from adoptsim.studies.executors import SerialExecutor
from adoptsim.studies.runner import simulate
from adoptsim.world.streams import replication_seed

ABC_FILE = "abc.db"
POSTERIOR_FILE = "posterior.csv"


class AbcModel:
    """pyabc's model: particle (internal names p0, p1, ...) -> simulated shares at the observations."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.space = distributions(problem)

    def values(self, particle: dict[str, float]) -> dict[str, float]:
        """Internal particle -> parameter values (undoing log10)."""
        values = {}
        for i, (name, dist) in enumerate(self.space.items()):
            raw = float(particle[f"p{i}"])
            values[name] = 10**raw if dist.log else raw
        return values

    def __call__(self, particle: dict[str, float]) -> dict[str, np.ndarray]:
        values = self.values(particle)
        key = np.array([values[name] for name in self.space], dtype=float).tobytes()
        seed = replication_seed(self.problem.loaded.seed, zlib.crc32(key))
        runs = []
        for part in self.problem.parts:
            series, _ = simulate(self.problem.scenario(values, part), seed)
            series.insert(0, "replication", 0)
            runs.append(series)
        return {"y": self.problem.simulated(values, runs)[0]}

    def distance(self, simulated: dict[str, np.ndarray], observed: dict[str, np.ndarray]) -> float:  # noqa: ARG002
        return float(np.sqrt(self.problem.loss(simulated["y"])))

    def prior(self):
        import pyabc

        rvs = {}
        for i, dist in enumerate(self.space.values()):
            low, high = (np.log10(dist.low), np.log10(dist.high)) if dist.log else (dist.low, dist.high)
            rvs[f"p{i}"] = pyabc.RV("uniform", low, high - low)
        return pyabc.Distribution(**rvs)


class GenerationLines(logging.Handler):
    """Prints a line per ABC-SMC generation: its tolerance and the simulations so far."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.tolerance = float("nan")
        self.simulations = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("t: "):
            self.tolerance = float(message.split("eps:")[1].strip(" ."))
            self.generation = int(message[3:].split(",")[0])
        elif message.startswith("Accepted:"):
            accepted, tried = (int(x) for x in message.split("=")[0].replace("Accepted:", "").split("/"))
            self.simulations += tried
            print(
                f"  generation {self.generation}: tolerance {self.tolerance:.4g} (RMS error a point "
                f"{self.tolerance / np.sqrt(self.points):.3g}), accepted {accepted} of {tried}, "
                f"{self.simulations} simulations so far",
                flush=True,
            )


def run_posterior(problem: Problem, out: Path, executor: Executor | None) -> pd.DataFrame:
    """The weighted particles of the last generation: a column per parameter and `weight`."""
    import pyabc
    from pyabc.sampler import ConcurrentFutureSampler, SingleCoreSampler

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
    if executor is None or isinstance(executor, SerialExecutor):
        sampler = SingleCoreSampler()
    else:
        sampler = ConcurrentFutureSampler(executor, client_max_jobs=4 * settings.population)
    abc = pyabc.ABCSMC(model, model.prior(), model.distance, population_size=settings.population, sampler=sampler)
    database = out / ABC_FILE
    if database.exists():
        database.unlink()  # an interrupted posterior starts again; the optimiser's study is what resumes
    abc.new(f"sqlite:///{database}", {"y": problem.observations["share"].to_numpy()})
    np.random.seed(problem.loaded.seed % 2**32)  # pyabc draws from numpy's global generator
    history = abc.run(max_nr_populations=settings.generations, max_total_nr_simulations=settings.max_simulations)
    particles, weights = history.get_distribution(m=0)
    table = pd.DataFrame([model.values(row) for row in particles.to_dict("records")])
    table["weight"] = np.asarray(weights) / np.sum(weights)
    return table


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
