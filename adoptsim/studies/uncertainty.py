"""Scenarios compared under uncertain inputs (`adoptsim compare --uncertain FILE`).

An uncertainty file lists inputs by dotted path, each with a range or a distribution
(adoptsim.studies.distributions), and a number of draws. Draw d fixes every input (a Latin hypercube
over the inputs) and a seed, replication_seed(seed, d); every scenario runs once per draw with
those same values and that same seed (common random numbers), so scenario B and the baseline
differ in draw d only through what B changes.

For each scenario other than the baseline (the first), on the ranking KPI:

    wins = #{d : KPI_d(B) better than KPI_d(baseline)},  ties = #{d : equal}
    P(B beats baseline) = (wins + ties / 2) / D

with a 95 % Jeffreys interval, the Beta(k + 1/2, D - k + 1/2) quantiles for k = wins + ties/2
(0 below when k = 0, 1 above when k = D), which stays in [0, 1]. "Better" is higher for shares
and counts, lower for steps to a threshold (never reached = worst) and for costs.

The KPI's percentiles over the draws order a target never reached after every week, as its wins
do: with 2 of 40 draws never at 30 %, the 95th percentile lies among them and is "not reached"
(left empty), not the 95th percentile of the 38 that reached it. `reached` counts the draws in
which the KPI has a value.
"""

from __future__ import annotations

import copy
import json
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator
from scipy import stats
from tqdm import tqdm

from adoptsim.errors import AdoptsimError, ScenarioError
from adoptsim.results.metrics import smaller_is_better
from adoptsim.scenario.loading import format_validation_error
from adoptsim.scenario.paths import set_path
from adoptsim.scenario.schema import NonNegativeInt, PositiveInt, StrictModel
from adoptsim.scenario.spec import Scenario
from adoptsim.scenario.yaml_guard import read_yaml
from adoptsim.studies.distributions import Distribution, latin_hypercube, resolve
from adoptsim.studies.experiment import check_path
from adoptsim.studies.runner import simulate_labelled
from adoptsim.world.streams import replication_seed

DEFAULT_RANK_BY = "final_active_share"
BANDS = ((5, 95), (25, 75))
"""Percentile bands of the fan chart, outer first."""


class UncertainInput(StrictModel):
    """An uncertain input: a range (uniform) or a distribution."""

    range: tuple[float, float] | None = Field(None, description="[low, high], uniform.")
    distribution: Distribution | None = Field(None, description="A distribution (see docs/experiments.md).")
    integer: bool = Field(False, description="Round drawn values to whole numbers.")

    @model_validator(mode="after")
    def _one_of(self) -> UncertainInput:
        if (self.range is None) == (self.distribution is None):
            raise ValueError("give either range or distribution")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: low ({self.range[0]}) must be below high ({self.range[1]})")
        return self

    def spec(self) -> Distribution:
        if self.distribution is not None:
            return self.distribution
        return Distribution(type="uniform", low=self.range[0], high=self.range[1])


class Uncertainty(StrictModel):
    """An uncertainty file: inputs by dotted path, how many draws, and the seed of the draws."""

    draws: PositiveInt = Field(description="Draws of the inputs; each scenario runs once per draw.")
    seed: NonNegativeInt | None = Field(None, description="Seed of the draws and runs (default: compare's seed).")
    inputs: dict[str, UncertainInput] = Field(description="Dotted path (as in --set) -> range or distribution.")

    @model_validator(mode="after")
    def _some_inputs(self) -> Uncertainty:
        if not self.inputs:
            raise ValueError("inputs: give at least one")
        return self


@dataclass
class LoadedUncertainty:
    """A checked uncertainty file with its draws: a row per draw, a column per input path."""

    spec: Uncertainty
    source: str
    draws: pd.DataFrame


def load_uncertainty(path: str | Path, scenarios: list[Scenario], seed: int) -> LoadedUncertainty:
    """Read and check an uncertainty file against the scenarios, and draw its inputs."""
    shown = str(path)
    try:
        spec = Uncertainty.model_validate(read_yaml(Path(path), shown))
    except ValidationError as err:
        raise ScenarioError(shown, *format_validation_error(err.errors()[0])) from None
    resolved = [_plain(s) for s in scenarios]
    for dotted in spec.inputs:
        problems = [check_path(data, dotted) for data in resolved]
        if all(problems):
            raise ScenarioError(shown, f"inputs.{dotted}", f"in no scenario: {problems[0]}")
    samplers = {p: resolve(i.spec(), shown, f"inputs.{p}.distribution") for p, i in spec.inputs.items()}
    draws = latin_hypercube(samplers, spec.draws, spec.seed if spec.seed is not None else seed)
    for dotted, entry in spec.inputs.items():
        if entry.integer:
            draws[dotted] = draws[dotted].round().astype(int)
    draws.index.name = "draw"
    return LoadedUncertainty(spec, shown, draws)


def _plain(scenario: Scenario) -> dict[str, Any]:
    return json.loads(scenario.model_dump_json())


def scenario_at(scenario: Scenario, loaded: LoadedUncertainty, draw: int) -> Scenario:
    """The scenario with draw `draw`'s values set at every input path it has."""
    data = _plain(scenario)
    values = loaded.draws.loc[draw]
    for dotted, value in values.items():
        if check_path(data, dotted) is None:
            set_path(data, dotted, value.item() if isinstance(value, np.generic) else value)
    try:
        return Scenario.model_validate(copy.deepcopy(data))
    except ValidationError as err:
        field, message = format_validation_error(err.errors()[0])
        shown = ", ".join(f"{k}={v:.4g}" for k, v in values.items())
        raise ScenarioError(
            loaded.source, f"inputs: {scenario.name}: {field}", f"{message} at draw {draw} ({shown})"
        ) from None


@dataclass
class UncertainComparison:
    """A KPI row per scenario and draw (with the draw's inputs), and each run's active share."""

    kpis: pd.DataFrame
    curves: pd.DataFrame  # scenario, draw, step, share_active
    baseline: str


def _task(scenario: Scenario, draw: int, seed: int) -> tuple[dict, pd.DataFrame]:
    row, series = simulate_labelled(scenario, seed, {"scenario": scenario.name, "draw": draw, "seed": seed})
    return row, series[["scenario", "draw", "step", "share_active"]]


def run_uncertain(
    scenarios: list[Scenario],
    loaded: LoadedUncertainty,
    seed: int,
    progress: bool = False,
    executor: Executor | None = None,
) -> UncertainComparison:
    """Every scenario once per draw: draw d has the same inputs and seed in every scenario."""
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        raise AdoptsimError("adoptsim compare: scenario names must differ to be compared")
    base = loaded.spec.seed if loaded.spec.seed is not None else seed
    tasks = [(scenario_at(s, loaded, d), d, replication_seed(base, d)) for s in scenarios for d in loaded.draws.index]
    bar = tqdm(total=len(tasks), desc="uncertain", unit="run", delay=2, disable=not progress, leave=False)
    with bar:
        if executor is None:
            parts = []
            for task in tasks:
                parts.append(_task(*task))
                bar.update(1)
        else:
            futures = [executor.submit(_task, *task) for task in tasks]
            parts = []
            for future in futures:
                parts.append(future.result())
                bar.update(1)
    kpis = pd.DataFrame([p[0] for p in parts]).merge(loaded.draws.reset_index(), on="draw")
    curves = pd.concat([p[1] for p in parts], ignore_index=True)
    return UncertainComparison(kpis=kpis, curves=curves, baseline=names[0])


def jeffreys_interval(k: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Jeffreys interval for a proportion k / n (k may be fractional: ties count half)."""
    tail = (1 - level) / 2
    low = 0.0 if k <= 0 else float(stats.beta.ppf(tail, k + 0.5, n - k + 0.5))
    high = 1.0 if k >= n else float(stats.beta.ppf(1 - tail, k + 0.5, n - k + 0.5))
    return low, high


def _comparable(values: pd.Series, kpi: str) -> np.ndarray:
    """The KPI oriented so that higher is better; undefined (never reached) is the worst."""
    sign = -1.0 if smaller_is_better(kpi) else 1.0
    return np.nan_to_num(sign * values.to_numpy(dtype=float), nan=-np.inf)


def percentiles(values: pd.Series, kpi: str) -> dict[str, float]:
    """p5 ... p95 over the draws; for weeks to a target, a draw that never reached it counts as later
    than any week, and a percentile that falls among (or next to) those draws is NaN: not reached.
    Other undefined values (a cost per adopter with no adopter) are left out."""
    numbers = values.to_numpy(dtype=float)
    reached = numbers[~np.isnan(numbers)]
    # never reached as a finite NEVER, not inf: inf * 0 in the interpolation is NaN
    numbers = np.where(np.isnan(numbers), NEVER, numbers) if kpi.startswith("steps_to_") else reached
    if reached.size == 0:
        return {f"p{q}": np.nan for q in QUANTILES}
    found = np.percentile(numbers, QUANTILES)
    return {f"p{q}": float(v) if v <= reached.max() else np.nan for q, v in zip(QUANTILES, found, strict=True)}


QUANTILES = (5, 25, 50, 75, 95)
NEVER = 1e300  # a week after every week


def head_to_head(kpis: pd.DataFrame, kpi: str, first: str, second: str) -> tuple[float, float, float]:
    """P(first beats second) over the draws both ran, ties (equal, or both never reached) counting
    half, with its 95 % Jeffreys interval: the same common-random-number comparison as against the
    baseline, between two scenarios."""
    table = kpis.set_index(["scenario", "draw"])[kpi]
    theirs = table.xs(second)
    mine = table.xs(first).reindex(theirs.index)
    if not len(theirs):
        return np.nan, np.nan, np.nan
    _, _, p, low, high = _wins(_comparable(mine, kpi), _comparable(theirs, kpi))
    return p, low, high


def _wins(mine: np.ndarray, theirs: np.ndarray) -> tuple[int, int, float, float, float]:
    """Wins, ties, P = (wins + ties / 2) / D and its Jeffreys interval, draw by draw."""
    wins, ties = int((mine > theirs).sum()), int((mine == theirs).sum())
    k = wins + ties / 2
    return wins, ties, k / len(mine), *jeffreys_interval(k, len(mine))


def beats_baseline(result: UncertainComparison, kpi: str) -> pd.DataFrame:
    """A row per scenario: KPI percentiles over draws, and P(beats the baseline) with its interval."""
    table = result.kpis.set_index(["scenario", "draw"])[kpi]
    base = table.xs(result.baseline)
    rows = []
    for name in dict.fromkeys(result.kpis["scenario"]):
        values = table.xs(name).reindex(base.index)
        mine, theirs = _comparable(values, kpi), _comparable(base, kpi)
        n = len(values)
        row = {"scenario": name, "is_baseline": name == result.baseline, "draws": n, "kpi": kpi}
        row["better_is"] = "lower" if smaller_is_better(kpi) else "higher"
        row["reached"] = int(values.notna().sum())
        row.update(percentiles(values, kpi))
        if name == result.baseline:
            row.update(wins=np.nan, ties=np.nan, p_beats_baseline=np.nan, ci_low=np.nan, ci_high=np.nan)
        else:
            wins, ties, p, low, high = _wins(mine, theirs)
            row.update(wins=wins, ties=ties, p_beats_baseline=p, ci_low=low, ci_high=high)
        rows.append(row)
    return pd.DataFrame(rows)
