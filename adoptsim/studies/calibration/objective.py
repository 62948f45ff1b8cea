"""The calibration problem: parameter values -> scenario -> simulated observations -> objective.

Every evaluation runs the same replication seeds (common random numbers), so two parameter
sets are compared on the same random draws and the objective is a smooth-ish function of them.
Objective (weights w_i, shares of the simulated population, fitted observations only):
    sse:           sum_i w_i (sim_i - obs_i)^2
    relative_sse:  sum_i w_i ((sim_i - obs_i) / obs_i)^2
with sim_i the mean over replications of the simulated series at the observation's step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from adoptsim.scenario.spec import Scenario
from adoptsim.studies.calibration.observations import decimal_year
from adoptsim.studies.calibration.spec import LAUNCH, LoadedCalibration
from adoptsim.studies.evaluation import evaluate, scenario_at


class Problem:
    """Makes scenarios from parameter values and scores simulated series against observations."""

    def __init__(self, loaded: LoadedCalibration) -> None:
        self.loaded = loaded
        self.spec = loaded.spec
        self.observations = loaded.observations
        self.names = list(self.spec.parameters) + ([LAUNCH] if self.spec.fits_launch else [])
        self.fitted = ~self.observations["heldout"].to_numpy()

    def launch_year(self, values: Mapping[str, float]) -> float | None:
        """The launch as a decimal year (fitted or fixed); None when observations are by step."""
        if self.spec.fits_launch:
            return float(values[LAUNCH])
        return decimal_year(self.spec.launch) if self.spec.launch is not None else None

    def steps(self, values: Mapping[str, float]) -> np.ndarray:
        """The simulated step of each observation: given, or round((year - launch) * steps_per_year)."""
        given = self.observations["step"].to_numpy(dtype=float)
        launch = self.launch_year(values)
        if launch is None:
            return given.astype(int)
        dated = np.round((self.observations["year"].to_numpy() - launch) * self.spec.steps_per_year)
        return np.where(np.isnan(given), dated, given).astype(int)

    def scenario(self, values: Mapping[str, float], extra_steps: int = 0) -> Scenario:
        """The base with the parameter values, run to the last observation and `extra_steps` more."""
        settings = {path: values[path] for path in self.spec.parameters}
        settings["steps"] = max(1, int(self.steps(values).max()) + extra_steps)
        return scenario_at(self.loaded.base, settings, self.loaded.source, "parameters", "a trial")

    def simulated(self, values: Mapping[str, float], series: pd.DataFrame) -> np.ndarray:
        """Simulated shares at the observations: a row per replication, a column per observation."""
        steps = self.steps(values)
        runs = []
        for _, run in series.groupby("replication", sort=True):
            table = run.set_index("step")
            row = []
            for column, minus, step in zip(self.observations["column"], self.observations["minus"], steps, strict=True):
                value = table.at[step, column]
                row.append(value - table.at[step, minus] if isinstance(minus, str) else value)
            runs.append(row)
        return np.asarray(runs, dtype=float)

    def loss(self, simulated_mean: np.ndarray) -> float:
        """The objective on the fitted observations (see the module docstring)."""
        obs = self.observations["share"].to_numpy()[self.fitted]
        sim = simulated_mean[self.fitted]
        weights = self.observations["weight"].to_numpy()[self.fitted]
        error = sim - obs
        if self.spec.objective == "relative_sse":
            error = error / np.maximum(np.abs(obs), 1e-9)
        return float(np.sum(weights * error**2))

    def evaluate(
        self,
        points: Sequence[Mapping[str, float]],
        executor: Executor | None,
        replications: int | None = None,
        seed: int | None = None,
        extra_steps: int = 0,
    ) -> list[pd.DataFrame]:
        """The series of each point (a row per replication and step) on common random numbers."""
        scenarios = [self.scenario(values, extra_steps) for values in points]
        reps = replications or self.spec.replications
        result = evaluate(scenarios, reps, self.loaded.seed if seed is None else seed, executor)
        return [part for _, part in result.series.groupby("point", sort=True)]

    def losses(self, points: Sequence[Mapping[str, float]], executor: Executor | None) -> list[float]:
        """The objective of each point."""
        return [
            self.loss(self.simulated(values, series).mean(axis=0))
            for values, series in zip(points, self.evaluate(points, executor), strict=True)
        ]


def fit_statistics(observed: np.ndarray, simulated: np.ndarray) -> tuple[float, float]:
    """R^2 = 1 - SS_res / SS_tot and RMSE, in the observations' units."""
    residual = observed - simulated
    total = np.sum((observed - observed.mean()) ** 2)
    r2 = 1 - np.sum(residual**2) / total if total > 0 else float("nan")
    return float(r2), float(np.sqrt(np.mean(residual**2)))
