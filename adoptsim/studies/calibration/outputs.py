"""What a calibration writes: the ensemble behind the bands, fit.csv, parameters.csv,
calibrated.yaml and the two figures (pure: tables in, Figure out).

The band is the central 95 % of all simulated curves: the best parameters' replications and,
for each posterior draw, the same replications (parameter uncertainty plus the model's own
randomness). The mean is the best parameters' replications only, which is what `adoptsim run
calibrated.yaml --reps <replications>` reproduces.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from adoptsim.figures.plot_style import legend_outside
from adoptsim.scenario.spec import set_path, split_path
from adoptsim.studies.calibration.objective import Problem, fit_statistics
from adoptsim.studies.calibration.observations import MEASURES, date_of
from adoptsim.studies.calibration.posterior import weighted_interval
from adoptsim.studies.evaluation import apply_values, plain

LEVEL = 0.95


@dataclass
class Ensemble:
    """The runs behind the outputs, all to the forecast horizon."""

    best: dict[str, float]
    best_series: pd.DataFrame
    draws: list[dict[str, float]]
    draw_series: list[pd.DataFrame]
    extra_steps: int

    @property
    def steps(self) -> int:
        return int(self.best_series["step"].max())


BAND_LABEL = "95 % band (posterior draws x replications)"
MEAN_LABEL = "best fit (mean of its replications)"
"""The line is the optimiser's best and the band the posterior's spread: they need not agree
where the posterior moves away from the best point, so the legend names each."""


def run_ensemble(
    problem: Problem, best: dict[str, float], draws: list[dict[str, float]], executor: Executor | None, horizon: float
) -> Ensemble:
    """The best parameters' and the posterior draws' replications, `horizon` years past the data."""
    extra = int(round(horizon * problem.spec.steps_per_year))
    series = problem.evaluate([best, *draws], executor, extra_steps=extra)
    return Ensemble(best, series[0], draws, series[1:], extra)


def _band(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - LEVEL) / 2
    return np.nanquantile(curves, tail, axis=0), np.nanquantile(curves, 1 - tail, axis=0)


def fit_table(problem: Problem, ensemble: Ensemble) -> pd.DataFrame:
    """A row per observation: date, step, observed, simulated (mean), lower, upper, heldout, series."""
    obs = problem.observations
    best = problem.simulated(ensemble.best, ensemble.best_series)
    curves = [best] + [problem.simulated(d, s) for d, s in zip(ensemble.draws, ensemble.draw_series, strict=True)]
    lower, upper = _band(np.vstack(curves))
    scale = np.where(obs["series"] == "target", problem.loaded.scale, 1.0)
    return pd.DataFrame(
        {
            "date": [d.date().isoformat() if pd.notna(d) else "" for d in obs["date"]],
            "step": problem.steps(ensemble.best),
            "observed": obs["observed"],
            "simulated": best.mean(axis=0) * scale,
            "lower": lower * scale,
            "upper": upper * scale,
            "heldout": obs["heldout"],
            "series": obs["series"],
        }
    )


def statistics(fit: pd.DataFrame) -> dict[str, float]:
    """R^2 and RMSE on the fitted target points; RMSE and coverage on the held-out ones."""
    target = fit[fit["series"] == "target"]
    fitted, held = target[~target["heldout"]], target[target["heldout"]]
    r2, rmse = fit_statistics(fitted["observed"].to_numpy(), fitted["simulated"].to_numpy())
    stats = {"r2": r2, "rmse": rmse, "heldout": len(held)}
    if len(held):
        _, stats["heldout_rmse"] = fit_statistics(held["observed"].to_numpy(), held["simulated"].to_numpy())
        inside = (held["observed"] >= held["lower"]) & (held["observed"] <= held["upper"])
        stats["heldout_covered"] = int(inside.sum())
        stats["heldout_band_width"] = float((held["upper"] - held["lower"]).mean())
    return stats


def parameters_table(problem: Problem, best: dict[str, float], particles: pd.DataFrame | None) -> pd.DataFrame:
    """parameter, best, lower, upper, interval (which kind of interval, or none)."""
    rows = []
    for name in problem.names:
        row = {"parameter": name, "best": best[name], "lower": np.nan, "upper": np.nan, "interval": "none"}
        if particles is not None:
            row["lower"], row["upper"] = weighted_interval(particles[name].to_numpy(), particles["weight"].to_numpy())
            row["interval"] = f"95 % credible (ABC-SMC posterior, {len(particles)} particles)"
        rows.append(row)
    return pd.DataFrame(rows)


def calibrated_mapping(problem: Problem, best: dict[str, float], steps: int, out: Path) -> dict[str, Any]:
    """A scenario extending the base with the fixed and fitted values, run to the forecast horizon.

    Values inside lists (interventions[name].field) replace the whole list, since `extends`
    replaces lists rather than merging them.
    """
    spec = problem.spec
    base_file = (problem.loaded.folder / spec.scenario).resolve()
    values = {**spec.fixed, **{path: plain(best[path]) for path in spec.parameters}}
    applied = apply_values(problem.loaded.base, values)
    overlay: dict[str, Any] = {}
    for path, value in values.items():
        parts = split_path(path)
        if any(isinstance(p, int) or str(p).startswith("[") for p in parts):
            overlay[str(parts[0])] = applied[str(parts[0])]
        else:
            set_path(overlay, path, plain(value))
    header = {
        "extends": os.path.relpath(base_file, out.resolve()),
        "name": f"{spec.name}_calibrated",
        "description": f"{spec.name} calibrated by adoptsim calibrate ({spec.description.strip() or spec.scenario})",
        "seed": problem.loaded.seed,
        "steps": steps,
    }
    return {**header, **overlay}


def calibrated_yaml(problem: Problem, best: dict[str, float], steps: int, out: Path, source: str) -> str:
    """calibrated.yaml's text, with a comment on the time alignment."""
    launch = problem.launch_year(best)
    lines = [f"# Made by `adoptsim calibrate {source}`; `adoptsim run` runs it (the mean of fit.csv is its mean"]
    lines.append(f"# over the first {problem.spec.replications} replications)")
    if launch is not None:
        fitted = " (fitted)" if problem.spec.fits_launch else ""
        lines.append(
            f"# Step 0 is the launch, {date_of(launch).date()}{fitted}; {problem.spec.steps_per_year} steps a year."
        )
    mapping = calibrated_mapping(problem, best, steps, out)
    return "\n".join(lines) + "\n" + yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)


def _time_axis(problem: Problem, best: dict[str, float], steps: np.ndarray) -> np.ndarray:
    launch = problem.launch_year(best)
    if launch is None:
        return steps
    return np.array([date_of(launch + s / problem.spec.steps_per_year) for s in steps])


def forecast_table(problem: Problem, ensemble: Ensemble) -> pd.DataFrame:
    """Per step of the best run: time, mean and 95 % band of the target measure (target units)."""
    column = MEASURES[problem.spec.target.measure]
    scale = problem.loaded.scale
    best = ensemble.best_series.pivot(index="step", columns="replication", values=column)
    steps = best.index.to_numpy()
    curves = [best.to_numpy().T]
    best_launch = problem.launch_year(ensemble.best)
    for values, series in zip(ensemble.draws, ensemble.draw_series, strict=True):
        table = series.pivot(index="step", columns="replication", values=column)
        shift = 0
        if problem.spec.fits_launch:
            shift = int(round((problem.launch_year(values) - best_launch) * problem.spec.steps_per_year))
        curves.append(table.reindex(steps - shift).fillna(0.0 if shift > 0 else np.nan).to_numpy().T)
    lower, upper = _band(np.vstack(curves))
    return pd.DataFrame(
        {
            "time": _time_axis(problem, ensemble.best, steps),
            "step": steps,
            "mean": best.mean(axis=1).to_numpy() * scale,
            "lower": lower * scale,
            "upper": upper * scale,
        }
    )


def _observations(ax, problem: Problem, fit: pd.DataFrame, best: dict[str, float]) -> None:
    target = fit[fit["series"] == "target"]
    when = _time_axis(problem, best, target["step"].to_numpy())
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
    figure = Figure(figsize=(9, 4.5), layout="constrained")
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
    legend_outside(ax)  # never over the observed points
    ax.grid(alpha=0.3)
    return figure


def forecast_figure(problem: Problem, fit: pd.DataFrame, forecast: pd.DataFrame, best: dict[str, float]) -> Figure:
    """The calibrated model past the data to the horizon, with the band; the data's end marked."""
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    ax = figure.add_subplot()
    ax.fill_between(
        forecast["time"], forecast["lower"], forecast["upper"], color="C1", alpha=0.25, lw=0, label=BAND_LABEL
    )
    ax.plot(forecast["time"], forecast["mean"], color="C1", label=MEAN_LABEL)
    _observations(ax, problem, fit, best)
    fitted = fit[(fit["series"] == "target") & ~fit["heldout"]]
    end = _time_axis(problem, best, np.array([int(fitted["step"].max())]))[0]
    ax.axvline(end, color="grey", ls="--", lw=1, label="end of fitted data")
    ax.set_title(f"{problem.spec.name}: forecast")
    ax.set_ylabel(_label(problem))
    ax.set_xlabel("date" if problem.launch_year(best) is not None else "step")
    legend_outside(ax)  # never over the observed points
    ax.grid(alpha=0.3)
    return figure
