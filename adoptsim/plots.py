"""Figures from result tables. Pure: (tables) -> Figure; no model is ever run here.

Bands are, by default (`band="ci"`), the 95 % confidence interval of the mean over replications
(t distribution), or (`band="range"`) the spread of the replications (lowest to highest); their
legend label says which. Legends sit outside the data; colours come from the Okabe-Ito palette
(distinguishable with the common colour-vision deficiencies). Intervention windows are drawn on
a timeline under the curves: planned (hatched) and actual (solid, cut where the money ran out).
`text_overlaps` checks that no two labels of a figure collide.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from adoptsim.formatting import kpi_kind, kpi_label, money, money_axis_label, thousands_ticks
from adoptsim.intervals import ci_half_width
from adoptsim.windows import Window

STAGE_COLUMNS = {"n_unaware": "unaware", "n_aware": "aware", "n_lapsed": "lapsed", "n_active": "active"}
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
"""Okabe-Ito colours, yellow last (weak on white)."""
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
SEGMENT_PREFIX = "share_active_"
SEGMENT_FAMILIES = ("age_region", "age_x_region", "age", "region", "income", "online")
"""Known segmentations, longest first; any other `share_active_<family>_<label>` is grouped by
its first word."""


def color(i: int) -> str:
    """The i-th palette colour (cycling)."""
    return PALETTE[i % len(PALETTE)]


def linestyle(i: int) -> str:
    """Solid for the first palette round, then dashed, dotted...: more series than colours stay apart."""
    return LINESTYLES[(i // len(PALETTE)) % len(LINESTYLES)]


def legend_outside(ax: Axes, **options) -> None:
    """Legend to the right of the axes, never over the data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False, fontsize=8, **options)


def mean_band(timeseries: pd.DataFrame, column: str, band: str = "ci") -> pd.DataFrame:
    """Per step: mean over replications and the band (95 % CI of the mean, or min to max); bands of
    `share_` columns stay within [0, 1]."""
    grouped = timeseries.groupby("step")[column]
    mean, n = grouped.mean(), grouped.count()
    if band == "range":
        low, high = grouped.min(), grouped.max()
    else:
        half = ci_half_width(grouped.std(ddof=1), n).where(n > 1, 0.0)
        low, high = mean - half.fillna(0.0), mean + half.fillna(0.0)
        if column.startswith("share_"):
            low, high = low.clip(lower=0.0), high.clip(upper=1.0)
    return pd.DataFrame(
        {"step": mean.index, "mean": mean.values, "low": low.values, "high": high.values, "n": n.values}
    )


def band_label(n_reps: int, band: str = "ci") -> str:
    """What a band is, for its legend entry."""
    if n_reps < 2:
        return "single replication: no band"
    if band == "range":
        return f"spread of {n_reps} replications (min to max)"
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
    """The segment's own label: `share_active_age_60+` -> '60+'."""
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
            ax.broken_barh([(window.start, window.end - window.start + 1)], (y - 0.25, 0.5), color=color(shade))
        if window.cut_short:
            ax.plot([window.end + 1], [y], marker="|", color="black", ms=10, mew=2)
    ax.set_yticks(range(len(windows)), [label for label, _, _ in reversed(windows)], fontsize=8)
    ax.set_ylim(-0.6, len(windows) - 0.4)
    ax.set_xlim(0, last_step)
    ax.set_xlabel("step (week)")
    ax.grid(alpha=0.3, axis="x")
    ax.set_title("interventions: planned (hatched), acting (solid), | money ran out", fontsize=8, loc="left")


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
            ax.axvspan(window.start, window.end + 1, color=color(shade), alpha=0.07, lw=0)


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
    ax.set_ylim(0, max(0.05, float(timeseries["share_ever_adopted"].max()) * 1.1))
    ax.set_xlim(0, last)
    ax.set_title(title or "Wallet adoption")
    ax.grid(alpha=0.3)
    legend_outside(ax)
    if strip is not None:
        _timeline(strip, labelled, last)
    else:
        ax.set_xlabel("step (week)")
    return figure


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
    ax.set_title(title or "Adoption funnel (mean over replications)")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=8)
    return figure


def segments_figure(timeseries: pd.DataFrame, title: str = "", band: str = "ci") -> Figure:
    """Active share over time per segment, one panel per segmentation (every `share_active_*` family)."""
    families = segment_families(list(timeseries.columns))
    figure = Figure(figsize=(9, 0.5 + 3.2 * max(len(families), 1)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(max(len(families), 1), 1, sharex=True, squeeze=False)[:, 0])
    for ax, (family, columns) in zip(axes, families.items(), strict=False):
        for i, column in enumerate(columns):
            plot_with_band(ax, timeseries, column, segment_label(column, family), i, i == 0, band)
        ax.set_title(f"Active share by {family.replace('_', ' ')}", fontsize=10)
        ax.set_ylabel("share active")
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
    ax.set_title(f"Consumers {what}, by scenario (common random numbers)")
    ax.grid(alpha=0.3)
    legend_outside(ax)
    if strip is not None:
        _timeline(strip, labelled, last)
    else:
        ax.set_xlabel("step (week)")
    return figure


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
                hatch="" if i < len(PALETTE) else "//",
                label=name if row == 0 else None,
                capsize=2,
            )
        ax.set_xticks(x, [segment_label(c, family) for c in columns], fontsize=8)
        ax.set_title(f"Active share at the last step by {family.replace('_', ' ')}", fontsize=10)
        ax.set_ylabel("share active")
        ax.grid(alpha=0.3, axis="y")
    legend_outside(axes[0], title="scenario\n(whiskers: 95 % CI of the mean)", title_fontsize=8)
    return figure


def nice_levels(low: float, high: float, most: int = 5) -> list[float]:
    """Round numbers (1, 2, 5 x 10^k) between low and high, at most `most` of them, spread out."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= 0:
        return []
    low = max(low, high / 1e4)
    levels = [
        m * 10.0**k
        for k in range(int(np.floor(np.log10(low))) - 1, int(np.ceil(np.log10(high))) + 1)
        for m in (1, 2, 5)
    ]
    levels = [v for v in levels if low <= v <= high]
    if len(levels) > most:
        levels = [levels[int(round(j))] for j in np.linspace(0, len(levels) - 1, most)]
    return levels


def cost_effectiveness_figure(summary: pd.DataFrame, currency: str = "") -> Figure:
    """Total spend against incremental adopters (vs baseline), 95 % CI whiskers on both axes, with
    iso-cost lines: spend = c x extra adopters for round costs c per extra adopter."""
    figure = Figure(figsize=(8, 5.5), layout="constrained")
    ax = figure.add_subplot()
    x_all = summary["incremental_adopters_mean"].to_numpy(dtype=float)
    y_all = summary["total_spend_mean"].to_numpy(dtype=float)
    x_max = max(
        float(np.nanmax(summary["incremental_adopters_ci_high"].fillna(summary["incremental_adopters_mean"]))), 1.0
    )
    y_max = max(float(np.nanmax(summary["total_spend_ci_high"].fillna(summary["total_spend_mean"]))), 1.0)
    ratios = y_all[(x_all > 0) & (y_all > 0)] / x_all[(x_all > 0) & (y_all > 0)]
    if ratios.size:
        xs = np.array([0.0, x_max * 1.15])
        for j, level in enumerate(nice_levels(ratios.min() / 3, ratios.max() * 3)):
            ax.plot(
                xs,
                level * xs,
                color="#555555",
                lw=0.8,
                ls=LINESTYLES[1 + j % 3],
                alpha=0.7,
                label=f"{money(level, currency)} per extra adopter",
            )
    for i, row in enumerate(summary.itertuples(index=False)):
        x, y = row.incremental_adopters_mean, row.total_spend_mean
        xerr = np.abs([[x - row.incremental_adopters_ci_low], [row.incremental_adopters_ci_high - x]])
        yerr = np.abs([[y - row.total_spend_ci_low], [row.total_spend_ci_high - y]])
        ax.errorbar(
            x,
            y,
            xerr=None if np.isnan(xerr).any() else xerr,
            yerr=None if np.isnan(yerr).any() else yerr,
            fmt=MARKERS[i % len(MARKERS)],
            color=color(i),
            ms=7,
            capsize=3,
            label=f"{row.scenario}  ({money(y, currency)}, {x:,.0f} extra)",
        )
    x_min = min(0.0, float(np.nanmin(summary["incremental_adopters_ci_low"].fillna(0.0))))
    ax.set_xlim(x_min - 0.05 * x_max, x_max * 1.15)
    ax.set_ylim(0, y_max * 1.15)
    ax.axvline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(thousands_ticks())
    ax.yaxis.set_major_formatter(thousands_ticks())
    ax.set_xlabel("extra adopters vs baseline (ever adopted)")
    ax.set_ylabel(money_axis_label("total spend", currency))
    ax.set_title("Cost-effectiveness (whiskers: 95 % CI of the mean)")
    ax.grid(alpha=0.3)
    legend_outside(ax, title="scenario (spend, extra adopters)\nand lines of equal cost", title_fontsize=8)
    return figure


def _in_view(axis, location: float) -> bool:
    low, high = sorted(axis.get_view_interval())
    span = (high - low) * 1e-9
    return low - span <= location <= high + span


def text_overlaps(figure: Figure) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts whose drawn bounding boxes overlap (by more than a pixel)."""
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
    texts = [t for t in texts if t.get_text().strip() and t.get_alpha() != 0]
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(-1.0)) for t in texts]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.width > 0 and box_b.width > 0 and box_a.overlaps(box_b)
    ]


def readable_on(rgba: Sequence[float]) -> str:
    """Black or white, whichever reads better on a fill colour (WCAG: black above relative luminance 0.179,
    where both contrast ratios are equal)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgba[:3])
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "white"


def timeline_figure(windows: dict[str, Sequence[Window]], steps: int) -> Figure:
    """Every scenario's interventions: planned window hatched, actual window solid."""
    labelled = [(f"{name}: {w.name}", w, i) for i, (name, ws) in enumerate(windows.items()) for w in ws]
    figure = Figure(figsize=(9, 0.9 + 0.3 * len(labelled)), layout="constrained")
    _timeline(figure.add_subplot(), labelled, steps)
    return figure


def interval_figure(table: pd.DataFrame, metrics: Sequence[str], currency: str = "") -> Figure:
    """Mean and 95 % CI per scenario, a panel per KPI (tidy: scenario, metric, mean, ci_low, ci_high)."""
    names = list(dict.fromkeys(table["scenario"]))
    figure = Figure(figsize=(9, 0.6 + (0.5 + 0.3 * len(names)) * len(metrics)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(len(metrics), 1, squeeze=False)[:, 0])
    for ax, metric in zip(axes, metrics, strict=True):
        part = table[table["metric"] == metric].set_index("scenario").reindex(names)
        y = np.arange(len(names))[::-1]
        error = np.abs(np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]]))
        ax.barh(y, part["mean"], xerr=np.nan_to_num(error), color=[color(i) for i in range(len(names))], capsize=3)
        ax.set_yticks(y, names, fontsize=8)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(
            kpi_label(metric) + (f" ({currency})" if currency and kpi_kind(metric) == "money" else ""), fontsize=10
        )
        if kpi_kind(metric) in ("money", "count"):
            ax.xaxis.set_major_formatter(thousands_ticks())
        ax.grid(alpha=0.3, axis="x")
    return figure
