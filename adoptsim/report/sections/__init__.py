"""The report's sections, in page order. A section is a module with `TITLE` and
`render(results) -> blocks or None` (None: nothing to show for this folder); adding one is a module
plus its name in `NAMES`."""

from importlib import import_module

NAMES = (
    "brief",
    "question",
    "headline",
    "kpi_table",
    "differences",
    "adoption",
    "funnel",
    "segments",
    "cost_effectiveness",
    "money",
    "sweep",
    "sensitivity",
    "other_files",
    "assumptions",
)

SECTIONS = tuple(import_module(f"{__name__}.{name}") for name in NAMES)
