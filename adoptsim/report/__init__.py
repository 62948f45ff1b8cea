"""`adoptsim report`: one self-contained HTML page (and optionally a PDF) from the folders that
run, compare, sweep and later commands write. Reads files only; never runs a model."""

from adoptsim.report.build import render_html, write_report

__all__ = ["render_html", "write_report"]
