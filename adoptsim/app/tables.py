"""What the page shows of finished runs: the KPI table, worded and formatted as in the report
(`figures/formatting.py`, the KPI registry's labels), and the bands of the replications.

A band is the spread of the replications, lowest to highest (`plot_style.mean_band(band="range")`):
with 3 to 5 replications a 95 % interval of the mean would be wider than the runs themselves,
and the spread always contains the drawn line, replication 0, which is one of them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from adoptsim.figures.formatting import kpi_kind, kpi_label, kpi_value, with_interval
from adoptsim.figures.plot_style import mean_band
from adoptsim.results.metrics import headline_kpis
from adoptsim.scenario.spec import Scenario

BAND_COLUMNS = ("share_active",)


def replication_bands(runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per banded column: step, mean, low, high and n over the replications in `runs`."""
    return {column: mean_band(runs, column, band="range") for column in BAND_COLUMNS}


def _missing(name: str, value: float) -> str | None:
    """Words for a KPI without a number: a target not reached, an event that never happened, a
    ratio without spend."""
    if value is not None and not math.isnan(value):
        return None
    if name.startswith("steps_to_"):
        return "not reached"
    kind = kpi_kind(name)
    if kind in ("week", "duration"):
        return "never"
    if kind in ("ratio", "money"):
        return "undefined (no spend)"
    return "-"


def cell(name: str, value: float, currency: str) -> str:
    """One KPI value as the report writes it, or the words for a missing one."""
    return _missing(name, value) or kpi_value(name, value, currency)


def spread_cell(name: str, values: list[float], currency: str) -> str:
    """The replications' mean with their lowest and highest; for targets, 'reached in k of n'."""
    if not values:
        return "running..."
    numbers = np.array(values, dtype=float)
    reached = numbers[~np.isnan(numbers)]
    if reached.size == 0:
        if name.startswith("steps_to_"):
            return f"reached in 0 of {numbers.size}"
        return f"{_missing(name, math.nan)} (all {numbers.size})"
    text = with_interval(name, float(reached.mean()), float(reached.min()), float(reached.max()), currency)
    if reached.size < numbers.size:
        word = "reached" if kpi_kind(name) in ("week", "duration") else "defined"
        text += f"; {word} in {reached.size} of {numbers.size}"
    return text


def kpi_rows(
    scenario: Scenario, this_run: dict[str, float], per_rep: list[dict[str, float]]
) -> list[tuple[str, str, str]]:
    """(label, this run, mean of the replications (lowest to highest)) per headline KPI."""
    currency = scenario.economics.currency
    return [
        (
            kpi_label(name),
            cell(name, this_run[name], currency),
            spread_cell(name, [kpis[name] for kpis in per_rep], currency),
        )
        for name in headline_kpis(scenario)
    ]
