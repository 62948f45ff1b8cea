"""Replications of a scenario: one task per (scenario, replication), any executor.

The runner knows nothing of intervention types or of files: it turns a validated Scenario and a
seed into tables. Replication r uses `replication_seed(seed, r)` whatever runs it, so results do
not depend on the executor or the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import pandas as pd
from tqdm import tqdm

from adoptsim.errors import ModelBuildError
from adoptsim.metrics import KPI_NAMES, run_kpis, summarize
from adoptsim.model import WalletAdoptionModel
from adoptsim.scenario import Scenario
from adoptsim.streams import replication_seed


@dataclass
class RunResult:
    """Time series (a row per replication and step) and KPIs (a row per replication)."""

    scenario: Scenario
    timeseries: pd.DataFrame
    kpis: pd.DataFrame

    def kpi_summary(self) -> pd.DataFrame:
        """Mean and 95 % CI over replications of every KPI."""
        return summarize(self.kpis, list(KPI_NAMES))


def simulate(scenario: Scenario, seed: int, on_step: Callable[[], None] | None = None) -> pd.DataFrame:
    """One replication: the model's time series."""
    try:
        model = WalletAdoptionModel(scenario, seed=seed)
    except ModelBuildError as err:
        err.scenario = scenario.name
        raise
    for _ in range(scenario.steps):
        model.step()
        if on_step is not None:
            on_step()
    return model.recorder.table()


def label_replication(
    series: pd.DataFrame, scenario: Scenario, replication: int, seed: int
) -> tuple[pd.DataFrame, dict]:
    """Add identifying columns; compute the replication's KPIs."""
    series.insert(0, "scenario", scenario.name)
    series.insert(1, "replication", replication)
    series.insert(2, "seed", seed)
    kpis = {
        "scenario": scenario.name,
        "replication": replication,
        "seed": seed,
        **run_kpis(series, scenario.population.size),
    }
    return series, kpis


def _replication_task(scenario: Scenario, replication: int, seed: int) -> tuple[pd.DataFrame, dict]:
    return label_replication(simulate(scenario, seed), scenario, replication, seed)


def run(
    scenario: Scenario,
    reps: int = 1,
    seed: int | None = None,
    progress: bool = False,
    executor: Executor | None = None,
) -> RunResult:
    """Run `reps` replications of a scenario (serially, or on `executor`)."""
    base = scenario.seed if seed is None else seed
    seeds = [replication_seed(base, r) for r in range(reps)]
    parts: list[tuple[pd.DataFrame, dict]] = []
    if executor is None:
        with tqdm(
            total=reps * scenario.steps, desc=scenario.name, unit="step", delay=2, disable=not progress, leave=False
        ) as bar:
            for r, s in enumerate(seeds):
                series = simulate(scenario, s, on_step=lambda: bar.update(1))
                parts.append(label_replication(series, scenario, r, s))
    else:
        futures = [executor.submit(_replication_task, scenario, r, s) for r, s in enumerate(seeds)]
        parts = [
            f.result()
            for f in tqdm(futures, desc=scenario.name, unit="run", delay=2, disable=not progress, leave=False)
        ]
    timeseries = pd.concat([p[0] for p in parts], ignore_index=True)
    kpis = pd.DataFrame([p[1] for p in parts])
    return RunResult(scenario=scenario, timeseries=timeseries, kpis=kpis)
