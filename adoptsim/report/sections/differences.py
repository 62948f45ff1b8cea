"""Paired differences against the baseline for the KPIs the question asks about (`differences.csv`:
scenario, kpi, difference, lower, upper); every KPI's difference as a CSV to download."""

from __future__ import annotations

from adoptsim.figures import kpi_plots
from adoptsim.figures.formatting import difference, kpi_label, no_upper_bound, with_interval
from adoptsim.report.blocks import Table, chart
from adoptsim.report.ranking import finite
from adoptsim.report.results import Results
from adoptsim.report.sections.kpi_table import downloads
from adoptsim.results.kpis import RATIO_KPIS

TITLE = "Differences against the baseline"
PRINTED = True
COLUMNS = {"scenario", "kpi", "difference", "lower", "upper"}
SHOWN = ("final_active_share", "incremental_adopters", "total_spend", "net_value", "cost_per_incremental_adopter")


def render(results: Results) -> list | None:
    table = results.table("differences.csv")
    if table is None or not set(table.columns) >= COLUMNS or table.empty:
        return None
    question = results.question
    wanted = [
        question.get("rank_by") or "",
        *[f"steps_to_{round(100 * t)}pct_active" for t in question.get("targets") or []],
    ]
    present = list(dict.fromkeys(table["kpi"]))
    metrics = [m for m in dict.fromkeys([*wanted, *SHOWN]) if m in present] or present[:6]
    scenarios = list(dict.fromkeys(table["scenario"]))
    shown = table[table["kpi"].isin(metrics)].copy()
    shown["order"] = [
        (scenarios.index(s), metrics.index(k)) for s, k in zip(shown["scenario"], shown["kpi"], strict=True)
    ]
    shown = shown.sort_values("order", kind="stable")
    currency = results.currency
    rows = [[str(r["scenario"]), kpi_label(r["kpi"]), shown_value(r, currency)] for r in shown.to_dict("records")]
    tidy = shown.rename(columns={"kpi": "metric", "difference": "mean", "lower": "ci_low", "upper": "ci_high"})
    drawn = set(tidy.dropna(subset=["mean"])["metric"])  # a KPI no pair defines (never reached) has no panel
    figure_metrics = [m for m in metrics if m != "cost_per_incremental_adopter" and m in drawn]
    return [
        Table(
            ["scenario", "KPI", "difference (95 % CI, paired)"],
            rows,
            f"Scenario minus baseline, replication by replication; {len(metrics)} of {len(present)} KPIs "
            "(all in differences.csv). A cost per adopter ahead is not a difference: it is the extra spend over "
            "the extra adopters, a ratio of the two paired means (Fieller interval).",
            2,
        ),
        *(
            [
                chart(
                    "Differences with their paired 95 % CI",
                    kpi_plots.interval_figure(
                        tidy[tidy["metric"].isin(figure_metrics)],
                        figure_metrics,
                        currency,
                        results.scenario_names,
                        points=True,
                    ),
                )
            ]
            if figure_metrics
            else []
        ),
        *downloads(results, "differences.csv"),
    ]


def shown_value(row: dict, currency: str) -> str:
    """A paired difference with its interval; a cost per extra adopter is a ratio of two paired
    means, a cost (unsigned), or its verdict ('dominates', 'undefined', no upper bound)."""
    name = str(row["kpi"])
    if name.startswith("steps_to_") and not finite(row["difference"]):
        return "undefined: no replication in which both reached it"  # never a number for "never reached"
    if name.split("_at_")[0] not in RATIO_KPIS:
        return difference(name, row["difference"], row["lower"], row["upper"], currency)
    verdict = row.get("verdict")
    verdict = verdict if isinstance(verdict, str) and verdict else ""
    if not finite(row["difference"]):
        return verdict or "undefined"
    if verdict == "unbounded":
        return no_upper_bound(row["difference"], currency)
    return with_interval(name, float(row["difference"]), float(row["lower"]), float(row["upper"]), currency)
