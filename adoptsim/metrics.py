"""Per-step aggregates (the Recorder) and per-run KPIs.

Names follow one convention: `n_` counts, `new_` flows in a step, `share_` fractions,
`spend_` money in a step. Row `step` k is the state after k steps; row 0 is the start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from adoptsim.stages import Stage

if TYPE_CHECKING:
    from adoptsim.model import StepOutcome, WalletAdoptionModel

THRESHOLDS = (0.10, 0.25, 0.50)

KPI_NAMES = (
    "final_active_share",
    "final_ever_adopted_share",
    "peak_weekly_adoptions",
    "peak_adoption_step",
    "steps_to_10pct_active",
    "steps_to_25pct_active",
    "steps_to_50pct_active",
    "total_transactions",
    "total_spend",
    "cost_per_adopter",
)
"""KPIs of one run; compare adds incremental_adopters and cost_per_incremental_adopter."""


class Recorder:
    """Preallocated columns, one row per step (0..steps)."""

    def __init__(self, model: WalletAdoptionModel, steps: int) -> None:
        rows = steps + 1
        self.rows = 0
        self.columns: dict[str, np.ndarray] = {}
        names = [
            "n_unaware",
            "n_aware",
            "n_active",
            "n_lapsed",
            "n_ever_adopted",
            "new_aware",
            "new_adopters",
            "new_lapses",
            "n_merchants_accepting",
            "share_active",
            "share_ever_adopted",
            "share_merchants_accepting",
            "mean_trust",
            "transactions",
        ]
        names += [f"share_active_age_{g}" for g in model.age_group_labels]
        names += [f"share_active_region_{r}" for r in model.region_labels]
        names += [f"spend_{name}" for name in model.intervention_names] + ["spend_total"]
        for name in names:
            self.columns[name] = np.zeros(rows)
        self._group_sizes = np.bincount(model.people.age_group, minlength=len(model.age_group_labels))
        self._region_sizes = np.bincount(model.people.region, minlength=len(model.region_labels))

    def record(self, model: WalletAdoptionModel, row: int, outcome: StepOutcome | None) -> None:
        """Aggregate the model's arrays into row `row`."""
        self.rows = row + 1
        people, c = model.people, self.columns
        counts = np.bincount(people.stage, minlength=len(Stage))
        n = people.size
        c["n_unaware"][row], c["n_aware"][row], c["n_active"][row], c["n_lapsed"][row] = counts
        c["n_ever_adopted"][row] = people.ever_adopted.sum()
        c["share_active"][row] = counts[Stage.ACTIVE] / n
        c["share_ever_adopted"][row] = c["n_ever_adopted"][row] / n
        accepting = model.shops.accepts.sum()
        c["n_merchants_accepting"][row] = accepting
        c["share_merchants_accepting"][row] = accepting / max(model.shops.size, 1)
        c["mean_trust"][row] = people.trust.mean()
        active = people.stage == Stage.ACTIVE
        by_group = np.bincount(people.age_group, weights=active, minlength=self._group_sizes.size)
        for g, label in enumerate(model.age_group_labels):
            c[f"share_active_age_{label}"][row] = by_group[g] / max(self._group_sizes[g], 1)
        by_region = np.bincount(people.region, weights=active, minlength=self._region_sizes.size)
        for r, label in enumerate(model.region_labels):
            c[f"share_active_region_{label}"][row] = by_region[r] / max(self._region_sizes[r], 1)
        if outcome is not None:
            c["new_aware"][row] = outcome.new_aware
            c["new_adopters"][row] = outcome.new_adopters.sum()
            c["new_lapses"][row] = outcome.new_lapses
            c["transactions"][row] = outcome.transactions.sum()
            for name, spend in outcome.spend.items():
                c[f"spend_{name}"][row] = spend
            c["spend_total"][row] = sum(outcome.spend.values())

    def table(self) -> pd.DataFrame:
        """The time series of the steps run so far, as a tidy table."""
        frame = pd.DataFrame({name: values[: self.rows] for name, values in self.columns.items()})
        frame.insert(0, "step", np.arange(len(frame)))
        return frame


def steps_to_reach(share: np.ndarray, level: float) -> float:
    """First step at which `share` reaches `level`, NaN if never."""
    hits = np.flatnonzero(share >= level)
    return float(hits[0]) if hits.size else float("nan")


def run_kpis(series: pd.DataFrame, population: int) -> dict[str, float]:
    """KPIs of one replication from its time series."""
    share = series["share_active"].to_numpy()
    adoptions = series["new_adopters"].to_numpy()
    ever = float(series["n_ever_adopted"].iloc[-1])
    spend = float(series["spend_total"].sum())
    kpis = {
        "final_active_share": float(share[-1]),
        "final_ever_adopted_share": ever / population,
        "peak_weekly_adoptions": float(adoptions.max()),
        "peak_adoption_step": float(series["step"].iloc[int(adoptions.argmax())]),
        "total_transactions": float(series["transactions"].sum()),
        "total_spend": spend,
        "cost_per_adopter": spend / ever if ever else float("nan"),
    }
    for level in THRESHOLDS:
        kpis[f"steps_to_{int(level * 100)}pct_active"] = steps_to_reach(share, level)
    return {name: kpis[name] for name in KPI_NAMES}


def ci_half_width(sd, n, level: float = 0.95):
    """Half-width of the t-based confidence interval of a mean: t_{n-1} * sd / sqrt(n).

    Works elementwise on arrays and Series (sd and n per group); meaningless for n < 2.
    """
    from scipy import stats

    return stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the t-based confidence interval of the mean (NaN bounds for one value)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = ci_half_width(values.std(ddof=1), values.size, level)
    return mean, mean - half, mean + half


def summarize(table: pd.DataFrame, metrics: list[str], by: list[str] | None = None) -> pd.DataFrame:
    """Tidy summary: one row per group and metric with n, mean, sd, ci_low, ci_high (95 %).

    `n` counts replications where the metric is defined (e.g. a threshold actually reached).
    """
    rows = []
    groups = table.groupby(by, sort=False) if by else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            values = part[metric].to_numpy(dtype=float)
            defined = values[~np.isnan(values)]
            mean, low, high = mean_ci(defined)
            sd = float(defined.std(ddof=1)) if defined.size > 1 else float("nan")
            rows.append(
                {
                    **dict(zip(by or [], key, strict=True)),
                    "metric": metric,
                    "n": defined.size,
                    "of": values.size,
                    "mean": mean,
                    "sd": sd,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(rows)
