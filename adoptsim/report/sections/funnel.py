"""The adoption funnel (unaware, aware, lapsed, active) over time: one small-multiple figure, a
panel per scenario."""

from __future__ import annotations

from adoptsim.figures import plots
from adoptsim.report.blocks import chart
from adoptsim.report.results import Results

TITLE = "Funnel"


def render(results: Results) -> list | None:
    series = results.timeseries
    if series is None or not set(plots.STAGE_COLUMNS) <= set(series.columns):
        return None
    results.use("funnel.png")
    return [chart("Adoption funnel by scenario", plots.funnel_grid_figure(series))]
