"""Interactive Plotly figures for the report (hover for values, click legend entries to toggle).

Same tables, colours and bands as `adoptsim.figures.plots`; legends sit under the plot so that narrow
screens keep the full width for data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from adoptsim.figures.formatting import kpi_kind, kpi_label, money, money_axis_label
from adoptsim.figures.kpi_plots import nice_levels
from adoptsim.figures.plot_style import PALETTE, color, mean_band
from adoptsim.figures.plots import final_segment_table, segment_label
from adoptsim.results.windows import Window


def _layout(figure: go.Figure, height: int = 440) -> go.Figure:
    """Shared look; the title is the report's heading above the figure, not part of it."""
    figure.update_layout(
        template="plotly_white",
        colorway=list(PALETTE),
        height=height,
        autosize=True,
        margin={"l": 60, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        hovermode=figure.layout.hovermode or "x unified",
        font={"family": "system-ui, sans-serif", "size": 12},
    )
    return figure


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def curves(timeseries: pd.DataFrame, column: str, baseline: str | None, ylabel: str) -> go.Figure:
    """One mean curve per scenario with its 95 % CI band (hover shows mean and band)."""
    figure = go.Figure()
    for i, (name, part) in enumerate(timeseries.groupby("scenario", sort=False)):
        values = mean_band(part, column)
        label = f"{name} (baseline)" if name == baseline else str(name)
        group = f"s{i}"
        if int(values["n"].max()) > 1:
            figure.add_trace(
                go.Scatter(
                    x=np.concatenate([values["step"], values["step"][::-1]]),
                    y=np.concatenate([values["high"], values["low"][::-1]]),
                    fill="toself",
                    fillcolor=_rgba(color(i), 0.2),
                    line={"width": 0},
                    hoverinfo="skip",
                    legendgroup=group,
                    showlegend=False,
                    name=f"{label} 95 % CI",
                )
            )
        figure.add_trace(
            go.Scatter(
                x=values["step"],
                y=values["mean"],
                mode="lines",
                line={"color": color(i)},
                name=label,
                legendgroup=group,
                customdata=np.stack([values["low"], values["high"]], axis=1),
                hovertemplate="%{y:.1%} (%{customdata[0]:.1%} to %{customdata[1]:.1%})",
            )
        )
    figure.update_xaxes(title="step (week)")
    figure.update_yaxes(title=ylabel, tickformat=".0%", rangemode="tozero")
    return _layout(figure)


def timeline(windows: dict[str, Sequence[Window]], steps: int) -> go.Figure:
    """Interventions: planned window (light) and actual window (solid), one row each."""
    figure = go.Figure()
    rows = [(f"{scenario}: {w.name}", w, i) for i, (scenario, ws) in enumerate(windows.items()) for w in ws]
    labels = [label for label, _, _ in rows]
    figure.add_trace(
        go.Bar(
            y=labels,
            x=[w.planned_end - w.start + 1 for _, w, _ in rows],
            base=[w.start for _, w, _ in rows],
            orientation="h",
            marker={"color": "rgba(0,0,0,0)", "line": {"color": "#777777", "width": 1}, "pattern": {"shape": "/"}},
            name="planned",
            hovertemplate="planned: week %{base} to %{x}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            y=labels,
            x=[max(w.end - w.start + 1, 0) for _, w, _ in rows],
            base=[w.start for _, w, _ in rows],
            orientation="h",
            marker={"color": [color(i) for _, _, i in rows]},
            width=0.5,
            name="acting (until the money ran out)",
            customdata=[[w.end, "money ran out" if w.cut_short else "as planned"] for _, w, _ in rows],
            hovertemplate="acting: week %{base} to %{customdata[0]} (%{customdata[1]})<extra></extra>",
        )
    )
    figure.update_layout(barmode="overlay", hovermode="closest")
    figure.update_xaxes(title="step (week)", range=[0, steps])
    figure.update_yaxes(autorange="reversed", automargin=True)
    return _layout(figure, height=160 + 34 * len(rows))


def cost_effectiveness(wide: pd.DataFrame, currency: str) -> go.Figure:
    """Spend against extra adopters with 95 % CI whiskers, and lines of equal cost per extra adopter."""
    figure = go.Figure()
    x, y = wide["incremental_adopters_mean"].astype(float), wide["total_spend_mean"].astype(float)
    x_max = max(float(np.nanmax(wide["incremental_adopters_ci_high"].fillna(x))), 1.0) * 1.15
    useful = (x > 0) & (y > 0)
    if useful.any():
        ratios = (y[useful] / x[useful]).to_numpy()
        for level in nice_levels(ratios.min() / 3, ratios.max() * 3):
            figure.add_trace(
                go.Scatter(
                    x=[0, x_max],
                    y=[0, level * x_max],
                    mode="lines",
                    line={"color": "#888888", "width": 1, "dash": "dot"},
                    name=f"{money(level, currency)} per extra adopter",
                    hoverinfo="name",
                )
            )
    for i, row in enumerate(wide.itertuples(index=False)):
        figure.add_trace(
            go.Scatter(
                x=[row.incremental_adopters_mean],
                y=[row.total_spend_mean],
                mode="markers",
                marker={"color": color(i), "size": 11, "symbol": i % 8},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [row.incremental_adopters_ci_high - row.incremental_adopters_mean],
                    "arrayminus": [row.incremental_adopters_mean - row.incremental_adopters_ci_low],
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [row.total_spend_ci_high - row.total_spend_mean],
                    "arrayminus": [row.total_spend_mean - row.total_spend_ci_low],
                },
                name=str(row.scenario),
                hovertemplate=f"{row.scenario}<br>%{{x:,.0f}} extra adopters<br>spend %{{y:,.0f}} {currency}"
                + "<extra></extra>",
            )
        )
    figure.update_layout(hovermode="closest")
    figure.update_xaxes(
        title="extra adopters vs baseline (ever adopted)",
        tickformat=",.0f",
        range=[min(0, x.min()) - 0.05 * x_max, x_max],
    )
    figure.update_yaxes(
        title=money_axis_label("total spend", currency),
        tickformat=",.0f",
        range=[0, max(float(np.nanmax(wide["total_spend_ci_high"].fillna(y))), 1.0) * 1.15],
    )
    return _layout(figure, height=480)


def segments(timeseries: pd.DataFrame, families: dict[str, list[str]]) -> go.Figure:
    """Active share at the last step per segment, one bar per scenario, a panel per segmentation."""
    figure = make_subplots(rows=len(families), cols=1, subplot_titles=[f"by {f.replace('_', ' ')}" for f in families])
    for row, (family, columns) in enumerate(families.items(), start=1):
        mean, half = final_segment_table(timeseries, columns)
        for i, name in enumerate(mean.index):
            figure.add_trace(
                go.Bar(
                    x=[segment_label(c, family) for c in columns],
                    y=mean.loc[name],
                    error_y={"type": "data", "array": half.loc[name]},
                    name=str(name),
                    marker={"color": color(i)},
                    legendgroup=str(name),
                    showlegend=row == 1,
                    hovertemplate=f"{name}: %{{y:.1%}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        figure.update_yaxes(tickformat=".0%", title="share active", row=row, col=1)
    figure.update_layout(barmode="group", hovermode="closest")
    return _layout(figure, height=120 + 300 * len(families))


def interval_bars(table: pd.DataFrame, metrics: list[str], currency: str) -> go.Figure:
    """Mean and 95 % CI per scenario for a few KPIs (tidy table: scenario, metric, mean, ci_low, ci_high)."""
    figure = make_subplots(rows=len(metrics), cols=1, subplot_titles=[kpi_label(m) for m in metrics])
    for row, metric in enumerate(metrics, start=1):
        part = table[table["metric"] == metric]
        unit = f" {currency}" if kpi_kind(metric) == "money" and currency else ""
        figure.add_trace(
            go.Bar(
                y=part["scenario"].astype(str),
                x=part["mean"],
                orientation="h",
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["ci_high"] - part["mean"]).fillna(0),
                    "arrayminus": (part["mean"] - part["ci_low"]).fillna(0),
                },
                marker={"color": [color(i) for i in range(len(part))]},
                showlegend=False,
                hovertemplate=f"%{{y}}: %{{x:,.2f}}{unit}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        figure.update_xaxes(tickformat=".0%" if kpi_kind(metric) in ("share", "ratio") else ",.0f", row=row, col=1)
        figure.update_yaxes(automargin=True, autorange="reversed", row=row, col=1)
    figure.update_layout(hovermode="closest")
    return _layout(figure, height=100 + 70 * len(metrics) * max(table["scenario"].nunique(), 2))
