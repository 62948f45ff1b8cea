"""Figures of a search: convergence, the Pareto front (or objective against spend), the allocation.

Pure: tables in, matplotlib Figure out. Colours are the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from adoptsim.figures.formatting import kpi_label, money_axis_label, percent_ticks
from adoptsim.results.kpis import lookup
from adoptsim.studies.optimization.spec import Problem

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MONEY = FuncFormatter(lambda value, _: f"{value:,.0f}")


def _label(kpi: str) -> str:
    """The axis label; the registry's where it says more (net value includes value after the last week)."""
    found = lookup(kpi)
    if found and "(" in found[0].label:
        return kpi_label(kpi)
    return kpi.replace("_", " ").replace("pct", " %").replace("steps to", "weeks to")


def _money(kpi: str) -> bool:
    return "spend" in kpi or "value" in kpi


def _ticks(axis, kpi: str) -> None:
    """Money with thousands separators (shares stay fractions, as in the run's figures)."""
    if _money(kpi):
        axis.set_major_formatter(MONEY)


def _axis(kpi: str, currency: str) -> str:
    """The axis label, with the currency (or 'money' when none is given) where the KPI is money."""
    label = _label(kpi) if kpi != "spend" else "spend (mean over replications)"
    return money_axis_label(label, currency) if _money(kpi) else label


def _budget(problem: Problem) -> str:
    unit = problem.currency or "money"
    return f"share of the budget ({problem.spec.budget:,.0f} {unit})"


def _short_of(trials: pd.DataFrame, kpi: str) -> pd.Series:
    """Trials whose value of a target is the search's penalty: some replication never reached it."""
    if f"{kpi}_reached" not in trials:
        return pd.Series(False, index=trials.index)
    return trials[f"{kpi}_reached"] < trials[f"{kpi}_of"]


def _mark_penalties(ax, problem: Problem, trials: pd.DataFrame, kpi: str, x: str, y: str) -> None:
    """Hollow markers over the trials scored by the penalty for a target not reached in every
    replication (steps x (1 + gap / target): later than the run, never a week it was reached), and
    the run's last week as a dashed line: above it, no week is real."""
    short = _short_of(trials, kpi)
    if not short.any():
        return
    ax.scatter(
        trials.loc[short, x],
        trials.loc[short, y],
        s=40,
        facecolors="none",
        edgecolors=OKABE_ITO[7],
        label="not reached in every replication: the search's penalty",
    )
    line = ax.axhline if y == kpi else ax.axvline
    line(float(problem.base["steps"]), color="grey", ls="--", lw=1, label="the run's last week")


def convergence_figure(problem: Problem, trials: pd.DataFrame) -> Figure:
    """Each trial's value of the first objective, and the best so far."""
    objective = problem.spec.objectives[0]
    values = trials.sort_values("trial")
    best = values[objective.kpi].cummax() if objective.sense == "maximize" else values[objective.kpi].cummin()
    figure = Figure(figsize=(8, 4.5))
    ax = figure.subplots()
    ax.scatter(values["trial"], values[objective.kpi], s=14, color=OKABE_ITO[4], label="trial")
    ax.plot(values["trial"], best, color=OKABE_ITO[0], lw=2, label="best so far")
    if "stage" in values and (values["stage"] == "refine").any():  # CMA-ES around the best, after the search
        refine = values[values["stage"] == "refine"]
        ax.scatter(
            refine["trial"], refine[objective.kpi], s=30, marker="^", color=OKABE_ITO[1], label="refinement trial"
        )
    _mark_penalties(ax, problem, values, objective.kpi, "trial", objective.kpi)
    ax.xaxis.get_major_locator().set_params(integer=True)  # trials are whole numbers
    ax.set_xlabel("trial")
    ax.set_ylabel(
        _axis(objective.kpi, problem.currency) + (", maximised" if objective.sense == "maximize" else ", minimised")
    )
    _ticks(ax.yaxis, objective.kpi)
    ax.set_title(f"{problem.spec.name}: search convergence ({problem.spec.method})")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def pareto_figure(
    problem: Problem, trials: pd.DataFrame, front: list[int], fresh: tuple[float, float] | None = None
) -> Figure:
    """Two objectives against each other (or the objective against spend), the front marked: every
    point on the search's seeds; `fresh` (x, y) is the winner re-evaluated on fresh seeds."""
    objectives = problem.spec.objectives
    x = objectives[1].kpi if len(objectives) > 1 else "spend"
    y = objectives[0].kpi
    on_front = trials["trial"].isin(front)
    figure = Figure(figsize=(8, 4.5))
    ax = figure.subplots()
    ax.scatter(trials.loc[~on_front, x], trials.loc[~on_front, y], s=14, color=OKABE_ITO[4], label="trial")
    best = trials.loc[on_front].sort_values(x)
    label = "Pareto front (search seeds)" if len(objectives) > 1 else "winner (search seeds)"
    ax.plot(best[x], best[y], "o-", color=OKABE_ITO[5], label=label)
    if fresh is not None and len(objectives) == 1:
        ax.plot(*fresh, "D", color=OKABE_ITO[7], ms=8, label="winner re-evaluated on fresh seeds")
    _mark_penalties(ax, problem, trials, y, x, y)
    ax.set_xlabel(_axis(x, problem.currency))
    ax.set_ylabel(_axis(y, problem.currency))
    _ticks(ax.xaxis, x)
    _ticks(ax.yaxis, y)
    ax.set_title(f"{problem.spec.name}: trade-off")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def allocation_figure(problem: Problem, trials: pd.DataFrame, finalists: list[int], spend: pd.DataFrame) -> Figure:
    """Left: the budget share of each intervention in each finalist. Right: the winner's spend per
    week by intervention (mean over the final replications): how the money goes out over time."""
    names = problem.spec.split.interventions
    figure = Figure(figsize=(12, 4.5))
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
    rows = trials.set_index("trial").loc[finalists]
    bottom = np.zeros(len(rows))
    labels = [f"trial {t}" for t in finalists]
    for i, name in enumerate(names):
        share = rows[f"share_{name}"].to_numpy()
        left.barh(labels, share, left=bottom, color=OKABE_ITO[i % len(OKABE_ITO)], label=name)
        bottom += share
    if "share_unspent" in rows:
        left.barh(labels, rows["share_unspent"].to_numpy(), left=bottom, color="lightgrey", label="kept back")
    left.set_xlim(0, 1)
    left.xaxis.set_major_formatter(percent_ticks())
    left.invert_yaxis()
    left.set_xlabel(_budget(problem))
    left.set_title("Budget split of the finalists (best first)")
    for i, name in enumerate(names):
        column = f"spend_{name}"
        if column in spend:
            right.plot(spend["step"], spend[column], color=OKABE_ITO[i % len(OKABE_ITO)], lw=2, label=name)
    if "share_unspent" in rows:
        right.plot([], [], color="lightgrey", lw=6, label="kept back (left)")
    right.yaxis.set_major_formatter(MONEY)
    right.set_xlabel("step (week)")
    right.set_ylabel(money_axis_label("spend per week, mean", problem.currency))
    right.set_title("Winner: spend over time")
    right.grid(alpha=0.3)
    right.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def equivalent_figure(problem: Problem, equivalent: pd.DataFrame, ranges: pd.DataFrame) -> Figure:
    """Each lever's share across the equivalent set (a bar from lowest to highest), every member a
    dot and the winner a diamond: how much the split may vary without losing."""
    names = list(ranges["lever"])
    figure = Figure(figsize=(8, 0.6 * len(names) + 1.8))
    ax = figure.subplots()
    for i, row in enumerate(ranges.itertuples()):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.barh(i, row.highest - row.lowest, left=row.lowest, height=0.5, color=colour, alpha=0.35)
        shares = equivalent[f"share_{row.lever}"].to_numpy(float)
        ax.scatter(shares[1:], np.full(shares.size - 1, i), s=18, color=colour)
        ax.scatter(shares[:1], [i], marker="D", s=50, color="black", label="winner" if i == 0 else None)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(percent_ticks())
    ax.set_xlabel(_budget(problem))
    others = len(equivalent) - 1  # the set holds the winner
    said = f"{others} other split{'s' if others != 1 else ''} as good as" if others else "no other split as good as"
    ax.set_title(f"{problem.spec.name}: {said} the winner (fresh seeds)")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure
