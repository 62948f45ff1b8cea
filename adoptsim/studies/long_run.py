"""Gains for good, measured when the baseline has stopped growing (the long run).

At a horizon T the baseline may still be climbing towards its ceiling: adopters a scenario is
ahead by at T (`incremental_adopters`) may only have come sooner. The long run runs the baseline
on, on the same seeds, until its ever-adopted share s0 grows by less than `threshold` over
`window` weeks, or until `cap` times the horizon (then it says so):

    T_L = min { t >= T : s0(t) - s0(t - window) < threshold }    (mean over replications)

and every other scenario to T_L. At T_L (Libai, Muller and Peres 2013, J. Marketing Research 50(2))

    expansion_adopters         = N1(T_L) - N0(T_L)
    acceleration_adopter_weeks = sum_{t=1..T_L} max(0, min(N1(t), N0(T_L)) - N0(t))
    cost_per_expansion_adopter = mean_r(S1 - S0) / mean_r(N1(T_L) - N0(T_L))   (Fieller)

with S the spend to T_L; customer value splits the same way (compare.split_value).
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adoptsim.studies.runner import RunResult, run

LONG_RATIO = "cost_per_expansion_adopter"
LONG_RUN_KPIS = ("expansion_adopters", "acceleration_adopter_weeks", "acceleration_value", "expansion_value")
"""Paired KPIs measured at the long run T_L, not at the horizon."""


@dataclass(frozen=True)
class LongRun:
    """When the baseline counts as settled: growth under `threshold` (a share of consumers) over
    `window` weeks, looked for up to `cap` times the horizon (520 weeks for a 104-week run)."""

    threshold: float = 0.002
    window: int = 52
    cap: int = 5


LONG_RUN = LongRun()


@dataclass(frozen=True)
class Settled:
    """The long-run week T_L and whether the baseline settled by then (False: the cap was hit)."""

    week: int
    settled: bool

    def describe(self, settings: LongRun) -> str:
        if self.settled:
            return (
                f"long run: week {self.week} (the baseline's ever-adopted share grew < "
                f"{100 * settings.threshold:g} percentage points in {settings.window} weeks)"
            )
        return (
            f"long run: cap of {self.week} weeks reached, the baseline still growing (gains for good may be overstated)"
        )


def settle_week(share: np.ndarray, start: int, settings: LongRun) -> Settled:
    """T_L = the first row t >= start with share(t) - share(t - window) < threshold, else the last row."""
    last = share.size - 1
    for t in range(max(start, settings.window), last + 1):
        if share[t] - share[t - settings.window] < settings.threshold:
            return Settled(t, True)
    return Settled(last, False)


def long_run_series(
    results: list[RunResult], baseline: str, seed: int, settings: LongRun, executor: Executor | None = None
) -> tuple[dict[str, pd.DataFrame], Settled]:
    """Every scenario's time series to T_L on the comparison's seeds, by scenario name."""
    base = next(r for r in results if r.scenario.name == baseline)
    reps = int(base.kpis["replication"].nunique())
    horizon = base.scenario.steps
    if settings.cap <= 1:
        return {r.scenario.name: r.timeseries for r in results}, Settled(horizon, False)
    longer = run(
        base.scenario.model_copy(update={"steps": settings.cap * horizon}), reps=reps, seed=seed, executor=executor
    )
    share = longer.timeseries.groupby("step")["share_ever_adopted"].mean().to_numpy(float)
    when = settle_week(share, horizon, settings)
    series = {baseline: longer.timeseries[longer.timeseries["step"] <= when.week]}
    for result in results:
        if result.scenario.name != baseline:
            scenario = result.scenario.model_copy(update={"steps": when.week})
            series[result.scenario.name] = run(scenario, reps=reps, seed=seed, executor=executor).timeseries
    return series, when
