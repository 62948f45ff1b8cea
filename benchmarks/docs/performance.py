"""docs/performance.md's current targets: the table `python -m benchmarks.targets` prints (each
target beside its median and min-max over repeats, ratios within one repeat), from its
targets.json."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.docs.blocks import measured

COMMAND = "python -m benchmarks.targets --large"


def numbers(folder: Path) -> dict:
    """The rows as the benchmark printed them, and when it ran."""
    saved = json.loads((folder / "targets.json").read_text())
    return {"date": saved["date"], "rows": [list(row) for row in saved["rows"]]}


def render(runs: dict[str, dict]) -> str:
    """The targets table, then which command wrote it."""
    run = runs["targets"]
    lines = ["| target | measured (median [min-max]) | how |", "|---|---|---|"]
    lines += [f"| {target} | {value} | {how} |" for target, value, how in run["rows"]]
    lines += ["", f"Measured {run['date']} by {measured(run)}."]
    return "\n".join(lines)
