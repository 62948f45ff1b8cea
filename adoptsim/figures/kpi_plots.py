"""Figures of KPI summaries (a row per scenario): cost-effectiveness, and means with intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from adoptsim.figures.formatting import kpi_kind, kpi_label, money, money_axis_label, thousands_ticks
from adoptsim.figures.plot_style import GUIDE_DASHES, color, marker


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


def _for_good(row: object) -> str:
    """', N for good' from the long run's expansion_adopters, when the summary has it."""
    value = getattr(row, "expansion_adopters_mean", float("nan"))
    return "" if value is None or np.isnan(value) else f", {value:,.0f} for good"


def cost_effectiveness_figure(summary: pd.DataFrame, currency: str = "") -> Figure:
    """Total spend against incremental adopters (vs baseline), 95 % CI whiskers on both axes, with
    iso-cost lines: spend = c x extra adopters for round costs c per extra adopter."""
    figure = Figure(figsize=(8, 7), layout="constrained")
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
                ls=GUIDE_DASHES[j % len(GUIDE_DASHES)],
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
            fmt=marker(i),
            color=color(i),
            ms=7,
            capsize=3,
            label=f"{row.scenario}  ({money(y, currency)}, {x:,.0f} ahead{_for_good(row)})",
        )
    x_min = min(0.0, float(np.nanmin(summary["incremental_adopters_ci_low"].fillna(0.0))))
    ax.set_xlim(x_min - 0.05 * x_max, x_max * 1.15)
    ax.set_ylim(0, y_max * 1.15)
    ax.axvline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(thousands_ticks())
    ax.yaxis.set_major_formatter(thousands_ticks())
    ax.set_xlabel("adopters ahead of the baseline at the run's last week (ever adopted)")
    ax.set_ylabel(money_axis_label("total spend", currency))
    ax.set_title("Cost-effectiveness (whiskers: 95 % CI of the mean)")
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if handles:  # under the plot, two columns: at its right the long labels left the plot half the figure
        figure.legend(
            handles,
            labels,
            loc="outside lower center",
            ncol=2,
            frameon=False,
            fontsize=8,
            title="scenario (spend, adopters ahead at the last week, gained for good) and lines of equal cost",
            title_fontsize=8,
        )
    return figure


def interval_figure(
    table: pd.DataFrame,
    metrics: Sequence[str],
    currency: str = "",
    order: Sequence[str] | None = None,
    points: bool = False,
) -> Figure:
    """Mean and 95 % CI per scenario, a panel per KPI (tidy: scenario, metric, mean, ci_low, ci_high).
    `order`: every scenario of the folder, so that a scenario keeps its colour of the other figures
    even where the baseline is left out (differences). Shares read in % or, with `points` (differences
    of shares), in percentage points."""
    names = list(dict.fromkeys(table["scenario"]))
    order = list(order or names)
    figure = Figure(figsize=(9, 0.6 + (0.5 + 0.3 * len(names)) * len(metrics)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(len(metrics), 1, squeeze=False)[:, 0])
    for ax, metric in zip(axes, metrics, strict=True):
        part = table[table["metric"] == metric].set_index("scenario").reindex(names)
        y = np.arange(len(names))[::-1]
        error = np.abs(np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]]))
        ax.barh(
            y,
            part["mean"],
            xerr=np.nan_to_num(error),
            color=[color(order.index(n) if n in order else i) for i, n in enumerate(names)],
            capsize=3,
        )
        ax.set_yticks(y, names, fontsize=8)
        ax.axvline(0, color="grey", lw=0.8)
        unit = f" ({currency})" if currency and kpi_kind(metric) == "money" else ""
        if kpi_kind(metric) in ("share", "ratio"):
            unit = " (percentage points)" if points else " (%)"
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:+.0f}" if points else f"{100 * v:.0f}"))
        ax.set_title(kpi_label(metric) + unit, fontsize=10)
        if kpi_kind(metric) in ("money", "count"):
            ax.xaxis.set_major_formatter(thousands_ticks())
        ax.grid(alpha=0.3, axis="x")
    return figure
