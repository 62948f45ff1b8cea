"""The question a command was asked, kept in its output folder (`question.json`) so that the report
can put it first: the KPI it ranks by, the targets and horizons, the baseline, replications, seed.

Commands write it with `write_question`; the report reads it with `read_question`, which returns {}
for folders written before the file existed or by commands that do not write it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adoptsim.results.store import write_text

FILE = "question.json"


def write_question(out: Path, command: str, **fields: Any) -> Path:
    """`question.json` in `out`: the command and what it was asked (JSON-able fields only)."""
    return write_text(out / FILE, json.dumps({"command": command, **fields}, indent=1, default=str) + "\n")


def read_question(folder: Path) -> dict[str, Any]:
    """What the folder's command was asked, or {} when the file is missing or unreadable."""
    path = folder / FILE
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
