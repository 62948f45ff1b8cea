"""Every KPI per scenario: mean and 95 % CI, formatted by kind (shares, weeks, money)."""

from __future__ import annotations

import math

from adoptsim.figures.formatting import kpi_label, with_interval
from adoptsim.report.blocks import Table
from adoptsim.report.results import Results

TITLE = "Key figures"


def render(results: Results) -> list | None:
    kpis = results.kpis
    if kpis is None or kpis.empty:
        return None
    names = list(dict.fromkeys(kpis["scenario"].astype(str)))
    cells = {(str(r["scenario"]), r["metric"]): r for r in kpis.to_dict("records")}
    rows = []
    for metric in dict.fromkeys(kpis["metric"]):
        row = [kpi_label(metric)]
        for name in names:
            r = cells.get((name, metric))
            if r is None or r["mean"] is None or math.isnan(r["mean"]):
                row.append("-")
            else:
                row.append(with_interval(metric, r["mean"], r["ci_low"], r["ci_high"], results.currency))
        rows.append(row)
    results.use("kpis.csv", "kpis_by_replication.csv")
    caption = "Mean (95 % confidence interval of the mean over replications); '-' where never reached."
    return [Table(["KPI", *names], rows, caption)]
