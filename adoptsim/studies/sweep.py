"""Parameter sweeps: one task per (design point, replication), results streamed to Parquet shards.

Replication r of every design point uses seed `replication_seed(experiment seed, r)`: results
are identical whatever executor runs the tasks, and design points compare on common random
numbers. Finished tasks are written in shards (`kpis/`, `series/`) as they complete, never
rewritten; `--resume` reads the task ids already in `kpis/` and skips them.

Output folder:
    experiment.json   what was swept (a resumed sweep must match it)
    design.csv        the design points
    scenario.resolved.yaml  the scenario swept, with the experiment's fixed settings
    kpis/*.parquet    a row per finished task: point, replication, seed, KPIs
    series/*.parquet  a row per finished task and step
    summary.csv       n, mean, sd, 95 % CI per design point and metric
    marginal_cost.csv cost per extra adopter between successive spending levels (when spend varies)
    *.png, sensitivity.csv   analysis (adoptsim/studies/sensitivity.py, figures adoptsim/figures/analysis.py)
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from tqdm import tqdm

from adoptsim.engine.sharing import MOST_IN_A_BLOCK
from adoptsim.errors import AdoptsimError
from adoptsim.results.intervals import summarize
from adoptsim.results.store import write_atomic, write_csv, write_text
from adoptsim.scenario.paths import LEVERS
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.compare import marginal_costs
from adoptsim.studies.evaluation import Task, consecutive_groups, point_tasks, run_tasks
from adoptsim.studies.executors import capacity
from adoptsim.studies.experiment import LoadedExperiment


def all_tasks(loaded: LoadedExperiment) -> list[Task]:
    return point_tasks(loaded.points.index, loaded.experiment.replications, loaded.experiment.seed)


class ShardWriter:
    """Buffers finished tasks and writes them as new Parquet shards, atomically."""

    def __init__(self, out: Path, flush_every: int, flush_seconds: float = 10.0) -> None:
        self.out = out
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self.rows: list[dict] = []
        self.series: list[pd.DataFrame] = []
        self.last_flush = time.monotonic()
        (out / "kpis").mkdir(parents=True, exist_ok=True)
        (out / "series").mkdir(parents=True, exist_ok=True)

    def add(self, row: dict, series: pd.DataFrame) -> None:
        self.rows.append(row)
        self.series.append(series)
        if len(self.rows) >= self.flush_every or time.monotonic() - self.last_flush > self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        name = f"shard-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.parquet"
        series = pd.concat(self.series, ignore_index=True)
        kpis = pd.DataFrame(self.rows)
        # series first: a task counts as finished only once its KPI row is on disk
        write_atomic(self.out / "series" / name, lambda tmp: series.to_parquet(tmp, index=False))
        write_atomic(self.out / "kpis" / name, lambda tmp: kpis.to_parquet(tmp, index=False))
        self.rows, self.series = [], []
        self.last_flush = time.monotonic()


def read_kpis(out: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Every finished task's KPI row (empty table if none)."""
    shards = sorted((out / "kpis").glob("shard-*.parquet"))
    if not shards:
        return pd.DataFrame(columns=columns or ["task"])
    table = pd.concat([pd.read_parquet(s, columns=columns) for s in shards], ignore_index=True)
    return table.drop_duplicates("task", keep="first").sort_values("task", ignore_index=True)


def read_series(out: Path) -> pd.DataFrame:
    """Every finished task's time series."""
    finished = set(read_kpis(out, ["task"])["task"])
    shards = sorted((out / "series").glob("shard-*.parquet"))
    table = pd.concat([pd.read_parquet(s) for s in shards], ignore_index=True)
    table = table[table["task"].isin(finished)].drop_duplicates(["task", "step"])
    return table.sort_values(["task", "step"], ignore_index=True)


def prepare_output(loaded: LoadedExperiment, out: Path, resume: bool) -> set[int]:
    """Check the folder against the experiment; return the ids of tasks already finished."""
    marker = out / "experiment.json"
    fingerprint = loaded.fingerprint()
    if marker.exists():
        if not resume:
            raise AdoptsimError(
                f"--out {out}: holds a sweep already; add --resume to continue it, or choose another --out"
            )
        try:
            recorded = json.loads(marker.read_text(encoding="utf-8"))["fingerprint"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            aside = set_aside(marker)
            raise AdoptsimError(
                f"{marker}: damaged ({type(err).__name__}: {err}); moved to {aside.name}. The runs in {out} "
                "cannot be matched to an experiment: choose another --out"
            ) from None
        if recorded != fingerprint:
            raise AdoptsimError(f"--out {out}: holds a different sweep (the experiment or its scenario changed)")
        for name in set_aside_damaged_shards(out):
            print(f"{out}: shard {name} is damaged; moved to damaged/, its runs will be redone", file=sys.stderr)
        return set(read_kpis(out, ["task"])["task"].astype(int))
    if any((out / "kpis").glob("shard-*.parquet")):
        raise AdoptsimError(f"--out {out}: holds runs but no experiment.json; choose another --out")
    write_text(marker, json.dumps({"name": loaded.experiment.name, "fingerprint": fingerprint}, indent=1))
    write_csv(out / "design.csv", loaded.points.reset_index())
    # the scenario swept, with the experiment's fixed settings and its seed (replication r of every point
    # uses replication_seed(experiment seed, r)): what the report reads its prices, size and seed from
    swept = {**loaded.base, "seed": loaded.experiment.seed}
    write_text(out / "scenario.resolved.yaml", yaml.safe_dump(swept, sort_keys=False, allow_unicode=True))
    return set()


def set_aside(path: Path) -> Path:
    """Move a damaged file into `damaged/` beside it (never deleted: the user may want it)."""
    folder = path.parent / "damaged"
    folder.mkdir(exist_ok=True)
    aside = folder / f"{path.name}.{uuid.uuid4().hex[:6]}"
    os.replace(path, aside)
    return aside


def set_aside_damaged_shards(out: Path) -> list[str]:
    """Shards (a kpis file and its series twin) that Parquet cannot read, moved aside by name."""
    damaged = []
    for shard in sorted((out / "kpis").glob("shard-*.parquet")):
        twin = out / "series" / shard.name
        try:
            for path in (shard, twin):
                pq.read_metadata(path)
        except (OSError, ValueError, pa.ArrowException):
            damaged.append(shard.name)
            for path in (shard, twin):
                if path.exists():
                    set_aside(path)
    return damaged


def execute(
    loaded: LoadedExperiment,
    out: Path,
    executor: Executor,
    finished: set[int],
    progress: bool = True,
    max_in_flight: int = 256,
) -> int:
    """Run every unfinished task on `executor`, streaming results; returns how many ran. Runs
    that can share a model go to a worker together as blocks of one (evaluation.consecutive_groups:
    the same numbers), in groups small enough to keep every worker busy."""
    pending = [t for t in all_tasks(loaded) if t.task not in finished]
    total = len(pending) + len(finished)
    writer = ShardWriter(out, flush_every=max(1, min(50, total // 20)))
    scenarios: dict[int, Scenario] = {}
    in_flight: set[Future] = set()
    done_count = 0
    most = max(1, min(MOST_IN_A_BLOCK, math.ceil(len(pending) / (4 * capacity(executor)))))
    queue = consecutive_groups(pending, lambda point: made(scenarios, point, loaded), most)
    bar = tqdm(total=total, initial=len(finished), desc=loaded.experiment.name, unit="run", disable=not progress)

    def record(future: Future) -> None:
        nonlocal done_count
        for row, series in future.result():
            writer.add(row, series)
            done_count += 1
            bar.update(1)

    try:
        while True:
            for group_scenarios, group in queue:
                future = executor.submit(run_tasks, group_scenarios, group)
                if future.done():  # an in-process executor runs the tasks at submission
                    record(future)
                else:
                    in_flight.add(future)
                if len(in_flight) >= max(1, max_in_flight // most):
                    break
            if not in_flight:
                break
            completed, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in completed:
                record(future)
    finally:
        for future in in_flight:
            future.cancel()
        writer.flush()
        bar.close()
    return done_count


def made(scenarios: dict[int, Scenario], point: int, loaded: LoadedExperiment) -> Scenario:
    """Point `point`'s scenario, made once (the last few are kept: a group's points)."""
    if point not in scenarios:
        if len(scenarios) >= 2 * MOST_IN_A_BLOCK:
            scenarios.pop(next(iter(scenarios)))
        scenarios[point] = loaded.scenario_at(point)
    return scenarios[point]


def summarize_sweep(loaded: LoadedExperiment, out: Path) -> pd.DataFrame:
    """summary.csv: per design point and metric, n, mean, sd and the 95 % CI of the mean."""
    kpis = read_kpis(out)
    steps = loaded.points["steps"].max() if "steps" in loaded.points else loaded.base["steps"]
    summary = summarize(kpis, loaded.experiment.metrics, by=["point"], horizon=int(steps))
    summary = summary.merge(loaded.points.reset_index(), on="point", how="left")
    columns = ["point", *loaded.points.columns, "metric", "n", "of", "mean", "sd", "ci_low", "ci_high"]
    summary = summary[columns]
    write_csv(out / "summary.csv", summary)
    # spending levels are the points that differ only in what buys the interventions (their fields and the
    # budget), not in the market or the network: a grid of reward x rewiring compares rewards within each network
    points = loaded.points
    market = [c for c in points.columns if not c.startswith(LEVERS)]
    groups = points[market].astype(str).agg("|".join, axis=1) if market else None
    if kpis.groupby("point")["total_spend"].mean().nunique() > 1:
        costs = marginal_costs(kpis, groups=groups)
        costs = costs.merge(points.add_suffix("_to"), left_on="point_to", right_index=True)
        write_csv(out / "marginal_cost.csv", costs)
    return summary
