"""Spend against extra adopters, with lines of equal cost per extra adopter."""

from __future__ import annotations

from adoptsim.figures import kpi_plots
from adoptsim.report.blocks import chart
from adoptsim.report.results import Results

TITLE = "Cost-effectiveness"
PRINTED = True
NEEDED = [f"{kpi}_{stat}" for kpi in ("incremental_adopters", "total_spend") for stat in ("mean", "ci_low", "ci_high")]


def render(results: Results) -> list | None:
    wide = results.wide
    if wide is None or not set(NEEDED) <= set(wide.columns):
        return None
    results.use("cost_effectiveness.png")
    return [
        chart(
            "Spend and extra adopters",
            kpi_plots.cost_effectiveness_figure(wide, results.currency),
            "Grey lines, each with its own dash: equal cost per extra adopter; a point below a line costs less.",
        )
    ]
