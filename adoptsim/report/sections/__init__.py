"""The report's sections, in page order. A section is a module with `TITLE` and
`render(results) -> blocks or None` (None: nothing to show for this folder); adding one is a module
plus a line here."""

from adoptsim.report.sections import (
    adoption,
    assumptions,
    cost_effectiveness,
    differences,
    funnel,
    headline,
    kpi_table,
    money,
    other_files,
    question,
    segments,
    sensitivity,
    sweep,
)

SECTIONS = (
    question,
    headline,
    kpi_table,
    differences,
    adoption,
    funnel,
    segments,
    cost_effectiveness,
    money,
    sweep,
    sensitivity,
    other_files,
    assumptions,
)
