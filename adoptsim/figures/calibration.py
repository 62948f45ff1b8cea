"""The calibration's two figures, drawn from its tables (adoptsim/studies/calibration/outputs.py):
fit.png (observations, simulated mean and 95 % band over the data's span) and forecast.png."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.outputs import BAND_LABEL, MEAN_LABEL, statistics, time_axis


def _observations(ax, problem: Problem, fit: pd.DataFrame, best: dict[str, float]) -> None:
    target = fit[fit["series"] == "target"]
    when = time_axis(problem, best, target["step"].to_numpy())
    held = target["heldout"].to_numpy()
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


def _label(problem: Problem) -> str:
    target = problem.spec.target
    of = f" of {target.population:g}" if target.population else ""
    return f"{target.column} ({target.measure.replace('_', ' ')}{of})"


def fit_figure(problem: Problem, fit: pd.DataFrame, forecast: pd.DataFrame, best: dict[str, float]) -> Figure:
    """Observations as points, the simulated mean as a line with its 95 % band, over the data's span."""
    figure = Figure(figsize=(8, 4.5))
    ax = figure.add_subplot()
    last = int(fit["step"].max())
    span = forecast[forecast["step"] <= last]
    ax.fill_between(span["time"], span["lower"], span["upper"], color="C0", alpha=0.25, lw=0, label=BAND_LABEL)
    ax.plot(span["time"], span["mean"], color="C0", label=MEAN_LABEL)
    _observations(ax, problem, fit, best)
    stats = statistics(fit)
    ax.set_title(f"{problem.spec.name}: R² {stats['r2']:.3f}, RMSE {stats['rmse']:.3g} on fitted points")
    ax.set_ylabel(_label(problem))
    ax.set_xlabel("date" if problem.launch_year(best) is not None else "step")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return figure


def forecast_figure(problem: Problem, fit: pd.DataFrame, forecast: pd.DataFrame, best: dict[str, float]) -> Figure:
    """The calibrated model past the data to the horizon, with the band; the data's end marked."""
    figure = Figure(figsize=(8, 4.5))
    ax = figure.add_subplot()
    ax.fill_between(
        forecast["time"], forecast["lower"], forecast["upper"], color="C1", alpha=0.25, lw=0, label=BAND_LABEL
    )
    ax.plot(forecast["time"], forecast["mean"], color="C1", label=MEAN_LABEL)
    _observations(ax, problem, fit, best)
    fitted = fit[(fit["series"] == "target") & ~fit["heldout"]]
    end = time_axis(problem, best, np.array([int(fitted["step"].max())]))[0]
    ax.axvline(end, color="grey", ls="--", lw=1, label="end of fitted data")
    ax.set_title(f"{problem.spec.name}: forecast")
    ax.set_ylabel(_label(problem))
    ax.set_xlabel("date" if problem.launch_year(best) is not None else "step")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return figure
