"""The ranking a planner reads: scenarios best first by one KPI, with statistical ties marked.

Scenarios ran on common random numbers, so two scenarios are compared replication by replication:
the difference d_r = x_r(scenario) - x_r(leader) has mean d and a t interval d +- t_{n-1} s_d / sqrt(n).
A scenario is *tied* with its group's leader when that interval contains 0 (chance alone could
order them). Where fewer than two replications pair up (a target reached in too few of them), the
two scenarios' own 95 % intervals are compared instead: overlapping intervals are a tie.
A target (weeks to a share) not reached in a replication is later than the run: scenarios rank
first by the share of replications that reached it, then by the mean weeks of those that did
(a mean over fewer, earlier replications is not comparable), and one that reached it in fewer
replications than its group's leader is not tied with it.
Groups are formed greedily: the first scenario leads group 1; each next scenario joins the current
group if tied with its leader, else it leads the next group.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from adoptsim.results.intervals import mean_ci
from adoptsim.results.kpis import lookup

COLUMNS = ["rank", "tie_group", "tied_with_first", "scenario", "metric", "mean", "ci_low", "ci_high", "reached", "of"]
COLUMNS += ["difference_to_leader", "difference_low", "difference_high", "tie_test"]


def smaller_is_better(metric: str) -> bool:
    """Whether a KPI is better small (weeks to a target, cost): from the KPI registry."""
    found = lookup(metric)
    if found is not None:
        return bool(found[0].smaller_is_better)
    return metric.startswith("steps_to_") or "cost" in metric


def _paired(by_replication: pd.DataFrame | None, metric: str, a: str, b: str) -> tuple[float, float, float] | None:
    """Mean and 95 % CI of x(a) - x(b) over replications both reached, or None below two pairs."""
    if by_replication is None or metric not in by_replication or "replication" not in by_replication:
        return None
    table = by_replication.pivot_table(index="replication", columns="scenario", values=metric, aggfunc="first")
    if a not in table or b not in table:
        return None
    differences = (table[a] - table[b]).dropna().to_numpy(dtype=float)
    if differences.size < 2:
        return None
    return mean_ci(differences)


def ranking(summary: pd.DataFrame, by: str, by_replication: pd.DataFrame | None = None) -> pd.DataFrame:
    """Scenarios best first by `by` (compare's wide `kpis.csv`: `<by>_mean`, `_ci_low`, `_ci_high`),
    with rank, tie group and the paired difference to the group's leader."""
    ascending = smaller_is_better(by)
    counts: dict[str, tuple[int, int]] = {}
    if by_replication is not None and by in by_replication:
        for name, part in by_replication.groupby("scenario", sort=False):
            counts[str(name)] = (int(part[by].notna().sum()), len(part))
    target = by.startswith("steps_to_")

    def reached_share(name: str) -> float:
        done, of = counts.get(name, (1, 1))
        return done / of if target and of else 1.0

    share = summary["scenario"].astype(str).map(reached_share)
    keys = pd.DataFrame({"reached": -share, "mean": summary[f"{by}_mean"]}, index=summary.index)
    order = keys.sort_values(["reached", "mean"], ascending=[True, ascending], kind="stable", na_position="last")
    table = summary.loc[order.index]
    rows, group, leader = [], 0, None
    for rank, row in enumerate(table.to_dict("records"), start=1):
        name = str(row["scenario"])
        mean, low, high = (float(row.get(f"{by}_{s}", math.nan)) for s in ("mean", "ci_low", "ci_high"))
        difference, test = (math.nan, math.nan, math.nan), ""
        tied = False
        reached, of = counts.get(name, (int(row.get("replications", 0) or 0),) * 2)
        if leader is not None and math.isnan(mean) and math.isnan(leader["mean"]):
            test, tied = "never", True  # neither reached it (or both undefined): nothing orders them
        elif target and leader is not None and not math.isnan(mean) and reached < leader["reached"]:
            test = "reached"  # later than the run in a replication where the leader was not: behind
        elif leader is not None and not math.isnan(mean):
            paired = _paired(by_replication, by, name, leader["scenario"])
            if paired is not None and not math.isnan(paired[1]):
                difference, test = paired, "paired"
                tied = paired[1] <= 0 <= paired[2]
            else:
                test = "overlap"
                tied = not (math.isnan(low) or math.isnan(leader["ci_low"])) and (
                    low <= leader["ci_high"] and leader["ci_low"] <= high
                )
        if leader is None or not tied:
            group += 1
            leader = {"scenario": name, "mean": mean, "ci_low": low, "ci_high": high, "reached": reached}
        rows.append(
            {
                "rank": rank,
                "tie_group": group,
                "tied_with_first": group == 1 and rank > 1,
                "scenario": name,
                "metric": by,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "reached": reached,
                "of": of,
                "difference_to_leader": difference[0],
                "difference_low": difference[1],
                "difference_high": difference[2],
                "tie_test": test,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def tie_note(row: dict, ranking_table: pd.DataFrame) -> str:
    """'tied with the first: ...' or 'tied with lever_x: ...', or '' for a group's leader."""
    leaders = ranking_table.drop_duplicates("tie_group").set_index("tie_group")["scenario"]
    leader = leaders.get(row["tie_group"])
    if leader is None or leader == row["scenario"]:
        return ""
    who = "the first" if row["tie_group"] == 1 else leader
    if row["tie_test"] == "paired":
        return f"tied with {who}: the paired 95 % CI of the difference includes 0"
    if row["tie_test"] == "never":
        return f"tied with {who}: neither reached it" if row["metric"].startswith("steps_to_") else f"tied with {who}"
    return f"tied with {who}: intervals overlap"


def finite(value) -> bool:
    """A number that is neither None nor NaN nor infinite."""
    try:
        return value is not None and bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False
