"""The KPIs of one replication, computed from its per-step series (adoptsim/results/recorder.py).

Which KPIs exist, and how each is computed, is the registry in kpis.py; this module applies it
(`run_kpis`, `run_kpi_names`, `requirements`). Intervals over replications are in intervals.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adoptsim.results.kpis import HORIZON, KPIS, RunView, lookup
from adoptsim.scenario.schema import did_you_mean

if TYPE_CHECKING:
    import pandas as pd

    from adoptsim.scenario.spec import Scenario


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
    """Every run KPI a scenario reports, in registry order (at the end, then at each horizon)."""
    run = [kpi for kpi in KPIS if not kpi.paired]
    names = [name for kpi in run if kpi.at_horizons for name in kpi.names(scenario)]
    if not horizons:
        return names
    once = [name for kpi in run if not kpi.at_horizons for name in kpi.names(scenario)]
    return names + once + [f"{n}_at_{h}" for h in scenario.kpis.horizons for n in names]


def headline_kpis(scenario: Scenario) -> list[str]:
    """Run KPIs worth printing: all but the per-segment ones."""
    return [n for n in run_kpi_names(scenario) if not lookup(n)[0].pattern.startswith("final_active_share_")]


def run_kpis(series: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """KPIs of one replication from its time series, at the end and at each horizon."""
    population, rate = scenario.population.size, scenario.economics.discount_rate
    window = scenario.economics.hazard_window if scenario.economics.lifetime else 0
    views = {None: RunView(series, population, rate, window)}
    views |= {h: RunView(series.iloc[: h + 1], population, rate, window) for h in scenario.kpis.horizons}
    kpis: dict[str, float] = {}
    for name in run_kpi_names(scenario):
        kpi, match, horizon = lookup(name)
        kpis[name] = kpi.compute(views[horizon], match)
    return kpis
