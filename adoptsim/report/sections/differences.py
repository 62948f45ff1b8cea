"""Paired differences against the baseline (`differences.csv`: scenario, kpi, difference, lower, upper)."""

from __future__ import annotations

from adoptsim.figures import kpi_plots
from adoptsim.figures.formatting import difference, kpi_label
from adoptsim.report import interactive
from adoptsim.report.blocks import Table, chart
from adoptsim.report.results import Results

TITLE = "Differences against the baseline"
COLUMNS = {"scenario", "kpi", "difference", "lower", "upper"}


def render(results: Results) -> list | None:
    table = results.table("differences.csv")
    if table is None or not set(table.columns) >= COLUMNS or table.empty:
        return None
    results.use("differences.csv")
    currency = results.currency
    rows = [
        [
            str(r["scenario"]),
            kpi_label(r["kpi"]),
            difference(r["kpi"], r["difference"], r["lower"], r["upper"], currency),
        ]
        for r in table.to_dict("records")
    ]
    tidy = table.rename(columns={"kpi": "metric", "difference": "mean", "lower": "ci_low", "upper": "ci_high"})
    metrics = list(dict.fromkeys(tidy["metric"]))
    return [
        Table(
            ["scenario", "KPI", "difference (95 % CI, paired)"],
            rows,
            "Scenario minus baseline, replication by replication.",
            2,
        ),
        chart(
            "Differences with their paired 95 % CI",
            kpi_plots.interval_figure(tidy, metrics, currency),
            interactive.interval_bars(tidy, metrics, currency),
        ),
    ]
