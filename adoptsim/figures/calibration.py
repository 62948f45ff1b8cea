"""Calibration figures (pure: tables in, Figure out): one panel per market.

Two different curves, labelled so that neither is taken for the other: the solid line is the
median of the ensemble's curves (posterior draws x replications), so it lies inside its 95 %
band by construction; the dashed line is the best fit's mean (fit.csv's `simulated`, on which
R^2 is computed, and what calibrated.yaml runs), which may leave a band the posterior has not
narrowed. Both figures draw both, so the forecast a user runs from calibrated.yaml is the one drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from adoptsim.figures.formatting import percent_ticks
from adoptsim.figures.plot_style import legend_outside
from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.outputs import statistics, time_axis

BAND_LABEL = "95 % band (posterior draws x replications)"
LINE_LABEL = "median of the same curves (the ensemble)"
BEST_LABEL = "best fit: mean of its replications\n(what calibrated.yaml runs)"


def _observations(ax, problem: Problem, fit: pd.DataFrame, best: dict[str, float], part) -> None:
    target = fit[(fit["series"] == "target") & (fit["market"] == part.name)]
    when = time_axis(problem, best, target["step"].to_numpy(), part)
    held = target["heldout"].to_numpy(dtype=bool)
    ax.scatter(when[~held], target["observed"][~held], color="black", zorder=3, label="observed (fitted)")
    if held.any():
        ax.scatter(
            when[held],
            target["observed"][held],
            facecolors="none",
            edgecolors="C3",
            s=60,
            lw=1.5,
            zorder=3,
            label="observed (held out)",
        )


def _label(part) -> str:
    target = part.target
    of = f" of {target.population:g}" if target.population else ""
    return f"{target.column}\n({target.measure.replace('_', ' ')}{of})"


def _y_axis(ax, part) -> None:
    """The observed curve's name and measure; a share in percent, as the tables write it."""
    ax.set_ylabel(_label(part))
    if part.target.measure.endswith("_share"):
        ax.yaxis.set_major_formatter(percent_ticks())


def _panels(problem: Problem) -> tuple[Figure, list]:
    count = len(problem.parts)
    figure = Figure(figsize=(10, 4.2 * count) if count > 1 else (10, 4.5), layout="constrained")
    axes = [figure.add_subplot(count, 1, i + 1) for i in range(count)]
    return figure, axes


def fit_figure(problem: Problem, fit: pd.DataFrame, forecast: pd.DataFrame, best: dict[str, float]) -> Figure:
    """Per market: observations as points, the ensemble's median in its 95 % band and the best
    fit's mean, over the data's span."""
    figure, axes = _panels(problem)
    for ax, part in zip(axes, problem.parts, strict=True):
        rows = fit[(fit["market"] == part.name) & (fit["series"] == "target")]
        span = forecast[(forecast["market"] == part.name) & (forecast["step"] <= int(rows["step"].max()))]
        ax.fill_between(span["time"], span["lower"], span["upper"], color="C0", alpha=0.25, lw=0, label=BAND_LABEL)
        ax.plot(span["time"], span["median"], color="C0", label=LINE_LABEL)
        ax.plot(span["time"], span["mean"], color="C3", ls="--", lw=1, label=BEST_LABEL)
        _observations(ax, problem, fit, best, part)
        stats = statistics(fit, part.name)
        name = part.name or problem.spec.name
        ax.set_title(f"{name}: R² {stats['r2']:.3f}, RMSE {stats['rmse']:.3g} on fitted points (best fit)")
        _finish(ax, problem, best, part)
    return figure


def forecast_figure(problem: Problem, fit: pd.DataFrame, forecast: pd.DataFrame, best: dict[str, float]) -> Figure:
    """Per market: the calibrated model past the data to the horizon: the ensemble's median in its
    band and the best fit's mean (calibrated.yaml's forecast); the data's end marked."""
    figure, axes = _panels(problem)
    for ax, part in zip(axes, problem.parts, strict=True):
        span = forecast[forecast["market"] == part.name]
        ax.fill_between(span["time"], span["lower"], span["upper"], color="C1", alpha=0.25, lw=0, label=BAND_LABEL)
        ax.plot(span["time"], span["median"], color="C1", label=LINE_LABEL)
        ax.plot(span["time"], span["mean"], color="C3", ls="--", lw=1, label=BEST_LABEL)
        _observations(ax, problem, fit, best, part)
        fitted = fit[(fit["series"] == "target") & ~fit["heldout"] & (fit["market"] == part.name)]
        end = time_axis(problem, best, np.array([int(fitted["step"].max())]), part)[0]
        ax.axvline(end, color="grey", ls="--", lw=1, label="end of fitted data")
        ax.set_title(f"{part.name or problem.spec.name}: forecast")
        _finish(ax, problem, best, part)
    return figure


def prediction_figure(prediction: pd.DataFrame, market: str, stats: dict[str, float], part=None) -> Figure:
    """A left-out market: observations, the predicted median and its 95 % band (from the others' fit),
    at the observed dates; `part` (the market's) names the y axis's measure."""
    figure = Figure(figsize=(8, 5), layout="constrained")
    ax = figure.add_subplot()
    when = pd.to_datetime(prediction["date"])
    prior = list(stats.get("from_prior", {}))  # core parameters the fitted markets did not inform
    band, line = BAND_LABEL, "predicted (best core, mean of its replications)"
    if prior:
        band = f"95 % band (posterior draws, {', '.join(prior)} from its prior, x replications)"
        line = f"predicted (best core, {', '.join(prior)} at its prior's middle; mean of its replications)"
    ax.fill_between(when, prediction["lower"], prediction["upper"], color="C2", alpha=0.25, lw=0, label=band)
    ax.plot(when, prediction["simulated"], color="C2", marker="o", ms=3, label=line)
    ax.scatter(when, prediction["observed"], color="black", zorder=3, label="observed (never fitted)")
    ax.set_title(
        f"{market} predicted from its context alone: R² {stats['r2']:.3f}, RMSE {stats['rmse']:.3g}, "
        f"{stats['covered']} of {stats['points']} inside the band"
    )
    ax.set_xlabel("date (the prediction at each observed date)")
    if part is not None:
        _y_axis(ax, part)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, frameon=False)  # never over the data
    ax.grid(alpha=0.3)
    return figure


def _finish(ax, problem: Problem, best: dict[str, float], part) -> None:
    _y_axis(ax, part)
    ax.set_xlabel("date" if problem.launch_year(best, part) is not None else "step")
    legend_outside(ax)  # never over the observed points
    ax.grid(alpha=0.3)
