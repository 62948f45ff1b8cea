"""Every table and figure of the folder no other section showed (e.g. a calibration's fit or an
optimisation's trials): new outputs appear in the report before they get a section of their own."""

from __future__ import annotations

from adoptsim.figures.formatting import kpi_label
from adoptsim.report.blocks import Table
from adoptsim.report.results import Results
from adoptsim.report.sections.sweep import embedded

TITLE = "More results"
ROWS = 30


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def render(results: Results) -> list | None:
    blocks: list = []
    for name in results.files(".csv"):
        if name in results.used:
            continue
        table = results.table(name)
        if table is None or table.empty:
            continue
        shown = table.head(ROWS)
        rows = [[_cell(v) for v in row] for row in shown.itertuples(index=False)]
        more = f" (first {ROWS} of {len(table)} rows)" if len(table) > ROWS else ""
        blocks.append(Table([kpi_label(str(c)) for c in table.columns], rows, f"{name}{more}", 0))
        results.use(name)
    for name in results.files(".png"):
        if name not in results.used:
            blocks.append(embedded(results, name, name[: -len(".png")].replace("_", " ")))
    return blocks or None
