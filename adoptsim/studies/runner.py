"""Replications of a scenario: one task per (scenario, replication), any executor.

The runner knows nothing of intervention types or of files: it turns a validated Scenario and a
seed into tables. Replication r uses `replication_seed(seed, r)` whatever runs it, so results do
not depend on the executor or the number of workers.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd
from tqdm import tqdm

from adoptsim.engine.blocks import Blocks
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.engine.sharing import block_size, can_be_a_block
from adoptsim.errors import ModelBuildError
from adoptsim.results.intervals import summarize
from adoptsim.results.metrics import run_kpi_names, run_kpis
from adoptsim.scenario.loading import load_scenario
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.executors import capacity
from adoptsim.world.graph_stats import graph_stats
from adoptsim.world.streams import replication_seed, seed_of


@dataclass
class RunResult:
    """Time series (a row per replication and step) and KPIs (a row per replication)."""

    scenario: Scenario
    timeseries: pd.DataFrame
    kpis: pd.DataFrame

    def kpi_summary(self) -> pd.DataFrame:
        """Mean and 95 % CI over replications of every KPI."""
        return summarize(self.kpis, run_kpi_names(self.scenario), horizon=self.scenario.steps)


class StepObserver(Protocol):
    """Watches one replication from outside the model (e.g. adoptsim.results.export): after set-up, after
    every step, and once at the end."""

    def start_run(self, model: WalletAdoptionModel) -> None: ...

    def after_step(self, model: WalletAdoptionModel) -> None: ...

    def finish(self, model: WalletAdoptionModel) -> None: ...


def simulate(
    scenario: Scenario, seed: int, on_step: Callable[[], None] | None = None, observer: StepObserver | None = None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """One replication: the model's time series, and per-run figures: its graph's statistics
    (`network_*`) and the step each triggered intervention started (`start_step_<name>`) and
    stopped (`stop_step_<name>`), NaN if it never did."""
    try:
        model = WalletAdoptionModel(scenario, seed=seed, agents="lazy")  # no Mesa views: nobody looks at them
    except ModelBuildError as err:
        err.scenario = scenario.name
        raise
    if observer is not None:
        observer.start_run(model)
    for _ in range(scenario.steps):
        model.step()
        if observer is not None:
            observer.after_step(model)
        if on_step is not None:
            on_step()
    if observer is not None:
        observer.finish(model)
    result = _ran(model)
    if model.people.size >= 100_000:  # the model sits in reference cycles: freed now, not under the next set-up
        del model
        gc.collect()
    return result


def simulate_blocks(
    scenarios: Sequence[Scenario], seeds: Sequence[int], on_step: Callable[[int], object] | None = None
) -> list[tuple[pd.DataFrame, dict[str, float]]]:
    """`simulate(scenarios[b], seeds[b])` for each b, the same numbers, run as blocks of one model
    (engine/blocks.py: the Python cost of a step paid once for all; the scenarios must be able to
    share a model, `differences` empty). A block that has run its own steps leaves the model.
    `on_step(n)` after each step, n the runs it stepped."""
    blocks = Blocks.build(scenarios, seeds)
    models, steps = list(blocks.models), [s.steps for s in scenarios]
    running = list(range(len(models)))  # blocks.models[b] is models[running[b]]
    for k in range(max(steps)):
        kept = [b for b, i in enumerate(running) if steps[i] > k]
        if len(kept) < len(running):
            blocks, running = blocks.keep(kept), [running[b] for b in kept]
        blocks.step(range(len(running)))
        if on_step is not None:
            on_step(len(running))
    return [_ran(model) for model in models]


def _ran(model: WalletAdoptionModel) -> tuple[pd.DataFrame, dict[str, float]]:
    """A finished run's series, its graph's statistics and its triggers' steps."""
    people = model.people
    network = graph_stats(model.graph, people.age_group, people.region)
    extras = {f"network_{name}": value for name, value in network.items()}
    for spec, state in model.interventions:
        if spec.start_when is not None:
            extras[f"start_step_{spec.name}"] = _step(state.started_at)
        if spec.stop_when is not None:
            extras[f"stop_step_{spec.name}"] = _step(state.stopped_at)
    return model.recorder.table(), extras


def _step(step: int | None) -> float:
    return float("nan") if step is None else float(step)


def simulate_labelled(
    scenario: Scenario,
    seed: int,
    ids: dict,
    on_step: Callable[[], None] | None = None,
    observer: StepObserver | None = None,
) -> tuple[dict, pd.DataFrame]:
    """One run with identifying columns first: its KPI row and its time series."""
    return labelled(scenario, ids, *simulate(scenario, seed, on_step, observer))


def labelled(
    scenario: Scenario, ids: dict, series: pd.DataFrame, extras: dict, kpis: bool = True
) -> tuple[dict, pd.DataFrame]:
    """A run's KPI row (without the KPIs read off its series unless `kpis`) and its series, with
    identifying columns `ids` first."""
    for position, (key, value) in enumerate(ids.items()):
        series.insert(position, key, value)
    return {**ids, **(run_kpis(series, scenario) if kpis else {}), **extras}, series


def _replications(
    scenario: Scenario,
    replications: Sequence[int],
    seeds: Sequence[int],
    observers: Sequence[StepObserver | None],
    on_step: Callable[[int], object] | None = None,
) -> list[tuple[dict, pd.DataFrame]]:
    """Some replications of a scenario: one alone (with its observer), several as blocks of one
    model (`simulate_blocks`, the same numbers); runs in a worker."""
    ids = [{"scenario": scenario.name, "replication": r, "seed": s} for r, s in zip(replications, seeds, strict=True)]
    if len(replications) == 1:
        step = (lambda: on_step(1)) if on_step is not None else None
        return [simulate_labelled(scenario, seeds[0], ids[0], step, observers[0])]
    runs = simulate_blocks([scenario] * len(seeds), seeds, on_step)
    return [labelled(scenario, i, *result) for i, result in zip(ids, runs, strict=True)]


def run(
    scenario: Scenario | str | Path,
    reps: int = 1,
    seed: int | None = None,
    progress: bool = False,
    executor: Executor | None = None,
    observe: Callable[[int], StepObserver] | None = None,
) -> RunResult:
    """Run `reps` replications of a scenario (a Scenario or a scenario file), serially or on
    `executor`; `observe(r)`, if given, makes replication r's observer (picklable, so it can travel
    to a worker)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    seeds = [replication_seed(seed_of(scenario, seed), r) for r in range(reps)]
    observers = [observe(r) if observe is not None else None for r in range(reps)]
    together = block_size(scenario.population.size, reps, capacity(executor) if executor is not None else 1)
    if observe is not None or not can_be_a_block(scenario):
        together = 1  # an observer watches one model; interventions, rivals, size: one by one
    groups = [list(range(reps))[i : i + together] for i in range(0, reps, together)]
    parts: list[tuple[dict, pd.DataFrame]] = []
    if executor is None:
        with tqdm(
            total=reps * scenario.steps, desc=scenario.name, unit="step", delay=2, disable=not progress, leave=False
        ) as bar:
            for g in groups:
                parts += _replications(scenario, g, [seeds[r] for r in g], [observers[r] for r in g], bar.update)
    else:
        futures = [
            executor.submit(_replications, scenario, g, [seeds[r] for r in g], [observers[r] for r in g])
            for g in groups
        ]
        with tqdm(total=reps, desc=scenario.name, unit="run", delay=2, disable=not progress, leave=False) as bar:
            for future, g in zip(futures, groups, strict=True):
                parts += future.result()
                bar.update(len(g))
    kpis = pd.DataFrame([p[0] for p in parts])
    timeseries = pd.concat([p[1] for p in parts], ignore_index=True)
    return RunResult(scenario=scenario, timeseries=timeseries, kpis=kpis)
