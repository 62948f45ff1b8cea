"""Comparing scenarios on common random numbers: rankings and paired differences.

Every scenario runs with the same replication seeds, so replication r of scenario B differs from
replication r of the baseline A only through what B changes (interventions draw from their own
streams). Every difference is paired by replication: d_r = KPI_r(B) - KPI_r(A), reported as the
mean of d_r with its t interval (replications where either KPI is undefined drop out).

Paired KPIs, at the end T (or a horizon step T), with N(t) the ever-adopted count:

    incremental_adopters = expansion_adopters = N_B(T) - N_A(T)
    acceleration_adopter_weeks = sum_{t=1..T} max(0, min(N_B(t), N_A(T)) - N_A(t))
    cost_per_incremental_adopter = mean_r(spend_B - spend_A) / mean_r(N_B(T) - N_A(T))  (Fieller)

The split follows Libai, Muller and Peres (2013, J. Marketing Research 50(2)): gains above the
baseline's eventual level are adopters won for good; gains below it only came sooner. Customer
value is split the same way: acceleration_value prices the acceleration adopter-weeks at the
baseline's discounted margin per adopter-week, expansion_value is the rest of the gain.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adoptsim.errors import AdoptsimError
from adoptsim.results.economics import discount_factors, npv, terminal_value
from adoptsim.results.intervals import mean_ci, paired_ci, summarize
from adoptsim.results.kpis import KPIS, lookup
from adoptsim.results.metrics import kpi_problem, requirements, run_kpi_names
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.costs import cost_per_adopter, marginal_costs
from adoptsim.studies.long_run import LONG_RATIO, LONG_RUN, LONG_RUN_KPIS, LongRun, Settled, long_run_series
from adoptsim.studies.runner import RunResult, run

__all__ = ["Comparison", "compare", "marginal_costs", "ranked"]

RATIO = "cost_per_incremental_adopter"
RATIOS = {
    RATIO: ("incremental_spend", "incremental_adopters"),
    LONG_RATIO: ("long_run_extra_spend", "expansion_adopters"),
}
"""Costs per extra adopter: ratios of the means of two paired KPIs (spend, adopters)."""
PAIRED_KPIS = tuple(kpi.pattern for kpi in KPIS if kpi.paired and kpi.pattern not in RATIOS)
"""Paired KPIs (the registry's entries without a formula) computed per replication here."""
AT_HORIZONS = tuple(kpi.pattern for kpi in KPIS if kpi.paired and kpi.at_horizons)


@dataclass
class Comparison:
    """Every scenario's results, the baseline's name, paired KPIs per replication, differences."""

    results: list[RunResult]
    baseline: str
    kpis: pd.DataFrame  # a row per scenario and replication
    differences: pd.DataFrame  # a row per scenario (not the baseline) and KPI
    long_run: Settled | None = None

    @property
    def timeseries(self) -> pd.DataFrame:
        return pd.concat([r.timeseries for r in self.results], ignore_index=True)

    @property
    def kpi_names(self) -> list[str]:
        """Run KPIs any scenario reports, then the paired ones, at the end and each horizon."""
        names = dict.fromkeys(n for r in self.results for n in run_kpi_names(r.scenario) if n in self.kpis.columns)
        horizons = [""] + [f"_at_{h}" for h in self.results[0].scenario.kpis.horizons]
        paired = [*PAIRED_KPIS, *RATIOS]
        return [*names, *paired, *(f"{n}{s}" for s in horizons[1:] for n in paired if n in AT_HORIZONS)]

    def summary(self) -> pd.DataFrame:
        """A row per scenario: mean, ci_low, ci_high of each KPI (95 % CI over replications).

        cost_per_incremental_adopter is the ratio of mean spend to mean incremental adopters with
        Fieller's interval, taken from the differences.
        """
        names = self.kpi_names
        per_rep = [n for n in names if n in self.kpis.columns]
        tidy = summarize(self.kpis, per_rep, by=["scenario"], horizon=max(r.scenario.steps for r in self.results))
        wide = tidy.pivot(index="scenario", columns="metric", values=["mean", "ci_low", "ci_high"])
        wide.columns = [f"{metric}_{stat}" for stat, metric in wide.columns]
        order_index = [r.scenario.name for r in self.results]
        wide = wide.reindex(order_index)
        ratios = self.differences[self.differences["kpi"].str.startswith(tuple(RATIOS))]
        for name in names:
            if name in per_rep:
                continue
            rows = ratios[ratios["kpi"] == name].set_index("scenario")
            for stat, column in (("mean", "difference"), ("ci_low", "lower"), ("ci_high", "upper")):
                wide[f"{name}_{stat}"] = rows[column].reindex(wide.index)
        wide = wide[[f"{m}_{s}" for m in names for s in ("mean", "ci_low", "ci_high")]]
        for name in names:
            if name.split("_at_")[0] in RATIOS:
                verdicts = ratios[ratios["kpi"] == name].set_index("scenario")["verdict"]
                wide[f"{name}_verdict"] = verdicts.reindex(wide.index)
        wide.insert(0, "replications", self.kpis.groupby("scenario").size().reindex(wide.index).to_numpy())
        wide.insert(0, "is_baseline", wide.index == self.baseline)
        return wide.reset_index().rename(columns={"index": "scenario"})


def acceleration_adopter_weeks(scenario: np.ndarray, baseline: np.ndarray) -> float:
    """sum_{t>=1} max(0, min(N1(t), N0(T)) - N0(t)) for ever-adopted counts N1, N0 over rows 0..T."""
    capped = np.minimum(scenario[1:], baseline[-1])
    return float(np.maximum(capped - baseline[1:], 0.0).sum())


def lifetime_value(series: pd.DataFrame, rate: float, window: int) -> float:
    """In-run NPV of the margin plus, when window > 0, the terminal value of users active at the end."""
    margin = series["margin"].to_numpy(float)
    if not window:
        return npv(margin, rate)
    active, lapses = series["n_active"].to_numpy(float), series["new_lapses"].to_numpy(float)
    return npv(margin, rate) + terminal_value(active, lapses, margin, rate, window)


def split_value(scenario: pd.DataFrame, baseline: pd.DataFrame, rate: float, window: int = 0) -> dict[str, float]:
    """Paired KPIs of one replication of a scenario against the baseline, over the rows given.

    Customer values include the terminal value (users active at the last row) when window > 0.
    """
    ever1, ever0 = scenario["n_ever_adopted"].to_numpy(float), baseline["n_ever_adopted"].to_numpy(float)
    margin0 = baseline["margin"].to_numpy(float)
    spend1, spend0 = scenario["spend_total"].to_numpy(float), baseline["spend_total"].to_numpy(float)
    gained = ever1[-1] - ever0[-1]
    weights = discount_factors(ever0.size, rate)
    value0 = npv(margin0, rate)
    per_adopter_week = value0 / float(ever0 @ weights) if ever0 @ weights > 0 else 0.0
    early = np.maximum(np.minimum(ever1, ever0[-1]) - ever0, 0.0)
    early[0] = 0.0
    value_gain = lifetime_value(scenario, rate, window) - lifetime_value(baseline, rate, window)
    acceleration_value = per_adopter_week * float(early @ weights)
    return {
        "incremental_adopters": gained,
        "expansion_adopters": gained,
        "acceleration_adopter_weeks": acceleration_adopter_weeks(ever1, ever0),
        "incremental_customer_value": value_gain,
        "acceleration_value": acceleration_value,
        "expansion_value": value_gain - acceleration_value,
        "incremental_net_value": value_gain - (npv(spend1, rate) - npv(spend0, rate)),
    }


def paired_kpis(
    results: list[RunResult], baseline: str, long: tuple[dict[str, pd.DataFrame], Settled] | None = None
) -> pd.DataFrame:
    """Run KPIs of every scenario plus the paired ones against the baseline, per replication
    (at the end and each horizon; gains for good from the long-run series `long`, if given)."""
    base = next(r for r in results if r.scenario.name == baseline)
    horizons = [None, *base.scenario.kpis.horizons]
    base_series = {rep: part for rep, part in base.timeseries.groupby("replication")}
    frames = []
    for result in results:
        rate = result.scenario.economics.discount_rate
        window = result.scenario.economics.hazard_window if result.scenario.economics.lifetime else 0
        rows = []
        for rep, part in result.timeseries.groupby("replication"):
            row: dict[str, float] = {"replication": rep}
            for horizon in horizons:
                last = part["step"].max() if horizon is None else horizon
                suffix = "" if horizon is None else f"_at_{horizon}"
                mine, theirs = part[part["step"] <= last], base_series[rep]
                theirs = theirs[theirs["step"] <= last]
                split = split_value(mine, theirs, rate, window)
                row |= {f"{k}{suffix}": v for k, v in split.items() if k in AT_HORIZONS}
                row[f"incremental_spend{suffix}"] = mine["spend_total"].sum() - theirs["spend_total"].sum()
            if long is not None:
                mine, theirs = long[0][result.scenario.name], long[0][baseline]
                mine, theirs = (x[x["replication"] == rep] for x in (mine, theirs))
                split = split_value(mine, theirs, rate, window)
                row |= {k: split[k] for k in LONG_RUN_KPIS}
                row["long_run_extra_spend"] = mine["spend_total"].sum() - theirs["spend_total"].sum()
                row["long_run_week"] = float(long[1].week)
            rows.append(row)
        frames.append(result.kpis.merge(pd.DataFrame(rows), on="replication", how="left"))
    return pd.concat(frames, ignore_index=True)


def differences(kpis: pd.DataFrame, baseline: str, names: list[str]) -> pd.DataFrame:
    """Every KPI of every scenario against the baseline, paired by replication, with 95 % CIs.

    Columns: scenario, kpi, difference, lower, upper, n (replications where both are defined).
    Paired KPIs are already differences; cost_per_incremental_adopter is a ratio of means.
    """
    base = kpis[kpis["scenario"] == baseline].set_index("replication")
    rows = []
    for scenario, part in kpis[kpis["scenario"] != baseline].groupby("scenario", sort=False):
        part = part.set_index("replication")
        shared = part.index.intersection(base.index)
        for name in names:
            if name.split("_at_")[0] in RATIOS:
                suffix = name[len(name.split("_at_")[0]) :]
                spend, gained = (f"{c}{suffix}" for c in RATIOS[name.split("_at_")[0]])
                if gained not in part.columns:
                    continue
                spend, gained = part.loc[shared, spend].to_numpy(float), part.loc[shared, gained].to_numpy(float)
                estimate, n = cost_per_adopter(spend, gained), len(shared)
            elif name in part.columns and lookup(name) and lookup(name)[0].paired:
                values = part.loc[shared, name].to_numpy(float)
                estimate, n = mean_ci(values), int(np.isfinite(values).sum())
            elif name in part.columns and name in base.columns:
                mine, theirs = part.loc[shared, name].to_numpy(float), base.loc[shared, name].to_numpy(float)
                estimate, n = paired_ci(theirs, mine), int(np.isfinite(mine - theirs).sum())
            else:
                continue
            verdict = estimate[3] if len(estimate) > 3 else ""
            rows.append((scenario, name, *estimate[:3], n, verdict))
    return pd.DataFrame(rows, columns=["scenario", "kpi", "difference", "lower", "upper", "n", "verdict"])


def asking_for(
    scenarios: list[Scenario], targets: list[float], horizons: list[int], wanted: list[str]
) -> list[Scenario]:
    """Scenarios that also report the given targets and horizons and whatever `wanted` KPIs need."""
    for name in wanted:
        if kpi_problem(name):
            raise AdoptsimError(f"--rank-by: {kpi_problem(name)}")
    more_targets, more_horizons = requirements(wanted)
    updated = []
    for scenario in scenarios:
        late = [h for h in [*horizons, *more_horizons] if h > scenario.steps]
        if late:
            raise AdoptsimError(
                f"--horizon: step {late[0]} is after the last step ({scenario.steps}) of {scenario.name}"
            )
        settings = scenario.kpis.model_copy(
            update={
                "targets": sorted({*scenario.kpis.targets, *targets, *more_targets}),
                "horizons": sorted({*scenario.kpis.horizons, *horizons, *more_horizons}),
            }
        )
        updated.append(scenario.model_copy(update={"kpis": settings}))
    for name in wanted:
        found = lookup(name)
        if not found[0].paired and name not in run_kpi_names(updated[0]):
            raise AdoptsimError(f"--rank-by: {updated[0].name} does not report '{name}' (see its kpis.csv)")
    return updated


def compare(
    scenarios: list[Scenario],
    baseline: str,
    reps: int,
    seed: int,
    progress: bool = False,
    executor: Executor | None = None,
    long_run: LongRun | None = LONG_RUN,
) -> Comparison:
    """Run every scenario with the same seeds; pair each with the baseline (gains for good in the
    long run, see long_run.py; None skips it)."""
    names = [s.name for s in scenarios]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"scenario names must differ to be compared: {', '.join(sorted(duplicates))}")
    horizons = {tuple(s.kpis.horizons) for s in scenarios}
    if len(horizons) > 1:
        raise ValueError("scenarios must share their kpis.horizons to be compared (or give --horizon)")
    results = [run(s, reps=reps, seed=seed, progress=progress, executor=executor) for s in scenarios]
    long = long_run_series(results, baseline, seed, long_run, executor) if long_run else None
    table = paired_kpis(results, baseline, long)
    comparison = Comparison(
        results=results, baseline=baseline, kpis=table, differences=pd.DataFrame(), long_run=long and long[1]
    )
    comparison.differences = differences(table, baseline, comparison.kpi_names)
    return comparison


def ranked(summary: pd.DataFrame, by: str = "final_active_share") -> pd.DataFrame:
    """Scenarios best first by a KPI's mean (smallest first where smaller is better; undefined last)."""
    found = lookup(by)
    ascending = bool(found and found[0].smaller_is_better)
    return summary.sort_values(f"{by}_mean", ascending=ascending, kind="stable", na_position="last")
