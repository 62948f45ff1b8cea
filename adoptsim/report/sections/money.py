"""Money: customer value, net value, return on spend, revenue, where the KPIs exist."""

from __future__ import annotations

from adoptsim.figures import kpi_plots
from adoptsim.report.blocks import chart
from adoptsim.report.results import Results

TITLE = "Money"
METRICS = ("total_spend", "customer_value", "net_value", "roi", "revenue", "payment_volume", "cost_per_adopter")
AGAINST_BASELINE = ("total_spend", "customer_value", "net_value", "incremental_net_value", "revenue", "payment_volume")
"""A comparison's panels: what each scenario adds against the baseline, not return on spend and cost
per adopter over every user (headline.RATIOS_OF_ALL: they order the scenarios otherwise)."""


def render(results: Results) -> list | None:
    kpis = results.kpis
    if kpis is None:
        return None
    wanted = AGAINST_BASELINE if results.baseline is not None else METRICS
    present = [m for m in wanted if m in set(kpis["metric"]) and kpis.loc[kpis["metric"] == m, "mean"].notna().any()]
    if not present:
        return None
    table = kpis[kpis["metric"].isin(present)]
    return [
        chart(
            "Money per scenario",
            kpi_plots.interval_figure(table, present, results.currency, results.scenario_names),
        )
    ]
