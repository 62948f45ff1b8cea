"""A sweep's design points: mean and 95 % CI of each metric, and the figures the sweep drew."""

from __future__ import annotations

import base64

from adoptsim.figures.formatting import kpi_label, parameter_label, with_interval
from adoptsim.report.blocks import Chart, Table
from adoptsim.report.ranking import finite
from adoptsim.report.results import Results
from adoptsim.report.sections.brief_studies import swept_parameters

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
    parameters = swept_parameters(summary)
    metrics = list(dict.fromkeys(summary["metric"]))
    cells = {(r["point"], r["metric"]): r for r in summary.to_dict("records")}
    rows = []
    for point, part in summary.groupby("point", sort=True):
        first = part.iloc[0]
        row = [str(point), *[str(first[p]) for p in parameters]]
        for metric in metrics:
            row.append(cell(metric, cells.get((point, metric)), results.currency))
        rows.append(row)
    money = [results.currency if results.holds_money(p) else None for p in parameters]
    header = ["point", *map(parameter_label, parameters, money), *[kpi_label(m) for m in metrics]]
    blocks: list = [
        Table(
            header,
            rows,
            "Mean (95 % CI of the mean over replications) per design point; a target reached in only some "
            "replications is the mean of those, and says in how many.",
            1 + len(parameters),
        )
    ]
    for name in results.files(".png"):
        if name.startswith(FIGURES):
            kind, _, metric = name[: -len(".png")].partition("_")
            blocks.append(embedded(results, name, f"{kind}: {kpi_label(metric)}"))
    return blocks


def cell(metric: str, row: dict | None, currency: str) -> str:
    """A design point's mean and interval; for a target, in how many replications it was reached
    when not in all ('never a number' for one never reached)."""
    if row is None:
        return "-"
    n, of = row.get("n"), row.get("of")
    target = metric.startswith("steps_to_") and finite(n) and finite(of)
    if target and int(n) == 0:
        return f"not reached (0 of {int(of)})"
    text = with_interval(metric, row["mean"], row.get("ci_low"), row.get("ci_high"), currency)
    if target and int(n) < int(of):
        text += f", reached in {int(n)} of {int(of)}"
    return text
