"""The evaluation layer shared by sweeps and calibration: parameter values -> scenario -> runs.

A point is a mapping of parameter paths (`behaviour.q_wom`, `interventions[referral].reward`,
parsed by paths.split_path/set_path) to values. `scenario_at` applies it to a resolved base
mapping and validates the result; `point_tasks` pairs points with replications, replication r
seeded `replication_seed(seed, r)` whatever the point (common random numbers) and whatever runs
it; `evaluate` runs the tasks on any executor and returns KPIs and series labelled by point.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from adoptsim.engine.sharing import BLOCK_CONSUMERS, block_size, can_be_a_block, differences
from adoptsim.errors import ScenarioError
from adoptsim.results.metrics import requirements
from adoptsim.scenario.kpi_settings import DEFAULT_TARGETS
from adoptsim.scenario.loading import format_validation_error, read_with_extends, scenario_problems
from adoptsim.scenario.paths import SEED_PROBLEM, get_path, set_path
from adoptsim.scenario.spec import Scenario
from adoptsim.scenario.yaml_guard import read_yaml
from adoptsim.studies.executors import capacity
from adoptsim.studies.runner import labelled, simulate, simulate_blocks, simulate_labelled
from adoptsim.world.streams import replication_seed


def read_spec[FileSpec: BaseModel](path: Path, model: type[FileSpec]) -> FileSpec:
    """A file that varies a base scenario (experiment, calibration, optimisation), validated by
    `model`; every schema problem is a line naming the file and the field."""
    shown = str(path)
    raw = read_yaml(path, shown)
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError.listing(shown, [format_validation_error(e) for e in err.errors()]) from None


def read_base(
    path: Path,
    scenario: str,
    fixed: Mapping[str, Any],
    steps: int | None = None,
    kpis: Sequence[str] = (),
    field: str = "scenario",
) -> dict[str, Any]:
    """The raw mapping of the base scenario such a file names (relative to it) in `field`:
    `extends` merged, its `fixed` overrides and `steps` applied, and the targets and horizons its
    `kpis` need added. A problem reading it is reported at `field` (e.g. `markets.uk`)."""
    shown = str(path)
    try:
        base = read_with_extends(path.parent / scenario, str(Path(shown).parent / scenario))
    except ScenarioError as err:
        raise err.within(shown, field) from None
    for key, value in fixed.items():
        if key == "seed":
            raise ScenarioError(shown, "fixed.seed", SEED_PROBLEM)
        try:
            set_path(base, key, value)
        except ValueError as err:
            raise ScenarioError(shown, f"fixed.{key}", str(err)) from None
    if steps is not None:
        base["steps"] = steps
    if kpis:
        targets, horizons = requirements(list(kpis))
        block = base.setdefault("kpis", {})
        block["targets"] = [*block.get("targets", DEFAULT_TARGETS), *targets]
        block["horizons"] = [*block.get("horizons", []), *horizons]
    return base


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value YAML and pydantic expect."""
    return value.item() if isinstance(value, np.generic) else value


ALTERNATIVES = {"duration": "end", "end": "duration", "sd": "concentration", "concentration": "sd"}
"""Fields that say one thing two ways (an intervention's window, a trait's spread): a point that
sets one clears the other, so `duration` may vary over a base that gives `end`, `sd` over one
that gives `concentration`."""


def apply_values(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the resolved `base` mapping with each path set to its value."""
    data = copy.deepcopy(dict(base))
    for path, value in values.items():
        owner, _, leaf = path.rpartition(".")
        other = f"{owner}.{ALTERNATIVES[leaf]}" if owner and leaf in ALTERNATIVES else None
        if other is not None and other not in values and get_path(data, other) is not None:
            set_path(data, other, None)
        set_path(data, path, plain(value))
    return data


def scenario_at(
    base: Mapping[str, Any],
    values: Mapping[str, Any],
    source: str,
    field: str,
    where: str,
    allow_large: bool = False,
) -> Scenario:
    """The validated scenario of one point; every problem is a line naming `source`, `field` and
    `where` (the point)."""
    scenario, problems = scenario_problems(apply_values(base, values), allow_large)
    if problems or scenario is None:
        shown = ", ".join(f"{k}={plain(v)}" for k, v in values.items())
        lines = [(f"{field}: {path}", f"{message} at {where} ({shown})") for path, message in problems]
        raise ScenarioError.listing(source, lines)
    return scenario


@dataclass(frozen=True)
class Task:
    """One run: a point's scenario and a replication."""

    task: int
    point: int
    replication: int
    seed: int


def point_tasks(points: Iterable[int], replications: int, seed: int) -> list[Task]:
    """Every (point, replication) task; replication r of every point uses the same seed."""
    seeds = [replication_seed(seed, r) for r in range(replications)]
    return [
        Task(int(point) * replications + r, int(point), r, seeds[r]) for point in points for r in range(replications)
    ]


def run_task(scenario: Scenario, task: Task) -> tuple[dict, pd.DataFrame]:
    """Simulate one task; its KPI row and its time series (runs in a worker)."""
    return simulate_labelled(scenario, task.seed, _ids(task))


def _ids(task: Task) -> dict:
    return {"task": task.task, "point": task.point, "replication": task.replication, "seed": task.seed}


def run_tasks(
    scenarios: Sequence[Scenario], tasks: Sequence[Task], kpis: bool = True
) -> list[tuple[dict, pd.DataFrame]]:
    """`run_task(scenarios[i], tasks[i])` for each i, as blocks of one model when there are several
    (the same numbers: `block_groups` sends only tasks that can share one); runs in a worker.
    Without `kpis`, the rows hold only the ids and the graph's statistics (a calibration reads
    only the series)."""
    if len(tasks) == 1:
        runs = [simulate(scenarios[0], tasks[0].seed)]
    else:
        runs = simulate_blocks(scenarios, [task.seed for task in tasks])
    return [labelled(s, _ids(task), *run, kpis=kpis) for s, task, run in zip(scenarios, tasks, runs, strict=True)]


def block_groups(scenarios: Sequence[Scenario], tasks: Sequence[Task], workers: int) -> list[list[Task]]:
    """The tasks in groups a worker runs as blocks of one model: points whose scenarios can share
    one (engine/sharing.differences), split into `workers` groups or more (both cores busy), of at
    most `sharing.block_size` runs; a task that can share with none is a group of its own."""
    kinds: list[list[int]] = []  # points that can share a model, by their first
    for point in sorted({task.point for task in tasks}):
        scenario = scenarios[point]
        if not can_be_a_block(scenario):
            continue  # its runs one by one (interventions, rivals, a complete graph; or large)
        kind = next((k for k in kinds if not differences([scenarios[k[0]], scenario])), None)
        if kind is None:
            kinds.append([point])
        else:
            kind.append(point)
    of_kind = {point: i for i, kind in enumerate(kinds) for point in kind}
    by_kind: list[list[Task]] = [[] for _ in kinds]
    groups = []
    for task in tasks:
        if task.point in of_kind:
            by_kind[of_kind[task.point]].append(task)
        else:
            groups.append([task])
    for members in by_kind:
        most = block_size(max(scenarios[t.point].population.size for t in members), len(members), workers)
        groups += [members[i : i + most] for i in range(0, len(members), most)]
    return groups


def consecutive_groups(
    tasks: Iterable[Task], scenario_of: Callable[[int], Scenario], most: int
) -> Iterator[tuple[list[Scenario], list[Task]]]:
    """Consecutive tasks in groups a worker runs as blocks of one model (a sweep's stream, whose
    points are made as they are reached): a task joins the group before it when its scenario can
    share that group's model, up to `most` runs and BLOCK_CONSUMERS consumers."""
    scenarios: list[Scenario] = []
    group: list[Task] = []
    joins: dict[int, bool] = {}  # point -> can share the current group's model
    for task in tasks:
        scenario = scenario_of(task.point)
        if group and task.point not in joins:
            joins[task.point] = can_be_a_block(scenario) and not differences([scenarios[0], scenario])
        size = sum(s.population.size for s in scenarios) + scenario.population.size
        if group and not (joins[task.point] and len(group) < most and size <= BLOCK_CONSUMERS):
            yield scenarios, group
            scenarios, group = [], []
        if not group:  # its first: the group shares a model only if this one can be a block
            joins = {task.point: can_be_a_block(scenario)}
        scenarios.append(scenario)
        group.append(task)
    if group:
        yield scenarios, group


@dataclass
class Evaluation:
    """KPIs (a row per point and replication) and series (a row per point, replication and step)."""

    kpis: pd.DataFrame
    series: pd.DataFrame


def evaluate(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    executor: Executor | None = None,
    kpis: bool = True,
) -> Evaluation:
    """Run `replications` of each scenario (point i = scenarios[i]) on common random numbers
    (without `kpis`, the KPI rows hold only ids and graph statistics: `run_tasks`)."""
    tasks = point_tasks(range(len(scenarios)), replications, seed)
    groups = block_groups(scenarios, tasks, capacity(executor) if executor is not None else 1)
    if executor is None:
        done = [run_tasks([scenarios[t.point] for t in group], group, kpis) for group in groups]
    else:
        futures = [executor.submit(run_tasks, [scenarios[t.point] for t in group], group, kpis) for group in groups]
        done = [f.result() for f in futures]
    by_task = {}
    for group, parts in zip(groups, done, strict=True):
        by_task.update({t.task: part for t, part in zip(group, parts, strict=True)})
    parts = [by_task[t.task] for t in tasks]
    kpis = pd.DataFrame([p[0] for p in parts])
    series = pd.concat([p[1] for p in parts], ignore_index=True)
    return Evaluation(kpis=kpis, series=series)
