"""The calibration problem: parameter values -> a scenario per market -> simulated observations
-> objective.

Every evaluation runs the same replication seeds (common random numbers), so two parameter
sets are compared on the same random draws and the objective is a smooth-ish function of them.
Objective (weights w_i, shares of the simulated population, fitted observations of every market):
    sse:           sum_i w_i (sim_i - obs_i)^2
    relative_sse:  sum_i w_i ((sim_i - obs_i) / obs_i)^2
with sim_i the mean over replications of the simulated series at the observation's step (a gap
`series - minus` or a ratio `series / over` for segment targets). With several markets the shared
core (`parameters`) applies to every market whose scenario has the path, and a `per_market`
parameter `<market>:<path>` to its own market only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from adoptsim.scenario.spec import Scenario
from adoptsim.studies.calibration.loading import SEPARATOR, LoadedCalibration, Part
from adoptsim.studies.calibration.observations import decimal_year
from adoptsim.studies.calibration.spec import LAUNCH
from adoptsim.studies.evaluation import evaluate, scenario_at

Runs = list[pd.DataFrame]
"""One point's series: a table (a row per replication and step) per market, in the parts' order."""


class Problem:
    """Makes scenarios from parameter values and scores simulated series against observations."""

    def __init__(self, loaded: LoadedCalibration) -> None:
        self.loaded = loaded
        self.spec = loaded.spec
        self.parts = loaded.parts
        self.observations = loaded.observations
        own = [f"{part.name}{SEPARATOR}{path}" for part in self.parts for path in self.spec.per_market]
        self.core = list(self.spec.parameters)
        self.names = self.core + own + ([LAUNCH] if self.spec.fits_launch else [])
        self.fitted = ~self.observations["heldout"].to_numpy(dtype=bool)
        self.scored = self.fitted & (self.observations["weight"].to_numpy(dtype=float) > 0)
        """The observations the objective reads: fitted, with a weight above 0."""
        self.rows = [np.flatnonzero(self.observations["market"].to_numpy() == part.name) for part in self.parts]

    def bounds(self, name: str):
        """The prior range of a parameter name (core, `<market>:<path>` or the launch)."""
        if SEPARATOR in name and name.split(SEPARATOR, 1)[1] in self.spec.per_market:
            return self.spec.per_market[name.split(SEPARATOR, 1)[1]]
        return self.spec.parameters.get(name)

    def launch_year(self, values: Mapping[str, float], part: Part | None = None) -> float | None:
        """A market's launch as a decimal year (fitted or fixed); None when observations are by step."""
        part = part or self.parts[0]
        if self.spec.fits_launch:
            return float(values[LAUNCH])
        return decimal_year(part.launch) if part.launch is not None else None

    def steps(self, values: Mapping[str, float]) -> np.ndarray:
        """The simulated step of each observation: given, or round((year - launch) * steps_per_year)."""
        steps = self.observations["step"].to_numpy(dtype=float).copy()
        years = self.observations["year"].to_numpy()
        for part, rows in zip(self.parts, self.rows, strict=True):
            launch = self.launch_year(values, part)
            if launch is not None:
                dated = np.round((years[rows] - launch) * self.spec.steps_per_year)
                steps[rows] = np.where(np.isnan(steps[rows]), dated, steps[rows])
        return steps.astype(int)

    def settings(self, values: Mapping[str, float], part: Part) -> dict[str, float]:
        """The values a market's scenario takes: the core paths it has and its own parameters."""
        settings = {path: values[path] for path in part.shared}
        for path in self.spec.per_market:
            settings[path] = values[f"{part.name}{SEPARATOR}{path}"]
        return settings

    def scenario(
        self, values: Mapping[str, float], part: Part | None = None, extra_steps: int = 0, scored_only: bool = False
    ) -> Scenario:
        """A market's base with the parameter values, run to its last observation and `extra_steps`
        more; with `scored_only`, to its last observation the objective reads (a run's first k
        steps do not depend on how many follow, so the objective is the same for less work: the
        China hold-out's runs stop at mid-2018, step 255, instead of 2020-12, step 385)."""
        part = part or self.parts[0]
        index = next(i for i, p in enumerate(self.parts) if p is part)
        settings: dict[str, object] = dict(self.settings(values, part))
        rows = self.rows[index]
        if scored_only and self.scored[rows].any():
            rows = rows[self.scored[rows]]
        settings["steps"] = max(1, int(self.steps(values)[rows].max()) + extra_steps)
        return scenario_at(part.base, settings, part.source, "parameters", "a trial")

    def simulated(self, values: Mapping[str, float], runs: Runs) -> np.ndarray:
        """Simulated shares at the observations: a row per replication, a column per observation
        (NaN at an observation after the end of the run)."""
        steps = self.steps(values)
        out = None
        for rows, series in zip(self.rows, runs, strict=True):
            replication, step = series["replication"].to_numpy(), series["step"].to_numpy()
            labels = np.unique(replication)
            if out is None:
                out = np.full((len(labels), len(self.observations)), np.nan)
            read = _reader(series)
            for r, label in enumerate(labels):
                mine = np.flatnonzero(replication == label)  # its rows, by step
                for i in rows[steps[rows] <= step[mine].max()]:
                    at = int(mine[np.searchsorted(step[mine], steps[i])])
                    out[r, i] = self.value(i, lambda column, at=at, read=read: read(column, at))
        return np.asarray(out, dtype=float)

    def value(self, i: int, read: Callable[[str], float]) -> float:
        """Observation i's simulated value, `read(column)` giving a series at its step: the series,
        or its gap (`minus`) or ratio (`over`) to another."""
        obs = self.observations
        value = read(obs["column"].iat[i])
        minus, over = obs["minus"].iat[i], obs["over"].iat[i]
        if isinstance(minus, str):
            value -= read(minus)
        elif isinstance(over, str):
            value /= max(read(over), 1e-9)
        return value

    def terms(self, simulated_mean: np.ndarray) -> np.ndarray:
        """Each observation's share of the objective: w_i e_i^2 on scored points, 0 on held-out
        ones and those of weight 0 (whatever their simulated value, even NaN)."""
        obs = self.observations["share"].to_numpy(dtype=float)
        weights = self.observations["weight"].to_numpy(dtype=float)
        error = np.asarray(simulated_mean, dtype=float) - obs
        if self.spec.objective == "relative_sse":
            error = error / np.maximum(np.abs(obs), 1e-9)
        with np.errstate(invalid="ignore"):
            return np.where(self.scored, weights * error**2, 0.0)

    def loss(self, simulated_mean: np.ndarray) -> float:
        """The objective on the fitted observations (see the module docstring), summed by math.fsum
        (exactly rounded: a sum over some of the terms never exceeds the sum over all of them,
        which early rejection relies on)."""
        return math.fsum(self.terms(simulated_mean).tolist())

    def evaluate(
        self,
        points: Sequence[Mapping[str, float]],
        executor: Executor | None,
        replications: int | None = None,
        seed: int | None = None,
        extra_steps: int = 0,
        scored_only: bool = False,
    ) -> list[Runs]:
        """Each point's series per market (a row per replication and step) on common random numbers."""
        scenarios = [self.scenario(values, part, extra_steps, scored_only) for values in points for part in self.parts]
        reps = replications or self.spec.replications
        result = evaluate(scenarios, reps, self.loaded.seed if seed is None else seed, executor, kpis=False)
        tables = [part for _, part in result.series.groupby("point", sort=True)]
        n = len(self.parts)
        return [tables[i * n : (i + 1) * n] for i in range(len(points))]

    def losses(self, points: Sequence[Mapping[str, float]], executor: Executor | None) -> list[float]:
        """The objective of each point."""
        return [
            self.loss(self.simulated(values, runs).mean(axis=0))
            for values, runs in zip(points, self.evaluate(points, executor, scored_only=True), strict=True)
        ]


def _reader(series: pd.DataFrame) -> Callable[[str, int], float]:
    """read(column, row): a value of the table, each column taken out of pandas once."""
    columns: dict[str, np.ndarray] = {}

    def read(column: str, at: int) -> float:
        if column not in columns:
            columns[column] = series[column].to_numpy()
        return float(columns[column][at])

    return read


def fit_statistics(observed: np.ndarray, simulated: np.ndarray) -> tuple[float, float]:
    """R^2 = 1 - SS_res / SS_tot and RMSE, in the observations' units."""
    residual = observed - simulated
    total = np.sum((observed - observed.mean()) ** 2)
    r2 = 1 - np.sum(residual**2) / total if total > 0 else float("nan")
    return float(r2), float(np.sqrt(np.mean(residual**2)))
