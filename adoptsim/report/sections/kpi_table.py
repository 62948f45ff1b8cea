"""The KPIs that matter for the question, per scenario: mean and 95 % CI, formatted by kind (shares,
weeks, money); every KPI of the folder as a CSV to download."""

from __future__ import annotations

import math

from adoptsim.figures.formatting import kpi_label, with_interval
from adoptsim.report.blocks import Table, download
from adoptsim.report.results import Results

TITLE = "Key figures"
PRINTED = True
ALWAYS = (
    "final_active_share",
    "final_ever_adopted_share",
    "total_spend",
    "incremental_adopters",
    "cost_per_incremental_adopter",
    "customer_value",
    "terminal_value",
    "net_value",
)


def wanted(results: Results, present: list[str]) -> list[str]:
    """The question's KPI, its targets and horizons, then spend, value and cost per extra adopter."""
    question = results.question
    first = [question.get("rank_by") or ""]
    first += [f"steps_to_{round(100 * t)}pct_active" for t in question.get("targets") or []]
    if not question.get("targets"):
        first += [m for m in present if m.startswith("steps_to_") and m.endswith("pct_active")][:2]
    names = [*first, *ALWAYS]
    names += [
        f"{k}_at_{h}" for h in question.get("horizons") or [] for k in ("final_active_share", "incremental_adopters")
    ]
    return [m for m in dict.fromkeys(names) if m in present]


def downloads(results: Results, *names: str) -> list:
    """Download links for the folder's files of these names that exist."""
    found = []
    for name in names:
        path = results.folder / name
        if path.is_file():
            found.append(download(name, path.read_bytes()))
            results.use(name)
    return found


def render(results: Results) -> list | None:
    kpis = results.kpis
    if kpis is None or kpis.empty:
        return None
    names = list(dict.fromkeys(kpis["scenario"].astype(str)))
    cells = {(str(r["scenario"]), r["metric"]): r for r in kpis.to_dict("records")}
    metrics = wanted(results, list(dict.fromkeys(kpis["metric"])))
    rows = []
    for metric in metrics:
        row = [kpi_label(metric)]
        for name in names:
            r = cells.get((name, metric))
            if r is None or r["mean"] is None or math.isnan(r["mean"]):
                of = r.get("of") if r is not None else None
                row.append(f"not reached (0 of {of:.0f})" if of and metric.startswith("steps_to_") else "-")
                continue
            text = with_interval(metric, r["mean"], r["ci_low"], r["ci_high"], results.currency)
            n, of = r.get("n"), r.get("of")
            if n is not None and of and not math.isnan(n) and n < of:
                text += f", reached in {n:.0f} of {of:.0f}"
            row.append(text)
        rows.append(row)
    caption = (
        f"{len(metrics)} of {kpis['metric'].nunique()} KPIs: those the question asks about. Mean (95 % confidence "
        "interval of the mean over replications). Every KPI is in the CSV files below."
    )
    return [
        Table(["KPI", *names], rows, caption),
        *downloads(results, "kpis.csv", "kpis_by_replication.csv", "ranking.csv"),
    ]
