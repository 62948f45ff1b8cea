"""What a calibration writes, as tables: the ensemble behind the bands, fit.csv, forecast.csv,
parameters.csv and each market's calibrated scenario (figures: adoptsim/figures/calibration.py).

The band is the central 95 % of all simulated curves: the best parameters' replications and,
for each posterior draw, the same replications (parameter uncertainty plus the model's own
randomness). `simulated` is the best parameters' mean, which `adoptsim run calibrated.yaml --reps
<replications>` reproduces; `median` is the median of all those curves, the line drawn inside
its band.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from adoptsim.scenario.loading import scenario_to_yaml
from adoptsim.studies.calibration.loading import Part
from adoptsim.studies.calibration.objective import Problem, Runs, fit_statistics
from adoptsim.studies.calibration.observations import MEASURES, calendar_date
from adoptsim.studies.calibration.posterior import weighted_interval

LEVEL = 0.95
WIDE = 0.7
"""An interval wider than this share of its prior range: the data taught little."""
FEW = 40
"""Fewer effective particles than this: a 95 % interval's 2.5 % tails hold under one particle each."""


@dataclass
class Ensemble:
    """The runs behind the outputs, all to the forecast horizon."""

    best: dict[str, float]
    best_series: Runs
    draws: list[dict[str, float]]
    draw_series: list[Runs]
    extra_steps: int


def run_ensemble(
    problem: Problem, best: dict[str, float], draws: list[dict[str, float]], executor: Executor | None, horizon: float
) -> Ensemble:
    """The best parameters' and the posterior draws' replications, `horizon` years past the data."""
    extra = int(round(horizon * problem.spec.steps_per_year))
    series = problem.evaluate([best, *draws], executor, extra_steps=extra)
    return Ensemble(best, series[0], draws, series[1:], extra)


def _band(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tail = (1 - LEVEL) / 2
    low, median, high = np.nanquantile(curves, [tail, 0.5, 1 - tail], axis=0)
    return low, median, high


def value_unit(part: Part) -> str:
    """What a market's curve is in, as fit.csv and forecast.csv say so that a reader of the files
    (the report) need not open the calibration: 'share' (0 to 1) or, for counts, the data's column
    (e.g. registered_millions)."""
    return part.target.column if part.target.population else "share"


def segment_unit(series: str) -> str:
    """What a segment target's row is in: a ratio `a / b`, a gap `a - b` ('share difference'), or a
    segment's share."""
    return "ratio" if " / " in series else "share difference" if " - " in series else "share"


def fit_table(problem: Problem, ensemble: Ensemble) -> pd.DataFrame:
    """A row per observation: date, step, observed, simulated (best mean), lower, upper, heldout,
    median, series, market, unit (`value_unit`, or a segment target's `segment_unit`)."""
    obs = problem.observations
    best = problem.simulated(ensemble.best, ensemble.best_series)
    curves = [best] + [problem.simulated(d, s) for d, s in zip(ensemble.draws, ensemble.draw_series, strict=True)]
    lower, median, upper = _band(np.vstack(curves))
    scale = np.where(obs["series"] == "target", obs["scale"].to_numpy(dtype=float), 1.0)
    parts = {part.name: part for part in problem.parts}
    return pd.DataFrame(
        {
            "date": [d.date().isoformat() if pd.notna(d) else "" for d in obs["date"]],
            "step": problem.steps(ensemble.best),
            "observed": obs["observed"].to_numpy(dtype=float),
            "simulated": best.mean(axis=0) * scale,
            "lower": lower * scale,
            "upper": upper * scale,
            "heldout": obs["heldout"].to_numpy(dtype=bool),
            "median": median * scale,
            "series": obs["series"],
            "market": obs["market"],
            "unit": [
                value_unit(parts[market]) if series == "target" else segment_unit(series)
                for market, series in zip(obs["market"], obs["series"], strict=True)
            ],
        }
    )


def statistics(fit: pd.DataFrame, market: str | None = None) -> dict[str, float]:
    """R^2 and RMSE on the fitted target points (of one market, or all); RMSE and coverage on
    the held-out ones."""
    target = fit[fit["series"] == "target"]
    if market is not None:
        target = target[target["market"] == market]
    fitted, held = target[~target["heldout"]], target[target["heldout"]]
    r2, rmse = fit_statistics(fitted["observed"].to_numpy(), fitted["simulated"].to_numpy())
    inside = (fitted["observed"] >= fitted["lower"]) & (fitted["observed"] <= fitted["upper"])
    stats = {"r2": r2, "rmse": rmse, "heldout": len(held), "covered": int(inside.sum()), "points": len(fitted)}
    if len(held):
        _, stats["heldout_rmse"] = fit_statistics(held["observed"].to_numpy(), held["simulated"].to_numpy())
        inside = (held["observed"] >= held["lower"]) & (held["observed"] <= held["upper"])
        stats["heldout_covered"] = int(inside.sum())
        stats["heldout_band_width"] = float((held["upper"] - held["lower"]).mean())
    return stats


def unit(part: Part) -> str:
    """What an error on a market's curve is in, for the printout: a share, or the data's own unit
    for counts (the calibration knows only its column's name, e.g. registered_millions)."""
    if part.target.population:
        return f"in {part.target.column}, the data's unit"
    return "a share"


def outside_band(fit: pd.DataFrame, forecast: pd.DataFrame, market: str = "") -> dict[str, float]:
    """Where the best fit's mean leaves its 95 % band: of a market's fitted points (fit.csv's
    `simulated`) and of its forecast.csv steps (`mean`), how many, and by how much at most (in
    the data's units). The band is the posterior draws' and the best fit's runs together, so a
    best fit the posterior has not settled around (few trials or particles) can fall outside it."""
    target = fit[(fit["series"] == "target") & ~fit["heldout"].astype(bool) & (fit["market"] == market)]
    steps = forecast[forecast["market"] == market]

    def beyond(line: pd.Series, rows: pd.DataFrame) -> np.ndarray:
        gap = np.maximum(rows["lower"] - line, line - rows["upper"]).to_numpy(dtype=float)
        slack = 1e-9 * max(float(rows["upper"].abs().max()), 1.0)  # float noise is not a miss
        return np.where(gap > slack, gap, 0.0)

    points, ahead = beyond(target["simulated"], target), beyond(steps["mean"], steps)
    return {
        "points": len(points),
        "points_outside": int((points > 0).sum()),
        "points_by": float(points.max(initial=0.0)),
        "steps": len(ahead),
        "steps_outside": int((ahead > 0).sum()),
        "steps_by": float(ahead.max(initial=0.0)),
    }


def band_warning(fit: pd.DataFrame, forecast: pd.DataFrame, part: Part) -> str | None:
    """One line when the best fit's mean leaves its band (outside_band), else None."""
    out = outside_band(fit, forecast, part.name)
    if not out["points_outside"] and not out["steps_outside"]:
        return None
    label = f"{part.name}: " if part.name else ""
    return (
        f"warning: {label}the best fit's mean (what calibrated.yaml runs) leaves the 95 % band at "
        f"{out['points_outside']} of {out['points']} fitted points (by up to {out['points_by']:.3g}) and "
        f"{out['steps_outside']} of {out['steps']} forecast.csv steps (by up to {out['steps_by']:.3g}), {unit(part)}: "
        f"the posterior has not settled around the best fit (more trials or particles may)"
    )


def effective_particles(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted particles, (sum w)^2 / sum w^2."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.sum(weights**2))


def parameters_table(
    problem: Problem, best: dict[str, float], particles: pd.DataFrame | None, inert: Sequence[str] = ()
) -> pd.DataFrame:
    """parameter, best, lower, upper, prior_low, prior_high, interval_share (the interval's width
    as a share of the prior range, on the searched scale: log for `log: true`), warning, interval.

    A parameter in `inert` moves none of the fitted points, so the likelihood is flat in it and
    its posterior is its prior: its interval is the prior's, whatever a finite set of particles
    suggests. With fewer than FEW effective particles a 95 % interval's tails rest on under one
    particle each, and the warning says so."""
    from adoptsim.studies.calibration.search import distributions

    space = distributions(problem)
    effective = None if particles is None else effective_particles(particles["weight"].to_numpy())
    rows = []
    for name in problem.names:
        dist = space[name]
        row = {"parameter": name, "best": best[name], "lower": np.nan, "upper": np.nan}
        row.update(prior_low=dist.low, prior_high=dist.high, interval_share=np.nan, warning="", interval="none")
        if particles is not None:
            low, high = weighted_interval(particles[name].to_numpy(), particles["weight"].to_numpy())
            warnings = []
            if name in inert:
                low, high = dist.low, dist.high
                warnings.append("no fitted point depends on it (the same at both ends of its prior): posterior = prior")
            scale = np.log if dist.log else (lambda x: x)
            share = (scale(high) - scale(low)) / (scale(dist.high) - scale(dist.low))
            if share > WIDE and name not in inert:
                warnings.append(f"interval spans {share:.0%} of the prior: the data taught little")
            if effective < FEW:
                warnings.append(f"{effective:.1f} effective particles: too few for a 95 % interval")
            if not low <= best[name] <= high:
                warnings.append("the best point lies outside its interval")
            row.update(lower=low, upper=high, interval_share=share, warning="; ".join(warnings))
            row["interval"] = (
                f"95 % credible (ABC-SMC posterior, {len(particles)} particles, {effective:.1f} effective)"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def curve_copy(part: Part) -> str | None:
    """The name, beside calibrated.yaml, of the copy of a market's observed curve, or None when its
    scenario has no `market:` block to name it in.

    The calibrated scenario names its curve by this relative name and the command copies the CSV
    there, rather than writing the source's path: a relative path to the source breaks as soon as
    the results folder is moved, and an absolute one as soon as the repository is moved or the
    folder is sent elsewhere, while a copy keeps the folder whole (and records the very data that
    was fitted, should data/ be revised later)."""
    if not part.base.get("market") or part.curve is None:
        return None
    return f"observed-{part.name}.csv" if part.name else "observed.csv"


def calibrated_yaml(problem: Problem, part: Part, best: dict[str, float], extra_steps: int, source: str) -> str:
    """A market's calibrated scenario, written out whole (no `extends:`) and naming its observed
    curve by the copy beside it (curve_copy), so it runs from wherever the results folder is moved;
    its description says what it is (the base's would describe another population), and a
    comment gives the time alignment."""
    scenario = problem.scenario(best, part, extra_steps)
    mapping = yaml.safe_load(scenario_to_yaml(scenario))
    mapping["name"] = f"{problem.spec.name}_{part.name}_calibrated" if part.name else f"{problem.spec.name}_calibrated"
    market = f", market {part.name}" if part.name else ""
    target = part.target
    stands = f" standing for a population of {target.population:g} ({target.column})" if target.population else ""
    mapping["description"] = (
        f"The best fit of calibration {problem.spec.name} ({source}{market}): {scenario.population.size:,} "
        f"simulated consumers{stands}; the fitted values are parameters.csv's `best`. Base: "
        f"{part.base['name']}."
    )
    mapping["seed"] = problem.loaded.seed
    copy = curve_copy(part)
    if copy is not None:
        observed = {"file": copy, "column": target.column, "measure": target.measure}
        mapping["market"]["observed"] = observed | ({"population": target.population} if target.population else {})
    lines = [f"# Made by `adoptsim calibrate {source}`; `adoptsim run` runs it (the mean of fit.csv is its mean"]
    lines.append(f"# over the first {problem.spec.replications} replications). Self-contained: no extends.")
    launch = problem.launch_year(best, part)
    if launch is not None:
        fitted = " (fitted)" if problem.spec.fits_launch else ""
        day = calendar_date(launch).date()
        lines.append(f"# Step 0 is the launch, {day}{fitted}; {problem.spec.steps_per_year} steps a year.")
    return "\n".join(lines) + "\n" + yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)


def time_axis(problem: Problem, best: dict[str, float], steps: np.ndarray, part: Part | None = None) -> np.ndarray:
    """Steps as calendar dates from the market's launch (or the steps themselves without a launch):
    step s is the launch plus s / steps_per_year years, to the nearest day, the inverse of how an
    observation's date is given its step."""
    launch = problem.launch_year(best, part)
    if launch is None:
        return steps
    return np.array([calendar_date(launch + s / problem.spec.steps_per_year) for s in steps])


def forecast_table(problem: Problem, ensemble: Ensemble) -> pd.DataFrame:
    """Per market and step of the best run: time, mean, median and 95 % band of the target measure,
    in its unit (`value_unit`)."""
    tables = []
    for index, part in enumerate(problem.parts):
        column = MEASURES[part.target.measure]
        best = ensemble.best_series[index].pivot(index="step", columns="replication", values=column)
        steps = best.index.to_numpy()
        curves = [best.to_numpy().T]
        best_launch = problem.launch_year(ensemble.best, part)
        for values, runs in zip(ensemble.draws, ensemble.draw_series, strict=True):
            table = runs[index].pivot(index="step", columns="replication", values=column)
            shift = 0
            if problem.spec.fits_launch:
                shift = int(round((problem.launch_year(values, part) - best_launch) * problem.spec.steps_per_year))
            curves.append(table.reindex(steps - shift).fillna(0.0 if shift > 0 else np.nan).to_numpy().T)
        lower, median, upper = _band(np.vstack(curves))
        tables.append(
            pd.DataFrame(
                {
                    "time": time_axis(problem, ensemble.best, steps, part),
                    "step": steps,
                    "mean": best.mean(axis=1).to_numpy() * part.scale,
                    "median": median * part.scale,
                    "lower": lower * part.scale,
                    "upper": upper * part.scale,
                    "market": part.name,
                    "unit": value_unit(part),
                }
            )
        )
    return pd.concat(tables, ignore_index=True)
