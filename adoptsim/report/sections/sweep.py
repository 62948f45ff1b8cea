"""A sweep's design points: mean and 95 % CI of each metric, and the figures the sweep drew."""

from __future__ import annotations

import base64

from adoptsim.figures.formatting import kpi_label, parameter_label, with_interval
from adoptsim.report.blocks import Chart, Table
from adoptsim.report.results import Results

TITLE = "Sweep results"
FIGURES = ("response_", "heatmap_", "scatter_")


def embedded(results: Results, name: str, title: str) -> Chart:
    """A PNG the command wrote, inline."""
    results.use(name)
    return Chart(title=title, png=base64.b64encode((results.folder / name).read_bytes()).decode("ascii"))


def render(results: Results) -> list | None:
    summary = results.table("summary.csv")
    if summary is None or not {"point", "metric", "mean"} <= set(summary.columns):
        return None
    results.use("summary.csv", "design.csv")
    columns = list(summary.columns)
    parameters = columns[1 : columns.index("metric")]
    metrics = list(dict.fromkeys(summary["metric"]))
    cells = {(r["point"], r["metric"]): r for r in summary.to_dict("records")}
    rows = []
    for point, part in summary.groupby("point", sort=True):
        first = part.iloc[0]
        row = [str(point), *[str(first[p]) for p in parameters]]
        for metric in metrics:
            r = cells.get((point, metric))
            row.append(
                "-" if r is None else with_interval(metric, r["mean"], r["ci_low"], r["ci_high"], results.currency)
            )
        rows.append(row)
    header = ["point", *[parameter_label(p) for p in parameters], *[kpi_label(m) for m in metrics]]
    blocks: list = [
        Table(header, rows, "Mean (95 % CI of the mean over replications) per design point.", 1 + len(parameters))
    ]
    for name in results.files(".png"):
        if name.startswith(FIGURES):
            kind, _, metric = name[: -len(".png")].partition("_")
            blocks.append(embedded(results, name, f"{kind}: {kpi_label(metric)}"))
    return blocks
