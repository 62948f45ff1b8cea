"""The adoption funnel (unaware, aware, lapsed, active) over time, one figure per scenario."""

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
    return [
        chart(f"Funnel: {name}", plots.funnel_figure(part, f"Adoption funnel: {name}"))
        for name, part in series.groupby("scenario", sort=False)
    ]
