"""When each intervention acted: its planned window, and the actual one where its money ran out.

Derived from what a run writes (the resolved scenario and `spend_<name>` columns), so plots and
the report read the same answer. Row k of a time series is the state after step k-1, so money
paid in (0-based) step s is in row s + 1.

An intervention's budget ran out in a replication when the engine flagged it (`exhausted_<name>`:
it could not pay for all it wanted, e.g. a 500 merchant deal left with 234 of its budget), or,
in folders written before that column, when it spent at least `EXHAUSTED` of its own `budget`
or every intervention together spent that share of a scenario-level `budget` (a number or a
mapping with `total`). Its actual window is then its planned window cut at its
last step with spend > 0; the window shown is the median over replications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from adoptsim.interventions.base import planned_end as planned

EXHAUSTED = 0.99
"""Share of a budget spent that counts as run out (unit costs rarely divide a budget exactly)."""


@dataclass(frozen=True)
class Window:
    """One intervention's timing in 0-based steps (weeks), both ends inclusive."""

    name: str
    type: str
    start: int
    planned_end: int
    end: int
    ran_out: float | None
    ran_out_in: int
    replications: int
    last_paid: float | None = None
    """Median over replications of its last step with spend, where it paid in more than one step
    (a one-off cost says nothing about when it stopped); None without spend columns."""

    @property
    def stopped_paying(self) -> bool:
        """Whether it paid nothing for at least its last two acting weeks, though its money lasted:
        e.g. training with no one left to train (it acts only by paying for seats)."""
        return self.ran_out is None and self.last_paid is not None and self.last_paid < self.end - 1

    @property
    def paid_to(self) -> int:
        """The last week it paid for what it did: its end, or its last paid step where it stopped paying."""
        return int(self.last_paid) if self.stopped_paying and self.last_paid is not None else self.end

    @property
    def cut_short(self) -> bool:
        """Whether the money ran out before the planned end (in most replications)."""
        return self.end < self.planned_end


def shared_budget(scenario: Mapping[str, Any]) -> float | None:
    """The scenario-level budget total, if the scenario has one."""
    budget = scenario.get("budget")
    if isinstance(budget, Mapping):
        budget = budget.get("total")
    return float(budget) if isinstance(budget, int | float) else None


def _ran_out_step(
    spend: np.ndarray,
    budget: float | None,
    pool: np.ndarray | None,
    pool_budget: float | None,
    flagged: np.ndarray | None = None,
):
    """Last paid step of one replication if its money (own or shared) ran out, else None."""
    if flagged is not None:
        ran_out = bool(np.any(flagged > 0))
    else:
        own = budget is not None and spend.sum() >= EXHAUSTED * budget
        ran_out = own or (pool_budget is not None and pool is not None and pool.sum() >= EXHAUSTED * pool_budget)
    if not ran_out:
        return None
    paid = np.flatnonzero(spend > 0)
    return int(paid[-1]) - 1 if paid.size else -1


def intervention_windows(scenario: Mapping[str, Any], timeseries: pd.DataFrame | None = None) -> list[Window]:
    """Planned and actual windows of every intervention of one scenario (a resolved-scenario mapping).

    `timeseries` holds that scenario's rows (any number of replications); without it, or without
    a `spend_<name>` column, the actual window is the planned one.
    """
    steps = int(scenario["steps"])
    pool_budget = shared_budget(scenario)
    if timeseries is not None and "replication" in timeseries:
        replications = [part.sort_values("step") for _, part in timeseries.groupby("replication")]
    elif timeseries is not None:
        replications = [timeseries.sort_values("step")]
    else:
        replications = []
    windows = []
    for iv in scenario.get("interventions") or []:
        name, start = str(iv["name"]), int(iv.get("start") or 0)
        last = planned(start, iv.get("end"), iv.get("duration"), iv.get("start_when") is not None)
        planned_end = min(steps - 1 if last is None else int(last), steps - 1)
        column = f"spend_{name}"
        ends, outs, lasts = [], [], []
        for part in replications:
            if column not in part:
                continue
            spend = part[column].fillna(0.0).to_numpy()
            pool = part["spend_total"].fillna(0.0).to_numpy() if "spend_total" in part else None
            flag = f"exhausted_{name}"
            flagged = part[flag].fillna(0.0).to_numpy() if flag in part else None
            out = _ran_out_step(spend, iv.get("budget"), pool, pool_budget, flagged)
            paid = np.flatnonzero(spend > 0)
            if paid.size > 1:
                lasts.append(int(paid[-1]) - 1)
            ends.append(planned_end if out is None else min(out, planned_end))
            if out is not None:
                outs.append(out)
        end = int(np.floor(np.median(ends))) if ends else planned_end
        windows.append(
            Window(
                name=name,
                type=str(iv.get("type", "")),
                start=start,
                planned_end=planned_end,
                end=end,
                ran_out=float(np.median(outs)) if outs else None,
                ran_out_in=len(outs),
                replications=len(ends),
                last_paid=float(np.median(lasts)) if lasts else None,
            )
        )
    return windows


def windows_by_scenario(scenarios: list[Mapping[str, Any]], timeseries: pd.DataFrame) -> dict[str, list[Window]]:
    """Windows of several scenarios whose rows share one table (a `scenario` column)."""
    return {
        s["name"]: intervention_windows(s, timeseries[timeseries["scenario"] == s["name"]])
        for s in scenarios
        if s.get("interventions")
    }
