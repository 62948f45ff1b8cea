"""Adoption curves with their 95 % CI bands, the interventions' actual windows under them."""

from __future__ import annotations

from adoptsim.figures import plots
from adoptsim.report.blocks import chart
from adoptsim.report.results import Results

TITLE = "Adoption over time"
PRINTED = True


def render(results: Results) -> list | None:
    series = results.timeseries
    if series is None or "share_active" not in series:
        return None
    results.use("timeseries.csv", "adoption.png", "comparison.png")
    windows = {name: ws for name, ws in results.windows.items() if ws}
    if results.kind == "run":
        name = results.scenario_names[0]
        static = plots.adoption_figure(series, name, windows.get(name))
    else:
        static = plots.comparison_figure(series, results.baseline or "", "ci", windows)
    blocks = [chart("Active users", static)]
    if "share_ever_adopted" in series and results.kind != "run":
        blocks.append(
            chart(
                "Ever adopted",
                plots.comparison_figure(series, results.baseline or "", "ci", windows, "share_ever_adopted"),
            )
        )
    return blocks
