"""The house style of every figure, and the check that its labels never collide.

Colours come from the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); after one round of colours, line styles change. Legends sit outside the data.
Bands are, by default (`band="ci"`), the 95 % confidence interval of the mean over replications
(t distribution), or (`band="range"`) the spread of the replications; their legend label says which.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from adoptsim.results.intervals import ci_half_width

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
"""Okabe-Ito colours, yellow last (weak on white)."""
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")
GUIDE_DASHES = ((0, (6, 2)), (0, (1, 2)), (0, (5, 2, 1, 2)), (0, (2, 4)), (0, (8, 2, 1, 2, 1, 2)))
"""Dash patterns of guide lines (lines of equal cost): five, each different, one per level drawn."""


def color(i: int) -> str:
    """The i-th palette colour (cycling)."""
    return PALETTE[i % len(PALETTE)]


def marker(i: int) -> str:
    """The i-th series' marker, shifted by one each palette round: (colour, marker) stays unique for
    64 series, where cycling both by 8 would repeat the pair from the 9th."""
    return MARKERS[(i + i // len(PALETTE)) % len(MARKERS)]


def hatch(i: int) -> str:
    """No hatch for the first palette round, then one per round: bars past 8 stay apart."""
    return HATCHES[(i // len(PALETTE)) % len(HATCHES)]


def linestyle(i: int) -> str:
    """Solid for the first palette round, then dashed, dotted...: more series than colours stay apart."""
    return LINESTYLES[(i // len(PALETTE)) % len(LINESTYLES)]


def set_title(ax: Axes, text: str, **options) -> None:
    """The axes' title, at its top (y=1): for axes whose ticks are all below and whose values start
    at 0 (shares, counts), the only place matplotlib's automatic placement would choose, which
    measures the y axis's labels again at every layout pass and draw (a third of a five-panel
    figure's save: adoptsim/figures/plots.py `segments_figure`)."""
    ax.set_title(text, y=1.0, **options)


def legend_outside(ax: Axes, **options) -> None:
    """Legend to the right of the axes, never over the data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False, fontsize=8, **options)


FEWEST_FOR_CI = 3
"""Below this many replications a t interval of the mean (t = 12.7 at 2) is far wider than the
data, so the band shows the replications' range instead and says so."""


def mean_band(timeseries: pd.DataFrame, column: str, band: str = "ci") -> pd.DataFrame:
    """Per step: mean over replications and the band (95 % CI of the mean, or min to max).

    A CI stays within what the data can take: [0, 1] for `share_` columns, >= 0 for a column
    never negative (counts, cumulative flows, trust); with fewer than FEWEST_FOR_CI
    replications the band is their range.
    """
    grouped = timeseries.groupby("step")[column]
    mean, n = grouped.mean(), grouped.count()
    if band == "range" or int(n.max()) < FEWEST_FOR_CI:
        low, high = grouped.min(), grouped.max()
    else:
        half = ci_half_width(grouped.std(ddof=1), n).where(n > 1, 0.0)
        low, high = mean - half.fillna(0.0), mean + half.fillna(0.0)
        if column.startswith("share_"):
            high = high.clip(upper=1.0)
        if column.startswith("share_") or (timeseries[column] >= 0).all():
            low = low.clip(lower=0.0)
    return pd.DataFrame(
        {"step": mean.index, "mean": mean.values, "low": low.values, "high": high.values, "n": n.values}
    )


def band_label(n_reps: int, band: str = "ci") -> str:
    """What a band is, for its legend entry."""
    if n_reps < 2:
        return "single replication: no band"
    if band == "range":
        return f"spread of {n_reps} replications (min to max)"
    if n_reps < FEWEST_FOR_CI:
        return f"spread of {n_reps} replications (too few for a 95 % CI)"
    return f"95 % CI of the mean ({n_reps} reps)"


def plot_with_band(
    ax: Axes,
    timeseries: pd.DataFrame,
    column: str,
    label: str,
    i: int,
    show_band_label: bool,
    band: str = "ci",
) -> None:
    """One mean curve (palette colour i) with its band."""
    values = mean_band(timeseries, column, band)
    ax.plot(values["step"], values["mean"], color=color(i), ls=linestyle(i), label=label)
    n = int(values["n"].max())
    if n > 1:
        ax.fill_between(
            values["step"],
            values["low"],
            values["high"],
            color=color(i),
            alpha=0.2,
            lw=0,
            label=band_label(n, band) if show_band_label else None,
        )


def _in_view(axis, location: float) -> bool:
    low, high = sorted(axis.get_view_interval())
    span = (high - low) * 1e-9
    return low - span <= location <= high + span


def drawn_texts(figure: Figure) -> list[tuple[str, Bbox]]:
    """The figure drawn, and each visible, non-empty text with its box: tick labels only where
    their tick is in view (matplotlib keeps the others, undrawn, at stale places)."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    ticks, shown = set(), []
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick, location in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=False):
                ticks.update({id(tick.label1), id(tick.label2)})
                if _in_view(axis, location):
                    shown += [label for label in (tick.label1, tick.label2) if label.get_visible()]
            for tick in axis.get_minor_ticks():
                ticks.update({id(tick.label1), id(tick.label2)})
    texts = [t for t in figure.findobj(Text) if id(t) not in ticks and t.get_visible()] + shown
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text().strip() and t.get_alpha() != 0]


def text_overlaps(figure: Figure) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts whose drawn bounding boxes overlap (by more than a pixel)."""
    boxes = [(text, box.padded(-1.0)) for text, box in drawn_texts(figure)]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.width > 0 and box_b.width > 0 and box_a.overlaps(box_b)
    ]


def texts_cut(figure: Figure) -> list[str]:
    """Visible, non-empty texts drawn past the figure's edge (a title wider than the page)."""
    page = figure.bbox.padded(1.0)
    return [
        text
        for text, box in drawn_texts(figure)
        if box.width > 0 and not (page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1)
    ]


def readable_on(rgba: Sequence[float]) -> str:
    """Black or white, whichever reads better on a fill colour (WCAG: black above relative luminance 0.179,
    where both contrast ratios are equal)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgba[:3])
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "white"
