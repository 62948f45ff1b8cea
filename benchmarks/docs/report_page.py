"""docs/report.md's measure of what a planner sees first of the README's strategist report, from
`python -m benchmarks.report_page` (its page.json)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.docs.blocks import measured

COMMAND = "python -m benchmarks.report_page"


def numbers(folder: Path) -> dict:
    """The brief's bottom, the page's height and the PDF's pages, as the benchmark wrote them."""
    return json.loads((folder / "page.json").read_text())


def render(runs: dict[str, dict]) -> str:
    run = runs["page"]
    return (
        f"Measured by {measured(run)}, which runs the README's strategist command (`{run['compare']}`), then "
        f"`adoptsim report --pdf`, and opens the page in headless Chromium at {run['window']} with its sections "
        f"closed: the brief ends at {run['brief_bottom_px']:,} px, the page is {run['page_height_px']:,} px tall, "
        f"the PDF has {run['pdf_pages']} pages."
    )
