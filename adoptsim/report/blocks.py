"""What a section is made of: text, lists, tables and charts. The page template draws each kind.

A chart carries a static PNG (matplotlib, from `adoptsim.figures.plots`, shown in print and the PDF) and,
where hovering and toggling help, an interactive Plotly figure (shown on screen).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from matplotlib.figure import Figure


@dataclass
class Text:
    """Paragraphs of plain text (escaped by the template)."""

    paragraphs: list[str]
    kind: str = "text"


@dataclass
class Bullets:
    """A list of short sentences."""

    items: list[str]
    kind: str = "bullets"


@dataclass
class Table:
    """A table of already-formatted cells; the first `header_columns` columns are labels."""

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    header_columns: int = 1
    kind: str = "table"


@dataclass
class Chart:
    """A figure: the PNG always, the Plotly JSON where the figure is interactive."""

    title: str
    png: str
    plotly: str | None = None
    caption: str = ""
    id: str = ""  # set when the page is built: chart-<number in page order>
    kind: str = "chart"


@dataclass
class Section:
    """A titled part of the report."""

    id: str
    title: str
    blocks: list[Text | Bullets | Table | Chart]


def png(figure: Figure, dpi: int = 100) -> str:
    """A matplotlib figure as base64 PNG (for an inline data URL)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def chart(title: str, figure: Figure, interactive=None, caption: str = "") -> Chart:
    """A chart from a matplotlib figure and, optionally, a Plotly figure."""
    return Chart(
        title=title, png=png(figure), plotly=None if interactive is None else interactive.to_json(), caption=caption
    )
