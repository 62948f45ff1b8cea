"""Comparing scenarios on common random numbers.

Every scenario runs with the same replication seeds, so replication r of scenario B differs from
replication r of the baseline only through what B changes (interventions draw from their own
streams). Incremental adopters are paired differences per replication:

    incremental_adopters_r = ever_adopted_r(B) - ever_adopted_r(baseline)
    cost_per_incremental_adopter_r = total_spend_r(B) / incremental_adopters_r   (if > 0)
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adoptsim.metrics import KPI_NAMES, summarize
from adoptsim.runner import RunResult, run
from adoptsim.scenario import Scenario

COMPARE_KPIS = (*KPI_NAMES, "ever_adopted", "incremental_adopters", "cost_per_incremental_adopter")


@dataclass
class Comparison:
    """Every scenario's results, the baseline's name, and paired KPIs per replication."""

    results: list[RunResult]
    baseline: str
    kpis: pd.DataFrame  # a row per scenario and replication

    @property
    def timeseries(self) -> pd.DataFrame:
        return pd.concat([r.timeseries for r in self.results], ignore_index=True)

    def summary(self) -> pd.DataFrame:
        """A row per scenario: mean, ci_low, ci_high of each KPI (95 % CI over replications)."""
        tidy = summarize(self.kpis, list(COMPARE_KPIS), by=["scenario"])
        wide = tidy.pivot(index="scenario", columns="metric", values=["mean", "ci_low", "ci_high"])
        wide.columns = [f"{metric}_{stat}" for stat, metric in wide.columns]
        order = [f"{m}_{s}" for m in COMPARE_KPIS for s in ("mean", "ci_low", "ci_high")]
        wide = wide[order].reindex([r.scenario.name for r in self.results])
        wide.insert(0, "replications", self.kpis.groupby("scenario").size().reindex(wide.index).to_numpy())
        wide.insert(0, "is_baseline", wide.index == self.baseline)
        return wide.reset_index()


def paired_kpis(results: list[RunResult], baseline: str) -> pd.DataFrame:
    """KPIs of every scenario with incremental adopters against the baseline, per replication."""
    frames = []
    for result in results:
        frame = result.kpis.copy()
        frame["ever_adopted"] = frame["final_ever_adopted_share"] * result.scenario.population.size
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    base = table[table["scenario"] == baseline].set_index("replication")["ever_adopted"]
    table["incremental_adopters"] = table["ever_adopted"] - table["replication"].map(base)
    gain = table["incremental_adopters"]
    table["cost_per_incremental_adopter"] = np.where(gain > 0, table["total_spend"] / gain.where(gain > 0), np.nan)
    return table


def compare(
    scenarios: list[Scenario],
    baseline: str,
    reps: int,
    seed: int,
    progress: bool = False,
    executor: Executor | None = None,
) -> Comparison:
    """Run every scenario with the same seeds; pair each with the baseline."""
    names = [s.name for s in scenarios]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"scenario names must differ to be compared: {', '.join(sorted(duplicates))}")
    results = [run(s, reps=reps, seed=seed, progress=progress, executor=executor) for s in scenarios]
    return Comparison(results=results, baseline=baseline, kpis=paired_kpis(results, baseline))


def ranked(summary: pd.DataFrame, by: str = "final_active_share") -> pd.DataFrame:
    """Scenarios best first by a KPI's mean."""
    return summary.sort_values(f"{by}_mean", ascending=False, kind="stable")
