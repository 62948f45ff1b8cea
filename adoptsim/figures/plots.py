"""Figures of time series (a run, a comparison, segments, intervention windows). Pure: (tables)
-> Figure; no model is ever run here.

Intervention windows are drawn on a timeline under the curves: planned (hatched) and actual
(solid, cut where the money ran out). The house style (palette, bands, legends, the label-overlap
check) is in plot_style.py; figures of KPI summaries are in kpi_plots.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from adoptsim.figures.formatting import percent_ticks
from adoptsim.figures.plot_style import color, hatch, legend_outside, plot_with_band, set_title
from adoptsim.results.intervals import ci_half_width
from adoptsim.results.windows import Window

STAGE_COLUMNS = {"n_unaware": "unaware", "n_aware": "aware", "n_lapsed": "lapsed", "n_active": "active"}
SEGMENT_PREFIX = "share_active_"
SEGMENT_FAMILIES = ("agegroup_region", "age", "region", "income", "online")
"""The segmentations of adoptsim/world/segments.py (SEGMENTATIONS), longest first so that
`agegroup_region_18-29_urban` is age group x region, not 'agegroup' with a label 'region 18-29 urban';
any other `share_active_<family>_<label>` is grouped by its first word."""
FAMILY_LABELS = {"agegroup_region": "age group x region", "online": "online or offline shopping"}


def family_label(family: str) -> str:
    """A segmentation's name in words: `agegroup_region` -> 'age group x region'."""
    return FAMILY_LABELS.get(family, family.replace("_", " "))


def segment_families(columns: Sequence[str]) -> dict[str, list[str]]:
    """`share_active_<family>_<label>` columns grouped by family (age, region, income, ...)."""
    families: dict[str, list[str]] = {}
    for column in columns:
        if not column.startswith(SEGMENT_PREFIX):
            continue
        rest = column[len(SEGMENT_PREFIX) :]
        family = next((f for f in SEGMENT_FAMILIES if rest.startswith(f + "_")), rest.split("_")[0])
        if rest != family:
            families.setdefault(family, []).append(column)
    return families


def segment_label(column: str, family: str) -> str:
    """The segment's own label: `share_active_age_60+` -> '60+', `..._agegroup_region_18-29_urban` ->
    '18-29 urban'."""
    return column[len(SEGMENT_PREFIX) + len(family) + 1 :].replace("_", " ")


def _timeline(ax: Axes, windows: Sequence[tuple[str, Window, int]], last_step: int) -> None:
    """One row per intervention: planned window hatched, actual window solid (in steps, as rows)."""
    for row, (_, window, shade) in enumerate(windows):
        y = len(windows) - 1 - row
        ax.broken_barh(
            [(window.start, window.planned_end - window.start + 1)],
            (y - 0.35, 0.7),
            facecolor="none",
            edgecolor="#777777",
            hatch="///",
            lw=0.6,
        )
        if window.end >= window.start:
            paid = window.paid_to
            ax.broken_barh([(window.start, paid - window.start + 1)], (y - 0.25, 0.5), color=color(shade))
            if paid < window.end:  # on, but paying for nothing (no one left to train)
                ax.broken_barh([(paid + 1, window.end - paid)], (y - 0.06, 0.12), color=color(shade))
        if window.cut_short:
            ax.plot([window.end + 1], [y], marker="|", color="black", ms=10, mew=2)
    ax.set_yticks(range(len(windows)), [label for label, _, _ in reversed(windows)], fontsize=8)
    ax.set_ylim(-0.6, len(windows) - 0.4)
    ax.set_xlim(0, last_step)
    ax.set_xlabel("step (week)")
    ax.grid(alpha=0.3, axis="x")
    paying = any(w.paid_to < w.end for _, w, _ in windows)
    thin = ", paying for nothing (thin)" if paying else ""
    set_title(ax, f"interventions: planned (hatched), acting (solid){thin}, | money ran out", fontsize=8, loc="left")


def _with_timeline(
    windows: Sequence[tuple[str, Window, int]], size: tuple[float, float]
) -> tuple[Figure, Axes, Axes | None]:
    if not windows:
        figure = Figure(figsize=size, layout="constrained")
        return figure, figure.add_subplot(), None
    strip = 0.5 + 0.28 * len(windows)
    figure = Figure(figsize=(size[0], size[1] + strip), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [size[1], strip]})
    return figure, top, bottom


def _shade(ax: Axes, windows: Sequence[tuple[str, Window, int]]) -> None:
    """Shade each intervention's actual window behind the curves."""
    for _, window, shade in windows:
        if window.end >= window.start:
            ax.axvspan(window.start, window.paid_to + 1, color=color(shade), alpha=0.07, lw=0)


def adoption_figure(
    timeseries: pd.DataFrame,
    title: str = "",
    windows: Sequence[Window] | None = None,
    band: str = "ci",
) -> Figure:
    """Active and ever-adopted share over time, with bands; the interventions' windows under it."""
    labelled = [(w.name, w, 2 + i) for i, w in enumerate(windows or [])]
    figure, ax, strip = _with_timeline(labelled, (9, 4.5))
    plot_with_band(ax, timeseries, "share_active", "active users", 0, True, band)
    plot_with_band(ax, timeseries, "share_ever_adopted", "ever adopted", 1, False, band)
    last = int(timeseries["step"].max())
    _shade(ax, labelled)
    ax.set_ylabel("share of consumers")
    ax.yaxis.set_major_formatter(percent_ticks())
    ax.set_ylim(0, max(0.05, float(timeseries["share_ever_adopted"].max()) * 1.1))
    ax.set_xlim(0, last)
    set_title(ax, title or "Wallet adoption")
    return _finish_time_axis(figure, ax, strip, labelled, last)


def funnel_figure(timeseries: pd.DataFrame, title: str = "") -> Figure:
    """Stages stacked over time (mean over replications)."""
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    ax = figure.add_subplot()
    means = timeseries.groupby("step")[list(STAGE_COLUMNS)].mean()
    total = means.sum(axis=1)
    ax.stackplot(
        means.index,
        *[means[c] / total for c in STAGE_COLUMNS],
        labels=list(STAGE_COLUMNS.values()),
        colors=["#d9d9d9", "#56B4E9", "#E69F00", "#009E73"],
    )
    ax.set_xlim(means.index.min(), means.index.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel("step (week)")
    ax.set_ylabel("share of consumers")
    ax.yaxis.set_major_formatter(percent_ticks())
    set_title(ax, title or "Adoption funnel (mean over replications)")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=8)
    return figure


def funnel_grid_figure(timeseries: pd.DataFrame) -> Figure:
    """The funnel of every scenario as small multiples (three per row, shared axes, one legend)."""
    names = list(dict.fromkeys(timeseries["scenario"])) if "scenario" in timeseries else [""]
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    figure = Figure(figsize=(3.6 * columns + 1.4, 0.4 + 2.4 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
    colours = ["#d9d9d9", "#56B4E9", "#E69F00", "#009E73"]
    for ax, name in zip(axes, names, strict=False):
        part = timeseries[timeseries["scenario"] == name] if name else timeseries
        means = part.groupby("step")[list(STAGE_COLUMNS)].mean()
        total = means.sum(axis=1)
        ax.stackplot(
            means.index, *[means[c] / total for c in STAGE_COLUMNS], labels=list(STAGE_COLUMNS.values()), colors=colours
        )
        ax.set_xlim(means.index.min(), means.index.max())
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(percent_ticks())
        set_title(ax, str(name), fontsize=9)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    for ax in axes[::columns]:
        ax.set_ylabel("share of consumers", fontsize=8)
    for ax in axes[(rows - 1) * columns :]:
        ax.set_xlabel("step (week)", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles[::-1], labels[::-1], loc="outside right upper", frameon=False, fontsize=8)
    return figure


def segments_figure(timeseries: pd.DataFrame, title: str = "", band: str = "ci") -> Figure:
    """Active share over time per segment, one panel per segmentation (every `share_active_*` family)."""
    families = segment_families(list(timeseries.columns))
    figure = Figure(figsize=(9, 0.5 + 3.2 * max(len(families), 1)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(max(len(families), 1), 1, sharex=True, squeeze=False)[:, 0])
    for ax, (family, columns) in zip(axes, families.items(), strict=False):
        for i, column in enumerate(columns):
            plot_with_band(ax, timeseries, column, segment_label(column, family), i, i == 0, band)
        set_title(ax, f"Active share by {family_label(family)}", fontsize=10)
        ax.set_ylabel("share active")
        ax.yaxis.set_major_formatter(percent_ticks())
        ax.grid(alpha=0.3)
        legend_outside(ax)
    axes[-1].set_xlabel("step (week)")
    if title:
        figure.suptitle(title)
    return figure


def comparison_figure(
    timeseries: pd.DataFrame,
    baseline: str,
    band: str = "ci",
    windows: dict[str, Sequence[Window]] | None = None,
    column: str = "share_active",
) -> Figure:
    """Active (or, with `column="share_ever_adopted"`, ever-adopted) share over time, one colour per
    scenario, with bands; every scenario's interventions on a timeline under it."""
    names = list(dict.fromkeys(timeseries["scenario"]))
    labelled = [
        (f"{name}: {w.name}", w, names.index(name) if name in names else 0)
        for name, ws in (windows or {}).items()
        for w in ws
    ]
    figure, ax, strip = _with_timeline(labelled, (11, 5))
    for i, (name, part) in enumerate(timeseries.groupby("scenario", sort=False)):
        label = f"{name} (baseline)" if name == baseline else name
        plot_with_band(ax, part, column, label, i, i == 0, band)
    last = int(timeseries["step"].max())
    what = "who ever adopted" if column == "share_ever_adopted" else "active"
    ax.set_xlim(0, last)
    ax.set_ylabel(f"share of consumers {what}")
    ax.yaxis.set_major_formatter(percent_ticks())
    set_title(ax, f"Consumers {what}, by scenario (common random numbers)")
    return _finish_time_axis(figure, ax, strip, labelled, last)


def final_segment_table(timeseries: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean and 95 % CI half-width of each column at the last step, a row per scenario."""
    last = timeseries[timeseries["step"] == timeseries["step"].max()]
    if "scenario" not in last:
        last = last.assign(scenario="")
    grouped = last.groupby("scenario", sort=False)[columns]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    half = ci_half_width(sd, n).where(n > 1, 0.0).fillna(0.0)
    return mean, half


def comparison_segments_figure(timeseries: pd.DataFrame) -> Figure:
    """Final active share per segment, one bar per scenario (95 % CI whiskers), a panel per family."""
    families = segment_families(list(timeseries.columns))
    figure = Figure(figsize=(10, 0.6 + 3.0 * max(len(families), 1)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(max(len(families), 1), 1, sharey=True, squeeze=False)[:, 0])
    for row, (ax, (family, columns)) in enumerate(zip(axes, families.items(), strict=False)):
        mean, half = final_segment_table(timeseries, columns)
        width = 0.8 / max(len(mean), 1)
        x = np.arange(len(columns))
        for i, name in enumerate(mean.index):
            ax.bar(
                x + i * width - 0.4 + width / 2,
                mean.loc[name],
                width,
                yerr=half.loc[name],
                color=color(i),
                hatch=hatch(i),
                label=name if row == 0 else None,
                capsize=2,
            )
        # one word per line: crossed segments ('18-29 urban') stay apart however many there are
        ax.set_xticks(x, [segment_label(c, family).replace(" ", "\n") for c in columns], fontsize=8)
        set_title(ax, f"Active share at the last step by {family_label(family)}", fontsize=10)
        ax.set_ylabel("share active")
        ax.yaxis.set_major_formatter(percent_ticks())
        ax.grid(alpha=0.3, axis="y")
    legend_outside(axes[0], title="scenario\n(whiskers: 95 % CI of the mean)", title_fontsize=8)
    return figure


def timeline_figure(windows: dict[str, Sequence[Window]], steps: int, order: Sequence[str] | None = None) -> Figure:
    """Every scenario's interventions: planned window hatched, actual window solid; a scenario's
    colour is its place in `order` (every scenario, the baseline too), as in the other figures."""
    order = list(order or windows)
    labelled = [
        (f"{name}: {w.name}", w, order.index(name) if name in order else i)
        for i, (name, ws) in enumerate(windows.items())
        for w in ws
    ]
    figure = Figure(figsize=(9, 0.9 + 0.3 * len(labelled)), layout="constrained")
    _timeline(figure.add_subplot(), labelled, steps)
    return figure


def _finish_time_axis(figure: Figure, ax, strip, labelled, last: int) -> Figure:
    """Grid, legend outside the data, and the intervention timeline under the axis (or its label)."""
    ax.grid(alpha=0.3)
    legend_outside(ax)
    if strip is not None:
        _timeline(strip, labelled, last)
    else:
        ax.set_xlabel("step (week)")
    return figure
