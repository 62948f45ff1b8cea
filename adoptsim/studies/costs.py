"""Costs per extra adopter: ratios of mean extra spend to mean extra adopters, paired by replication."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoptsim.results.intervals import fieller


def cost_per_adopter(spend: np.ndarray, gained: np.ndarray) -> tuple[float, float, float, str]:
    """Fieller's ratio of mean extra spend to mean extra adopters, with a verdict where no cost is:
    'dominates' (cheaper and more adopters), 'undefined' (no extra spend, or no extra adopters),
    or where it has no upper bound: 'unbounded' (the extra adopters' interval reaches 0, so the
    cost could be any size; the estimate is kept, its bounds are not numbers)."""
    x, y = np.nanmean(spend), np.nanmean(gained)
    if y > 0 and x < 0:
        return float("nan"), float("nan"), float("nan"), "dominates"
    if y <= 0 or x == 0:
        return float("nan"), float("nan"), float("nan"), "undefined"
    ratio, low, high = fieller(spend, gained)
    pairs = int(np.sum(~(np.isnan(np.asarray(spend, float)) | np.isnan(np.asarray(gained, float)))))
    return ratio, low, high, "unbounded" if pairs >= 2 and np.isnan(high) else ""


def marginal_costs(kpis: pd.DataFrame, by: str = "point", groups: pd.Series | None = None) -> pd.DataFrame:
    """Cost of each extra adopter between successive spending levels of a sweep.

    Design points are put in order of mean total spend; between neighbours a and b, paired by
    replication (common random numbers), marginal cost = mean(spend_b - spend_a) /
    mean(ever_adopted_b - ever_adopted_a) with Fieller's 95 % interval. `groups` (a key per
    point) keeps neighbours within a group: in a grid of a reward and a network parameter, only
    points of the same network are spending levels of one another.
    """
    columns = [
        f"{by}_from",
        f"{by}_to",
        "spend_from",
        "spend_to",
        "extra_spend",
        "extra_adopters",
        "marginal_cost",
        "lower",
        "upper",
    ]
    levels = kpis.groupby(by)["total_spend"].mean()
    keys = pd.Series(0, index=levels.index) if groups is None else groups.reindex(levels.index)
    pairs = []
    for _, members in levels.groupby(keys, sort=False):
        ordered = members.sort_values(kind="stable").index
        pairs += list(zip(ordered[:-1], ordered[1:], strict=True))
    table = kpis.set_index([by, "replication"])
    rows = []
    for a, b in pairs:
        first, second = table.loc[a], table.loc[b]
        shared = first.index.intersection(second.index)
        spend = (second.loc[shared, "total_spend"] - first.loc[shared, "total_spend"]).to_numpy(float)
        gained = (second.loc[shared, "ever_adopted"] - first.loc[shared, "ever_adopted"]).to_numpy(float)
        ratio, low, high = fieller(spend, gained)
        rows.append([a, b, levels[a], levels[b], spend.mean(), gained.mean(), ratio, low, high])
    return pd.DataFrame(rows, columns=columns)
