"""pyabc's model: a particle -> one simulated run per market -> its distance, with exact early rejection.

The distance is sqrt(loss), loss = sum_i w_i e_i^2 over the fitted observations of every market
(objective.py), and pyabc's uniform acceptor keeps a particle when distance <= eps, the
generation's tolerance. Every term is >= 0, so the loss over the observations simulated so far
only grows: once sqrt(partial loss) > eps the full run would be rejected too. The run therefore
stops there: after the step of each observation inside a market (checked by a step observer of
the runner's `simulate`) and so before the markets still to come. The partial sums are
math.fsum's (exactly rounded, hence never above the full loss), so a particle is accepted or
rejected exactly as by the full simulation; only rejected particles are cut short, and an
accepted one's curves and distance are the full run's. Markets run in MARKET_ORDER's order, the
others after in the file's order: with the UK first particles are rejected soonest at the
prior's tolerances, and within 1 % of the best order near the posterior
(`python -m benchmarks.abc_rejection`). Near the
posterior the errors that reject a particle come late (COVID-19's jump, the 2022-2024 age
targets), so there the saving is small (docs/calibration.md).

A run's seed is derived from the particle's values (every market runs on it), so a particle
always gives the same curves whatever stopped it, and the posterior with one worker is the same
with or without early rejection.

In blocks (`in_blocks`, the sampler's way): pyabc's jobs run twice, first only to collect the
particles they propose (`integrated_simulate` keeps them and simulates nothing), then again on
the same seeds, each taking its result from `simulate_many`, which runs all the particles as
blocks of one model (engine/blocks.py) a market at a time: a particle rejected at an observation
leaves the model there (the others carry on as a model of their own: a few ms, at most once an
observation), it is not simulated in the next market, and a market's run stops once every block
in it is rejected. Each block
is exactly its particle's run alone and is watched as one, so every result is the one-by-one
result: the same posterior, for fewer Python steps.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyabc
from pyabc.model import IntegratedModel, ModelResult

from adoptsim.engine.blocks import Blocks
from adoptsim.engine.sharing import differences
from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.proposals import BoxPrior
from adoptsim.studies.calibration.search import distributions
from adoptsim.studies.runner import simulate
from adoptsim.world.streams import replication_seed

MARKET_ORDER = ("uk", "kenya", "china")
"""Markets simulated first, when present (see the module docstring)."""


class RejectedError(Exception):
    """Stops a run the tolerance already rejects; `distance` is sqrt(partial loss), a lower bound."""

    def __init__(self, distance: float) -> None:
        super().__init__(distance)
        self.distance = distance


class Watch:
    """A step observer adding each observation's term at its step, raising RejectedError as soon as
    sqrt(sum of the terms so far, over every market run) > eps."""

    def __init__(self, problem: Problem, index: int, steps: np.ndarray, terms: list[float], eps: float) -> None:
        self.problem, self.terms, self.eps = problem, terms, eps
        self.due: dict[int, list[int]] = {}
        for i in problem.rows[index]:
            self.due.setdefault(int(steps[i]), []).append(int(i))
        self.checked = 0  # observation steps reached (tests count the work saved)

    def start_run(self, model) -> None:
        self.check(model)

    def after_step(self, model) -> None:
        self.check(model)

    def finish(self, model) -> None:  # noqa: ARG002
        return

    def check(self, model) -> None:
        row = model.recorder.rows - 1
        due = self.due.get(row)
        if due is None:
            return
        self.checked += 1
        columns = model.recorder.columns
        simulated = np.full(len(self.problem.observations), np.nan)
        for i in due:
            simulated[i] = self.problem.value(i, lambda column: columns[column][row])
        self.terms.extend(self.problem.terms(simulated)[due].tolist())
        distance = math.sqrt(math.fsum(self.terms))
        if distance > self.eps:
            raise RejectedError(distance)


class _Jobs:
    """What `in_blocks` is doing in this process: collecting proposals, or handing out results."""

    proposals: list[tuple[AbcModel, dict[str, float], float]] | None = None
    results: dict[tuple[bytes, float], ModelResult] | None = None


def in_blocks(jobs: Callable[[], list]) -> list:
    """pyabc's jobs (`jobs()` runs them, each on its own seed) with their simulations run as blocks
    of one model: run once to collect each job's proposal, simulate them all (`simulate_many`),
    run again, each job now reading its result (module docstring)."""
    _Jobs.proposals = proposals = []
    try:
        jobs()
    finally:
        _Jobs.proposals = None
    results = proposals[0][0].simulate_many([(values, eps) for _, values, eps in proposals]) if proposals else []
    _Jobs.results = {(_key(values), eps): result for (_, values, eps), result in zip(proposals, results, strict=True)}
    try:
        return jobs()
    finally:
        _Jobs.results = None


def _key(values: dict[str, float]) -> bytes:
    return np.array(list(values.values()), dtype=float).tobytes()


def _series(model) -> pd.DataFrame:
    """A block's recorded rows as one replication's series (the rows it did not record are 0; the
    objective reads only those it did)."""
    table = model.recorder.table()
    table.insert(0, "replication", 0)
    return table


class AbcModel(IntegratedModel):
    """Particles (internal names p0, p1, ...: log10 for `log: true`) -> simulated shares at the observations."""

    def __init__(self, problem: Problem) -> None:
        super().__init__("adoptsim")
        self.problem = problem
        self.space = distributions(problem)
        names = [part.name for part in problem.parts]
        first = [names.index(name) for name in MARKET_ORDER if name in names]
        self.order = first + [i for i in range(len(names)) if i not in first]
        self.markets_run = 0  # market runs started, in this process (tests count the work saved)
        self.watches: list[Watch] = []

    def values(self, particle: dict[str, float]) -> dict[str, float]:
        """Internal particle -> parameter values (undoing log10)."""
        values = {}
        for i, (name, dist) in enumerate(self.space.items()):
            raw = float(particle[f"p{i}"])
            values[name] = 10**raw if dist.log else raw
        return values

    def integrated_simulate(self, pars, eps: float) -> ModelResult:
        """pyabc's call in every generation: accepted (with the curves) or rejected (as early as exact)."""
        values = self.values(pars)
        if _Jobs.proposals is not None:  # in_blocks' first pass: keep the proposal
            _Jobs.proposals.append((self, values, eps))
            return ModelResult(sum_stat={"y": np.full(len(self.problem.observations), np.nan)}, distance=math.inf)
        if _Jobs.results is not None and (_key(values), eps) in _Jobs.results:
            return _Jobs.results.pop((_key(values), eps))
        return self.integrated_simulate_alone(values, eps)

    def integrated_simulate_alone(self, values: dict[str, float], eps: float) -> ModelResult:
        """One particle's runs, a market after another, stopped as soon as the tolerance rejects it."""
        seed = self.seed(values)
        steps = self.problem.steps(values)
        terms: list[float] = []
        runs = [None] * len(self.order)
        self.watches = []
        try:
            for index in self.order:
                self.markets_run += 1
                self.watches.append(Watch(self.problem, index, steps, terms, eps))
                scenario = self.problem.scenario(values, self.problem.parts[index], scored_only=True)
                series, _ = simulate(scenario, seed, observer=self.watches[-1])
                series.insert(0, "replication", 0)
                runs[index] = series
        except RejectedError as stop:
            return ModelResult(distance=stop.distance, accepted=False)
        return self.scored(values, runs, eps)

    def seed(self, values: dict[str, float]) -> int:
        """The seed of a particle's runs, from its values."""
        key = np.array([values[name] for name in self.space], dtype=float).tobytes()
        return replication_seed(self.problem.loaded.seed, zlib.crc32(key))

    def simulate_many(self, particles: list[tuple[dict[str, float], float]]) -> list[ModelResult]:
        """integrated_simulate's result for each (values, eps), the runs of each market as blocks of
        one model (those that cannot share one, one by one)."""
        problem, n = self.problem, len(particles)
        seeds = [self.seed(values) for values, _ in particles]
        steps = [problem.steps(values) for values, _ in particles]
        terms: list[list[float]] = [[] for _ in range(n)]
        results: list[ModelResult | None] = [None] * n
        runs: list[list[pd.DataFrame | None]] = [[None] * len(problem.parts) for _ in range(n)]
        alive = list(range(n))
        for index in self.order:
            scenarios = [problem.scenario(particles[j][0], problem.parts[index], scored_only=True) for j in alive]
            if not alive or differences(scenarios):
                break  # those still alive run alone below
            self.markets_run += len(alive)
            blocks = Blocks.build(scenarios, [seeds[j] for j in alive])
            watches = [Watch(problem, index, steps[j], terms[j], particles[j][1]) for j in alive]
            live: dict[int, int] = {}
            for b, (j, watch) in enumerate(zip(alive, watches, strict=True)):
                try:
                    watch.start_run(blocks.models[b])
                    live[b] = j
                except RejectedError as stop:
                    results[j] = ModelResult(distance=stop.distance, accepted=False)
            for k in range(blocks.steps):
                if not live:
                    break
                if len(live) < len(blocks.models):  # some were rejected at the last row: step only the others
                    kept = sorted(live)
                    blocks, scenarios = blocks.keep(kept), [scenarios[b] for b in kept]
                    watches, live = [watches[b] for b in kept], {new: live[b] for new, b in enumerate(kept)}
                due = [b for b in live if k < scenarios[b].steps and k + 1 in watches[b].due]
                blocks.step(due)
                for b in due:
                    try:
                        watches[b].after_step(blocks.models[b])
                    except RejectedError as stop:
                        results[live.pop(b)] = ModelResult(distance=stop.distance, accepted=False)
            for b, j in live.items():
                runs[j][index] = _series(blocks.models[b])
            alive = list(live.values())
        return [
            result
            if result is not None
            else self.scored(values, runs[j], eps)
            if all(run is not None for run in runs[j])
            else self.integrated_simulate_alone(values, eps)
            for j, ((values, eps), result) in enumerate(zip(particles, results, strict=True))
        ]

    def scored(self, values: dict[str, float], runs: list[pd.DataFrame], eps: float) -> ModelResult:
        """A particle whose every market ran to its end: its simulated observations and distance."""
        simulated = {"y": self.problem.simulated(values, runs)[0]}
        distance = self.distance(simulated, {})
        return ModelResult(sum_stat=simulated, distance=distance, accepted=distance <= eps)

    def sample(self, pars) -> dict[str, np.ndarray]:
        """The full run (pyabc's calibration sample from the prior, which sets the first tolerance)."""
        return self.integrated_simulate(pars, math.inf).sum_stat

    __call__ = sample

    def distance(self, simulated: dict[str, np.ndarray], observed: dict[str, np.ndarray]) -> float:  # noqa: ARG002
        return math.sqrt(self.problem.loss(simulated["y"]))

    def prior(self) -> pyabc.Distribution:
        """Uniform on each parameter's bounds (of log10 for `log: true`)."""
        bounds = {}
        for i, dist in enumerate(self.space.values()):
            low, high = (np.log10(dist.low), np.log10(dist.high)) if dist.log else (dist.low, dist.high)
            bounds[f"p{i}"] = (low, high - low)
        return BoxPrior(bounds)
