"""Sensitivity indices of a Sobol or Morris sweep (`sensitivity.csv`, `sensitivity.png`)."""

from __future__ import annotations

from adoptsim.figures.formatting import kpi_label, parameter_label
from adoptsim.report.blocks import Table
from adoptsim.report.results import Results
from adoptsim.report.sections.sweep import embedded

TITLE = "Sensitivity"


def render(results: Results) -> list | None:
    indices = results.table("sensitivity.csv")
    if indices is None or indices.empty or not {"metric", "parameter"} <= set(indices.columns):
        return None
    results.use("sensitivity.csv")
    values = [c for c in indices.columns if c not in ("metric", "parameter")]
    rows = [
        [kpi_label(r["metric"]), parameter_label(r["parameter"]), *[f"{r[c]:.3f}" for c in values]]
        for r in indices.to_dict("records")
    ]
    blocks: list = [Table(["KPI", "parameter", *values], rows, "conf: half-width of the bootstrap 95 % CI.", 2)]
    if (results.folder / "sensitivity.png").is_file():
        blocks.append(embedded(results, "sensitivity.png", "Sensitivity indices"))
    return blocks
