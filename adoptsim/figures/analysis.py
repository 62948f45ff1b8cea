"""Sweep figures: response curves for grid and paired designs, scatter for LHS, bars of the
sensitivity indices of Sobol and Morris designs (computed in adoptsim/studies/sensitivity.py)."""

from __future__ import annotations

from collections.abc import Collection

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from adoptsim.figures.formatting import (
    kpi_kind,
    kpi_label,
    money_axis_label,
    parameter_label,
    percent,
    percent_ticks,
    thousands_ticks,
)
from adoptsim.figures.plot_style import color, legend_outside, readable_on


def sensitivity_figure(indices: pd.DataFrame, kind: str) -> Figure:
    """Bars of S1 and ST (Sobol) or mu* (Morris) per parameter, one panel per metric."""
    metrics = list(dict.fromkeys(indices["metric"]))
    figure = Figure(figsize=(8, 4.5 * len(metrics)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(len(metrics), 1, squeeze=False)[:, 0])
    for ax, metric in zip(axes, metrics, strict=True):
        part = indices[indices["metric"] == metric]
        x = np.arange(len(part))
        if kind == "sobol":
            ax.bar(x - 0.2, part["S1"], 0.4, yerr=part["S1_conf"], capsize=3, color=color(0), label="first order S1")
            ax.bar(x + 0.2, part["ST"], 0.4, yerr=part["ST_conf"], capsize=3, color=color(1), label="total order ST")
            ax.set_ylabel("Sobol index")
        else:
            # mu* is a mean of absolute effects, never below 0: the whisker stops at 0.
            conf = part["mu_star_conf"].to_numpy(dtype=float)
            below = np.minimum(conf, part["mu_star"].to_numpy(dtype=float))
            ax.bar(
                x,
                part["mu_star"],
                0.6,
                yerr=np.vstack([below, conf]),
                capsize=3,
                color=color(0),
                label="mu* (mean |effect|)",
            )
            ax.set_ylabel("Morris mu*")
        ax.set_xticks(x, [parameter_label(p) for p in part["parameter"]], rotation=30, ha="right", fontsize=8)
        ax.set_title(kpi_label(metric))
        ax.grid(alpha=0.3, axis="y")
        legend_outside(ax, title="whiskers: 95 % CI (bootstrap)", title_fontsize=7)
    return figure


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return numeric.to_numpy(dtype=float), None
    labels = list(dict.fromkeys(values.astype(str)))
    return np.array([labels.index(v) for v in values.astype(str)], dtype=float), labels


def _value(value) -> str:
    """A parameter value for a tick label: numbers short, anything else as written."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return f"{number:g}" if pd.notna(number) else str(value)


def response_figure(
    summary: pd.DataFrame,
    parameters: list[str],
    metric: str,
    paired: bool = False,
    currency: str = "",
    money: Collection[str] = (),
) -> Figure:
    """Metric against the first parameter with 95 % CI whiskers and bands: one line per
    combination of the other parameters (grid), or one line through the points (paired).
    `money`: the parameters that hold money, whose axis names the currency."""
    part = summary[summary["metric"] == metric]
    x_name = parameters[0]
    others = [] if paired else parameters[1:]
    groups = part.groupby(others, sort=True) if others else [((), part)]
    together = paired and len(parameters) > 1
    points = part["point"].nunique() if together and "point" in part else 0
    figure = Figure(figsize=(max(9.0, 0.9 + 2.3 * points), 5), layout="constrained")  # a tick label ~2 in wide
    ax = figure.add_subplot()
    partial = False  # a target reached in only some replications at some point: its mean is of those
    for i, (key, group) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        group = group.sort_values("point" if paired else x_name)
        x, labels = _positions(group[x_name])
        if together:  # parameters move together: evenly spaced points, every value in the tick label
            x = np.arange(len(group), dtype=float)
            labels = [
                "\n".join(f"{parameter_label(p)} = {_value(row[p])}" for p in parameters) for _, row in group.iterrows()
            ]
        label = ", ".join(f"{parameter_label(n)} = {v}" for n, v in zip(others, key, strict=True)) or kpi_label(metric)
        error = np.abs(np.vstack([group["mean"] - group["ci_low"], group["ci_high"] - group["mean"]]))
        ax.errorbar(x, group["mean"], yerr=np.nan_to_num(error), marker="o", capsize=3, color=color(i), label=label)
        ax.fill_between(x, group["ci_low"], group["ci_high"], color=color(i), alpha=0.15, lw=0)
        if metric.startswith("steps_to_") and {"n", "of"} <= set(group.columns):
            few = (group["n"] < group["of"]).to_numpy() & group["mean"].notna().to_numpy()
            partial |= bool(few.any())
            ax.scatter(np.asarray(x)[few], group["mean"][few], s=90, facecolors="white", edgecolors=color(i), zorder=3)
        if labels:
            ax.set_xticks(range(len(labels)), labels, fontsize=7 if together else None)
    if together:
        ax.set_xlabel("design point (the parameters change together)")
    else:
        ax.set_xlabel(parameter_label(x_name, currency if x_name in money else None))
        every, _ = _positions(part[x_name])  # a value no replication reached is a gap, not cut off the axis
        pad = 0.05 * (every.max() - every.min()) or 0.5
        ax.set_xlim(every.min() - pad, every.max() + pad)
    name = kpi_label(metric)
    short = name.split(" (")[0]  # the axis names the KPI; the title says what it includes
    ax.set_ylabel(money_axis_label(short, currency) if kpi_kind(metric) == "money" else short)
    if kpi_kind(metric) == "money":
        ax.yaxis.set_major_formatter(thousands_ticks())
    elif kpi_kind(metric) == "share":
        ax.yaxis.set_major_formatter(percent_ticks())
    said = "\nhollow: reached in only some replications (their mean); a gap: in none" if partial else ""
    if part["mean"].isna().all():  # no point has a value: say so, not an empty axis of -0.04 to 0.04 weeks
        said = ""
        ax.set_yticks([])
        ax.text(0.5, 0.5, "not reached at any design point", transform=ax.transAxes, ha="center", va="center")
    figure.suptitle(f"{name}\nwhiskers and bands: 95 % CI of the mean over replications{said}", fontsize=10)
    ax.grid(alpha=0.3)
    if others:  # one line per combination of the other parameters; a single line needs no legend
        legend_outside(ax)
    return figure


def heatmap_figure(
    summary: pd.DataFrame, parameters: list[str], metric: str, currency: str = "", money: Collection[str] = ()
) -> Figure:
    """Mean metric over a two-parameter grid: every point a cell, a target never reached grey and
    said so, one reached in only some replications says in how many (its mean is of those).
    `money`: the parameters that hold money, whose axis names the currency."""
    part = summary[summary["metric"] == metric]
    rows, columns = sorted(part[parameters[1]].unique()), sorted(part[parameters[0]].unique())

    def grid(values: str) -> pd.DataFrame:
        table = part.pivot_table(index=parameters[1], columns=parameters[0], values=values, aggfunc="mean")
        return table.reindex(index=rows, columns=columns)  # a row or column never reached is kept, not dropped

    table = grid("mean")
    reached = grid("n") if {"n", "of"} <= set(part.columns) else None
    of = grid("of") if reached is not None else None
    figure = Figure(figsize=(7, 5.5), layout="constrained")
    ax = figure.add_subplot()
    palette = matplotlib.colormaps["viridis"].with_extremes(bad="#dddddd")
    image = ax.imshow(np.ma.masked_invalid(table.to_numpy(float)), origin="lower", aspect="auto", cmap=palette)
    money_kpi = kpi_kind(metric) == "money"
    target = metric.startswith("steps_to_")
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in table.index])
    for (r, c), value in np.ndenumerate(table.to_numpy(float)):
        if np.isnan(value):
            text, ink = ("not\nreached" if target else "-"), "black"
        else:
            text = f"{value:,.0f}" if money_kpi and abs(value) >= 100 else f"{value:.3g}"
            if kpi_kind(metric) == "share":
                text = percent(value)  # as the report writes a share
            ink = readable_on(image.to_rgba(value))
            if target and reached is not None and reached.iat[r, c] < of.iat[r, c]:
                text += f"\n({reached.iat[r, c]:.0f} of {of.iat[r, c]:.0f})"
        ax.text(c, r, text, ha="center", va="center", color=ink, fontsize=8)
    ax.set_xlabel(parameter_label(parameters[0], currency if parameters[0] in money else None))
    ax.set_ylabel(parameter_label(parameters[1], currency if parameters[1] in money else None))
    title = f"mean {kpi_label(metric)}" + (f" ({currency})" if money_kpi and currency else "")
    if target:
        title += " where reached\n(k of n: reached in k replications only; grey: never)"
    ax.set_title(title)
    if table.isna().all().all():  # every cell grey: a colour bar would read -0.1 to 0.1
        return figure
    bar = figure.colorbar(image, ax=ax)
    if money_kpi:
        bar.ax.yaxis.set_major_formatter(thousands_ticks())
    elif kpi_kind(metric) == "share":  # as its cells say it
        bar.ax.yaxis.set_major_formatter(percent_ticks())
    return figure


def scatter_figure(
    summary: pd.DataFrame, parameters: list[str], metric: str, currency: str = "", money: Collection[str] = ()
) -> Figure:
    """Point means against each sampled parameter (LHS designs): three panels a row, so that many
    parameters make a taller figure, not a strip too wide to read. `money`: the parameters that
    hold money, whose axis names the currency."""
    part = summary[summary["metric"] == metric]
    columns = min(len(parameters), 3)
    rows = -(-len(parameters) // columns)
    figure = Figure(figsize=(4 * columns, 0.3 + 3.6 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True)
    for ax, name in zip(axes.flat, parameters, strict=False):
        ax.scatter(part[name], part["mean"], s=12, color=color(0))
        ax.set_xlabel(parameter_label(name, currency if name in money else None))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(parameters) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"{kpi_label(metric)} (mean per point)")
        if kpi_kind(metric) == "share":
            ax.yaxis.set_major_formatter(percent_ticks())
    return figure
