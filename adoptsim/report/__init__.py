"""`adoptsim report`: one self-contained HTML page (and optionally a PDF) from the folders that
run, compare, sweep and later commands write. Reads files only; never runs a model.

`render_html` and `write_report` (adoptsim/report/build.py) are loaded on first use, so that a
command writing only its `question.json` (adoptsim/report/asked.py) does not import jinja2."""

from __future__ import annotations

from typing import Any

__all__ = ["render_html", "write_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from adoptsim.report import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
