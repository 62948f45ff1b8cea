"""What a section is made of: text, lists, tables, charts and downloads. The page template draws each kind.

A chart is one PNG drawn by matplotlib (`adoptsim.figures`), the same definition as the PNG files the
commands write: one library for the page, the print, the PDF and the files, so that a scenario's
colour or an axis can never differ between them (an interactive Plotly twin drifted from its PNG).
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
    """A figure as a base64 PNG."""

    title: str
    png: str
    caption: str = ""
    id: str = ""  # set when the page is built: chart-<number in page order>
    kind: str = "chart"


@dataclass
class Download:
    """A file of the folder embedded in the page as a data: link (the page stays one file)."""

    name: str
    href: str
    note: str = ""
    kind: str = "download"


@dataclass
class Section:
    """A titled part of the report: open (the brief) or collapsible; `printed` opens it in print."""

    id: str
    title: str
    blocks: list[Text | Bullets | Table | Chart | Download]
    open: bool = False
    printed: bool = False


def png(figure: Figure, dpi: int = 100) -> str:
    """A matplotlib figure as base64 PNG (for an inline data URL)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def chart(title: str, figure: Figure, caption: str = "") -> Chart:
    """A chart from a matplotlib figure."""
    return Chart(title=title, png=png(figure), caption=caption)


def download(name: str, data: bytes, note: str = "", mime: str = "text/csv") -> Download:
    """A download link holding the file itself (base64 data: URL)."""
    return Download(name=name, href=f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", note=note)
