"""Figures from result tables. Pure: (tables) -> Figure; no model is ever run here.

Bands are, by default (`band="ci"`), the 95 % confidence interval of the mean over replications
(t distribution), or (`band="range"`) the spread of the replications (lowest to highest); their
legend label says which. Intervention windows are shaded where given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from adoptsim.metrics import ci_half_width

STAGE_COLUMNS = {"n_unaware": "unaware", "n_aware": "aware", "n_lapsed": "lapsed", "n_active": "active"}


def mean_band(timeseries: pd.DataFrame, column: str, band: str = "ci") -> pd.DataFrame:
    """Per step: mean over replications and the band (95 % CI of the mean, or min to max)."""
    grouped = timeseries.groupby("step")[column]
    mean, n = grouped.mean(), grouped.count()
    if band == "range":
        low, high = grouped.min(), grouped.max()
    else:
        half = ci_half_width(grouped.std(ddof=1), n).where(n > 1, 0.0)
        low, high = mean - half.fillna(0.0), mean + half.fillna(0.0)
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


def _axes(ax: Axes | None, size: tuple[float, float] = (8, 4.5)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    figure = Figure(figsize=size)
    return figure, figure.add_subplot()


def shade_windows(ax: Axes, windows: list[tuple[str, int, int]]) -> None:
    """Shade intervention windows (name, first step, last step) behind the curves."""
    for i, (name, start, end) in enumerate(windows):
        ax.axvspan(start, end + 1, color=f"C{i % 10}", alpha=0.08, lw=0)
        ax.text(start, ax.get_ylim()[1], f" {name}", va="top", ha="left", fontsize=7, alpha=0.8, rotation=90)


def plot_with_band(
    ax: Axes, timeseries: pd.DataFrame, column: str, label: str, color: str, show_band_label: bool, band: str = "ci"
) -> None:
    """One mean curve with its band."""
    values = mean_band(timeseries, column, band)
    ax.plot(values["step"], values["mean"], color=color, label=label)
    n = int(values["n"].max())
    if n > 1:
        ax.fill_between(
            values["step"],
            values["low"],
            values["high"],
            color=color,
            alpha=0.25,
            lw=0,
            label=band_label(n, band) if show_band_label else None,
        )


def adoption_figure(
    timeseries: pd.DataFrame,
    title: str = "",
    windows: list[tuple[str, int, int]] | None = None,
    ax: Axes | None = None,
    band: str = "ci",
) -> Figure:
    """Active and ever-adopted share over time, with bands over replications."""
    figure, ax = _axes(ax)
    plot_with_band(ax, timeseries, "share_active", "active users", "C0", True, band)
    plot_with_band(ax, timeseries, "share_ever_adopted", "ever adopted", "C1", False, band)
    ax.set_xlabel("step (week)")
    ax.set_ylabel("share of consumers")
    ax.set_ylim(0, max(0.05, float(timeseries["share_ever_adopted"].max()) * 1.1))
    ax.set_title(title or "Wallet adoption")
    shade_windows(ax, windows or [])
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return figure


def funnel_figure(timeseries: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Figure:
    """Stages stacked over time (mean over replications)."""
    figure, ax = _axes(ax)
    means = timeseries.groupby("step")[list(STAGE_COLUMNS)].mean()
    total = means.sum(axis=1)
    ax.stackplot(
        means.index,
        *[means[c] / total for c in STAGE_COLUMNS],
        labels=list(STAGE_COLUMNS.values()),
        colors=["#d9d9d9", "#9ecae1", "#fdae6b", "#31a354"],
    )
    ax.set_xlim(means.index.min(), means.index.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel("step (week)")
    ax.set_ylabel("share of consumers (mean over replications)")
    ax.set_title(title or "Adoption funnel")
    ax.legend(loc="upper left")
    return figure


def segments_figure(timeseries: pd.DataFrame, title: str = "", band: str = "ci") -> Figure:
    """Active share per age group and per region over time, with bands over replications."""
    figure = Figure(figsize=(12, 4.5))
    axes = figure.subplots(1, 2, sharey=True)
    for ax, prefix, heading in (
        (axes[0], "share_active_age_", "by age group"),
        (axes[1], "share_active_region_", "by region"),
    ):
        columns = [c for c in timeseries.columns if c.startswith(prefix)]
        for i, column in enumerate(columns):
            plot_with_band(ax, timeseries, column, column[len(prefix) :], f"C{i}", i == 0, band)
        ax.set_title(f"Active share {heading}")
        ax.set_xlabel("step (week)")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
    axes[0].set_ylabel("share active")
    if title:
        figure.suptitle(title)
    return figure


def comparison_figure(timeseries: pd.DataFrame, baseline: str, ax: Axes | None = None, band: str = "ci") -> Figure:
    """Active share over time, one colour per scenario, with bands over replications."""
    figure, ax = _axes(ax, (9, 5))
    for i, (name, part) in enumerate(timeseries.groupby("scenario", sort=False)):
        label = f"{name} (baseline)" if name == baseline else name
        plot_with_band(ax, part, "share_active", label, f"C{i % 10}", i == 0, band)
    ax.set_xlabel("step (week)")
    ax.set_ylabel("share of consumers active")
    ax.set_title("Active users by scenario (common random numbers)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return figure


def _final_segment_table(timeseries: pd.DataFrame, prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    last = timeseries[timeseries["step"] == timeseries["step"].max()]
    columns = [c for c in last.columns if c.startswith(prefix)]
    grouped = last.groupby("scenario", sort=False)[columns]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    half = ci_half_width(sd, n).where(n > 1, 0.0).fillna(0.0)
    rename = {c: c[len(prefix) :] for c in columns}
    return mean.rename(columns=rename), half.rename(columns=rename)


def comparison_segments_figure(timeseries: pd.DataFrame) -> Figure:
    """Final active share per age group and region, one bar per scenario (95 % CI whiskers)."""
    figure = Figure(figsize=(13, 4.8))
    axes = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [2, 1]})
    for ax, prefix, heading in (
        (axes[0], "share_active_age_", "age group"),
        (axes[1], "share_active_region_", "region"),
    ):
        mean, half = _final_segment_table(timeseries, prefix)
        width = 0.8 / max(len(mean), 1)
        x = np.arange(mean.shape[1])
        for i, name in enumerate(mean.index):
            ax.bar(
                x + i * width - 0.4 + width / 2,
                mean.loc[name],
                width,
                yerr=half.loc[name],
                color=f"C{i % 10}",
                label=name,
                capsize=2,
            )
        ax.set_xticks(x, mean.columns)
        ax.set_title(f"Final active share by {heading}")
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("share active at the last step")
    axes[0].legend(fontsize=8)
    figure.text(0.01, 0.01, "whiskers: 95 % CI of the mean over replications", fontsize=7)
    return figure


def cost_effectiveness_figure(summary: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Total spend against incremental adopters (vs baseline), 95 % CI whiskers on both axes."""
    figure, ax = _axes(ax, (7, 5))
    for i, row in enumerate(summary.itertuples(index=False)):
        x, y = row.incremental_adopters_mean, row.total_spend_mean
        xerr = [[x - row.incremental_adopters_ci_low], [row.incremental_adopters_ci_high - x]]
        yerr = [[y - row.total_spend_ci_low], [row.total_spend_ci_high - y]]
        xerr = None if np.isnan(xerr[0][0]) else np.abs(xerr)
        yerr = None if np.isnan(yerr[0][0]) else np.abs(yerr)
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", color=f"C{i % 10}", capsize=3, label=row.scenario)
        ax.annotate(row.scenario, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("incremental adopters vs baseline (ever adopted)")
    ax.set_ylabel("total spend")
    ax.set_title("Cost-effectiveness (whiskers: 95 % CI of the mean)")
    ax.grid(alpha=0.3)
    return figure
