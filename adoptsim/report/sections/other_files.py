"""Every table and figure of the folder no other section showed (e.g. a calibration's fit or an
optimisation's trials): tables as CSV downloads, figures inline, so new outputs appear in the
report before they get a section of their own."""

from __future__ import annotations

from adoptsim.report.blocks import Text, download
from adoptsim.report.results import Results
from adoptsim.report.sections.sweep import embedded

TITLE = "More results"


def render(results: Results) -> list | None:
    blocks: list = []
    for name in results.files(".csv"):
        if name in results.used:
            continue
        table = results.table(name)
        if table is None or table.empty:
            continue
        blocks.append(
            download(name, (results.folder / name).read_bytes(), f"{len(table):,} rows x {len(table.columns)} columns")
        )
        results.use(name)
    for name in results.files(".png"):
        if name not in results.used:
            blocks.append(embedded(results, name, name[: -len(".png")].replace("_", " ")))
    if blocks:
        blocks.insert(
            0, Text(["The folder's other files: tables to download (CSV), figures as the command drew them."])
        )
    return blocks or None
