"""The KPI registry and the statistics of replications (the per-step series: adoptsim/recorder.py).

Every KPI is declared once, in `KPIS`: its name (or a name pattern), unit, whether smaller is
better, and how it is computed from one replication's time series. Run KPIs are computed per
replication (`run_kpis`); paired KPIs (against a baseline on the same seed) are computed by
compare.py. Any KPI can be read at a horizon step as well as at the end: `<name>_at_<step>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, field_validator

from adoptsim.economics import money_kpis
from adoptsim.schema import OpenFraction, PositiveInt, StrictModel, did_you_mean
from adoptsim.segments import SEGMENTATIONS, segment_labels

if TYPE_CHECKING:
    import pandas as pd

    from adoptsim.scenario import Scenario

DEFAULT_TARGETS = (0.10, 0.25, 0.50)


class KpiSettings(StrictModel):
    """Which time-to-target KPIs a run reports, and the steps at which every KPI is also read."""

    targets: list[OpenFraction] = Field(
        list(DEFAULT_TARGETS), description="Shares for steps_to_<P>pct_active and steps_to_<P>pct_ever_adopted."
    )
    horizons: list[PositiveInt] = Field(
        default_factory=list, description="Steps at which every KPI is read too (suffix _at_<step>)."
    )

    @field_validator("targets", "horizons")
    @classmethod
    def _sorted_unique(cls, values: list) -> list:
        return sorted(set(values))


# ---------------------------------------------------------------- KPI formulas


def steps_to_reach(share: np.ndarray, level: float) -> float:
    """Time to target by linear interpolation between weekly rows; NaN if never reached.

    With k the first row where share >= level: t* = (k-1) + (level - s_{k-1}) / (s_k - s_{k-1});
    0 if the start already reaches it. Fractional weeks keep small differences visible.
    """
    hits = np.flatnonzero(share >= level)
    if not hits.size:
        return float("nan")
    k = int(hits[0])
    if k == 0:
        return 0.0
    before, after = share[k - 1], share[k]
    return float(k - 1 + (level - before) / (after - before))


def percent_label(level: float) -> str:
    """0.3 -> '30', 0.125 -> '12.5' (the <P> of steps_to_<P>pct_...)."""
    return f"{round(level * 100, 6):g}"


@dataclass(frozen=True)
class RunView:
    """One replication's time series up to the step KPIs are read at."""

    series: pd.DataFrame
    population: int
    discount_rate: float

    def column(self, name: str) -> np.ndarray:
        return self.series[name].to_numpy(dtype=float)

    def money(self) -> dict[str, float]:
        return money_kpis(self.column("margin"), self.column("spend_total"), self.discount_rate)


@dataclass(frozen=True)
class Kpi:
    """One KPI (or a family by name pattern): unit, direction, meaning, formula."""

    pattern: str
    unit: str
    smaller_is_better: bool
    meaning: str
    compute: Callable[[RunView, re.Match], float] | None = None
    """None for paired KPIs, which compare.py computes against the baseline."""

    def match(self, name: str) -> re.Match | None:
        return re.fullmatch(self.pattern, name)

    @property
    def paired(self) -> bool:
        return self.compute is None


def _first_step(flags: np.ndarray) -> float:
    hits = np.flatnonzero(flags > 0)
    return float(hits[0]) if hits.size else float("nan")


def _cost_per_adopter(v: RunView, m: re.Match) -> float:
    ever = v.column("n_ever_adopted")[-1]
    return float(v.column("spend_total").sum() / ever) if ever else float("nan")


SEGMENT_PATTERN = "|".join(sorted(SEGMENTATIONS, key=len, reverse=True))
KPIS: tuple[Kpi, ...] = (
    Kpi(
        "final_active_share",
        "share",
        False,
        "share of consumers active at the end",
        lambda v, m: float(v.column("share_active")[-1]),
    ),
    Kpi(
        "final_ever_adopted_share",
        "share",
        False,
        "share of consumers who ever adopted",
        lambda v, m: float(v.column("n_ever_adopted")[-1] / v.population),
    ),
    Kpi(
        "ever_adopted",
        "adopters",
        False,
        "consumers who ever adopted, N(T)",
        lambda v, m: float(v.column("n_ever_adopted")[-1]),
    ),
    Kpi(
        "peak_weekly_adoptions",
        "adopters/week",
        False,
        "largest number of adoptions in one step",
        lambda v, m: float(v.column("new_adopters").max()),
    ),
    Kpi(
        "peak_adoption_step",
        "weeks",
        True,
        "step of the largest number of adoptions",
        lambda v, m: float(v.column("step")[int(v.column("new_adopters").argmax())]),
    ),
    Kpi(
        r"steps_to_(?P<p>\d+(?:\.\d+)?)pct_(?P<what>active|ever_adopted)",
        "weeks",
        True,
        "weeks until the share active (or ever adopted) first reaches P %, interpolated; NaN if never",
        lambda v, m: steps_to_reach(v.column(f"share_{m['what']}"), float(m["p"]) / 100),
    ),
    Kpi(
        rf"final_active_share_(?P<segment>(?:{SEGMENT_PATTERN})_.+)",
        "share",
        False,
        "share of a segment active at the end (age, region, income, online, agegroup_region)",
        lambda v, m: float(v.column(f"share_active_{m['segment']}")[-1]),
    ),
    Kpi(
        "total_transactions",
        "payments",
        False,
        "wallet payments over the run",
        lambda v, m: float(v.column("transactions").sum()),
    ),
    Kpi(
        "payment_volume",
        "money",
        False,
        "value of wallet payments over the run",
        lambda v, m: float(v.column("payment_volume").sum()),
    ),
    Kpi(
        "revenue",
        "money",
        False,
        "the wallet's fee revenue over the run",
        lambda v, m: float(v.column("revenue").sum()),
    ),
    Kpi(
        "customer_value",
        "money",
        False,
        "net present value of the margin from wallet use",
        lambda v, m: v.money()["customer_value"],
    ),
    Kpi("total_spend", "money", True, "money paid by interventions", lambda v, m: float(v.column("spend_total").sum())),
    Kpi(
        "net_value",
        "money",
        False,
        "customer value minus discounted intervention spend",
        lambda v, m: v.money()["net_value"],
    ),
    Kpi(
        "roi",
        "ratio",
        False,
        "net value per unit of discounted spend; NaN without spend",
        lambda v, m: v.money()["roi"],
    ),
    Kpi("cost_per_adopter", "money", True, "total spend per consumer who ever adopted", _cost_per_adopter),
    Kpi(
        r"budget_exhausted_step_(?P<name>.+)",
        "weeks",
        False,
        "first step at which an intervention could not pay for all it wanted; NaN if never",
        lambda v, m: _first_step(v.column(f"exhausted_{m['name']}")),
    ),
    Kpi("incremental_adopters", "adopters", False, "N1(T) - N0(T): ever adopted against the baseline"),
    Kpi("expansion_adopters", "adopters", False, "adopters gained for good: N1(T) - N0(T) at the horizon"),
    Kpi(
        "acceleration_adopter_weeks",
        "adopter-weeks",
        False,
        "adoption that only came sooner: sum_t max(0, min(N1(t), N0(T)) - N0(t))",
    ),
    Kpi(
        "cost_per_incremental_adopter",
        "money",
        True,
        "incremental spend over incremental adopters, a ratio of means (Fieller interval)",
    ),
    Kpi("incremental_customer_value", "money", False, "customer value against the baseline"),
    Kpi("acceleration_value", "money", False, "the part of incremental customer value from earlier adoption"),
    Kpi("expansion_value", "money", False, "incremental customer value minus its acceleration part"),
    Kpi("incremental_net_value", "money", False, "incremental customer value minus incremental discounted spend"),
)

HORIZON = re.compile(r"(?P<base>.+)_at_(?P<step>\d+)")


def lookup(name: str) -> tuple[Kpi, re.Match, int | None] | None:
    """The registry entry of a KPI name, its match, and its horizon step (None: at the end)."""
    at = HORIZON.fullmatch(name)
    candidates = ([(at["base"], int(at["step"]))] if at else []) + [(name, None)]
    for candidate, horizon in candidates:
        for kpi in KPIS:
            found = kpi.match(candidate)
            if found:
                return kpi, found, horizon
    return None


def kpi_problem(name: str, paired: bool = True) -> str | None:
    """Why `name` is not a KPI (or, with paired=False, not one a single run reports), or None."""
    found = lookup(name)
    if found is None:
        examples = [k.pattern for k in KPIS if k.pattern.isidentifier()] + ["steps_to_30pct_active"]
        return f"unknown metric '{name}' ({did_you_mean(HORIZON.sub(r'\g<base>', name), examples)})"
    if found[0].paired and not paired:
        return f"'{name}' is a difference against a baseline, reported by compare only"
    return None


def smaller_is_better(name: str) -> bool:
    found = lookup(name)
    return bool(found and found[0].smaller_is_better)


def requirements(names: list[str]) -> tuple[list[float], list[int]]:
    """Targets and horizons a list of KPI names needs the runs to report."""
    targets, horizons = set(), set()
    for name in names:
        found = lookup(name)
        if found is None:
            continue
        _, match, horizon = found
        if "p" in match.groupdict():
            targets.add(float(match["p"]) / 100)
        if horizon is not None:
            horizons.add(horizon)
    return sorted(targets), sorted(horizons)


def run_kpi_names(scenario: Scenario, horizons: bool = True) -> list[str]:
    """Every run KPI a scenario reports, in order (at the end, then at each horizon)."""
    settings = scenario.kpis
    names = [
        "final_active_share",
        "final_ever_adopted_share",
        "ever_adopted",
        "peak_weekly_adoptions",
        "peak_adoption_step",
    ]
    names += [f"steps_to_{percent_label(t)}pct_{what}" for what in ("active", "ever_adopted") for t in settings.targets]
    names += [
        "total_transactions",
        "payment_volume",
        "revenue",
        "customer_value",
        "total_spend",
        "net_value",
        "roi",
        "cost_per_adopter",
    ]
    labels = segment_labels(list(scenario.population.age_groups), list(scenario.population.regions))
    names += [f"final_active_share_{segment}_{label}" for segment, label in labels]
    budget = [f"budget_exhausted_step_{iv.name}" for iv in scenario.interventions]
    if not horizons:
        return names
    return names + budget + [f"{n}_at_{h}" for h in settings.horizons for n in names]


def headline_kpis(scenario: Scenario) -> list[str]:
    """Run KPIs worth printing: all but the per-segment ones."""
    return [n for n in run_kpi_names(scenario) if not lookup(n)[0].pattern.startswith("final_active_share_")]


def run_kpis(series: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """KPIs of one replication from its time series, at the end and at each horizon."""
    population, rate = scenario.population.size, scenario.economics.discount_rate
    views = {None: RunView(series, population, rate)}
    views |= {h: RunView(series.iloc[: h + 1], population, rate) for h in scenario.kpis.horizons}
    kpis: dict[str, float] = {}
    for name in run_kpi_names(scenario):
        kpi, match, horizon = lookup(name)
        kpis[name] = kpi.compute(views[horizon], match)
    return kpis


# ---------------------------------------------------------------- statistics of replications


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

    Intervals of shares are clipped to [0, 1]. `n` counts replications where the metric is
    defined (e.g. a threshold actually reached).
    """
    import pandas as pd

    rows = []
    groups = table.groupby(by, sort=False) if by else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            values = part[metric].to_numpy(dtype=float)
            defined = values[~np.isnan(values)]
            mean, low, high = mean_ci(defined)
            found = lookup(metric)
            if found and found[0].unit == "share" and not np.isnan(low):
                low, high = max(low, 0.0), min(high, 1.0)
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


def paired_ci(baseline: np.ndarray, other: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of the paired differences other_r - baseline_r with its t interval.

    Replications where either value is undefined (NaN) drop out of both.
    """
    return mean_ci(np.asarray(other, dtype=float) - np.asarray(baseline, dtype=float), level)


def fieller(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Ratio of means R = mean(x)/mean(y) of paired samples, with Fieller's interval.

    The bounds are the roots in R of (x̄ - R ȳ)^2 = t^2 (s_xx - 2 R s_xy + R^2 s_yy) / n, i.e.
    a R^2 + b R + c = 0 with a = ȳ^2 - g s_yy, b = -2 (x̄ ȳ - g s_xy), c = x̄^2 - g s_xx, g = t^2/n.
    When a <= 0 (ȳ not clearly away from 0) the set is unbounded and the bounds are NaN.
    """
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = x.size
    if n == 0 or y.mean() == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(x.mean() / y.mean())
    if n < 2:
        return ratio, float("nan"), float("nan")
    covariance = np.cov(x, y, ddof=1)
    g = stats.t.ppf(0.5 + level / 2, n - 1) ** 2 / n
    a = y.mean() ** 2 - g * covariance[1, 1]
    b = -2 * (x.mean() * y.mean() - g * covariance[0, 1])
    c = x.mean() ** 2 - g * covariance[0, 0]
    discriminant = b * b - 4 * a * c
    if a <= 0 or discriminant < 0:
        return ratio, float("nan"), float("nan")
    root = np.sqrt(discriminant)
    return ratio, float((-b - root) / (2 * a)), float((-b + root) / (2 * a))
