"""Leave one market out: fit the core on the other markets, predict the left-out one from its
context alone.

The left-out market's own (`per_market`) parameters are taken from the others: the mean of
their values, on the log scale for `log: true` (a geometric mean), for the best point and for
each posterior draw alike. Its observations never enter the fit.

A core parameter the fitted markets do not inform (on common random numbers their simulated
points are identical at both ends of its prior, e.g. the relative-advantage weight when every
fitted market pays cash: advantage 1, term b_adv (1 - 1) = 0) but the left-out market depends on
is not carried from the fit, where its value is whatever the search left: the prediction takes
its prior's middle (on the searched scale) for the simulated line and draws it from its prior
for the band, and says so. parameters.csv and the printout give, for the left-out market, each
value the prediction used and where it came from (values_used), since the fitted `best` of such
a parameter is not what the prediction ran and the carried own parameters are fitted nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from adoptsim.errors import AdoptsimError
from adoptsim.studies.calibration.loading import SEPARATOR, LoadedCalibration, Part
from adoptsim.studies.calibration.objective import Problem, fit_statistics
from adoptsim.studies.calibration.outputs import fit_table, run_ensemble
from adoptsim.world.streams import replication_seed


def subset(loaded: LoadedCalibration, keep: list[str]) -> LoadedCalibration:
    """The calibration restricted to some markets (their observations and segment targets)."""
    parts = [part for part in loaded.parts if part.name in keep]
    rows = loaded.observations[loaded.observations["market"].isin(keep)].reset_index(drop=True)
    return LoadedCalibration(loaded.spec, parts, loaded.source, rows, loaded.folder)


def others(loaded: LoadedCalibration, market: str) -> LoadedCalibration:
    """Every market but `market` (refused when it is not one of them, or the last one)."""
    names = [part.name for part in loaded.parts]
    if not loaded.several:
        raise AdoptsimError(f"--leave-out {market}: {loaded.source} names no markets (give a file with `markets:`)")
    if market not in names:
        raise AdoptsimError(f"--leave-out {market}: not a market of {loaded.source} ({', '.join(names)})")
    if len(names) < 2:
        raise AdoptsimError(f"--leave-out {market}: leaves no market to fit")
    return subset(loaded, [name for name in names if name != market])


def carried(fitted: Problem, values: Mapping[str, float], market: str) -> dict[str, float]:
    """Parameter values for the left-out market: the core as fitted, its own parameters the
    others' mean (geometric for log-scale parameters)."""
    out = {name: values[name] for name in fitted.core}
    for path, bounds in fitted.spec.per_market.items():
        own = np.array([values[f"{part.name}{SEPARATOR}{path}"] for part in fitted.parts], dtype=float)
        out[f"{market}{SEPARATOR}{path}"] = float(np.exp(np.log(own).mean()) if bounds.log else own.mean())
    return out


def _moves(problem: Problem, points: list[dict[str, float]], executor: Executor | None) -> list[bool]:
    """For each pair of points (2k, 2k+1): whether any observation's simulated value differs."""
    simulated = [problem.simulated(p, runs) for p, runs in zip(points, problem.evaluate(points, executor), strict=True)]
    return [not np.array_equal(simulated[k], simulated[k + 1]) for k in range(0, len(points), 2)]


def uninformed(
    loaded: LoadedCalibration, fitted: Problem, market: str, best: dict[str, float], executor: Executor | None
) -> list[str]:
    """Core parameters that move none of the fitted markets' points but move the left-out one's:
    each set to its prior's bounds at the best point, on common random numbers."""
    problem = Problem(subset(loaded, [market]))
    ends = []
    for name in fitted.core:
        bounds = fitted.bounds(name)
        ends += [{**best, name: bounds.low}, {**best, name: bounds.high}]
    moves_fitted = _moves(fitted, ends, executor)
    moves_left = _moves(problem, [carried(fitted, point, market) for point in ends], executor)
    return [n for n, f, m in zip(fitted.core, moves_fitted, moves_left, strict=True) if m and not f]


def from_prior(fitted: Problem, names: list[str], point: dict[str, float], draws: list[dict[str, float]], seed: int):
    """The point with each name at its prior's middle, and the draws with each drawn from its prior
    (uniform, or log-uniform for `log: true`), seeded."""
    rng = np.random.default_rng(seed)
    point, draws = dict(point), [dict(d) for d in draws]
    for name in names:
        bounds = fitted.bounds(name)
        low, high = (np.log(bounds.low), np.log(bounds.high)) if bounds.log else (bounds.low, bounds.high)
        back = np.exp if bounds.log else float
        point[name] = float(back((low + high) / 2))
        for d in draws:
            d[name] = float(back(rng.uniform(low, high)))
    return point, draws


def values_used(fitted: Problem, left: Part, point: Mapping[str, float], blind: Sequence[str]) -> pd.DataFrame:
    """parameter, prediction (the value the left-out market's line ran) and prediction_source
    (where it came from), for the core and the left-out market's own parameters; `point` is what
    carried() gave."""
    names = ", ".join(part.name for part in fitted.parts)
    rows = []
    for name in fitted.core:
        value, source = point[name], f"fitted on {names} (best)"
        if name not in left.shared:
            value, source = np.nan, f"not used: {left.name}'s scenario has no such path"
        elif name in blind:
            source = f"its prior's middle: {names} do not inform it (the band draws it from its prior)"
        rows.append({"parameter": name, "prediction": value, "prediction_source": source})
    for path, bounds in fitted.spec.per_market.items():
        mean = "geometric mean" if bounds.log else "mean"
        rows.append(
            {
                "parameter": f"{left.name}{SEPARATOR}{path}",
                "prediction": point[f"{left.name}{SEPARATOR}{path}"],
                "prediction_source": f"{left.name}'s own, not fitted: the {mean} of the values fitted for {names} "
                "(best; the band: each draw's)",
            }
        )
    return pd.DataFrame(rows)


def with_prediction(parameters: pd.DataFrame, used: pd.DataFrame, fitted: Problem, market: str) -> pd.DataFrame:
    """parameters.csv with the values a left-out market's prediction used (values_used) as two more
    columns, and a row for each of its own parameters, fitted nowhere (no best, no interval)."""
    table = parameters.merge(used, on="parameter", how="left")
    own = used[~used["parameter"].isin(parameters["parameter"])]
    extra = []
    for row in own.to_dict("records"):
        bounds = fitted.bounds(row["parameter"])
        extra.append(
            row
            | {"best": np.nan, "lower": np.nan, "upper": np.nan, "prior_low": bounds.low, "prior_high": bounds.high}
            | {"interval_share": np.nan, "warning": "", "interval": f"none (not fitted: {market} is left out)"}
        )
    table = pd.concat([table, pd.DataFrame(extra, columns=table.columns)], ignore_index=True) if extra else table
    table["prediction_source"] = table["prediction_source"].fillna(f"not used by {market}'s prediction")
    return table


def predict(
    loaded: LoadedCalibration,
    fitted: Problem,
    market: str,
    best: dict[str, float],
    draws: list[dict[str, float]],
    executor: Executor | None,
    blind: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict]:
    """prediction.csv's table (market, date, observed, simulated, lower, upper) and its R^2, RMSE,
    band coverage, the core parameters taken from their priors (`blind`: see uninformed), over
    the left-out market's target points, and the values the prediction used (`used`: values_used)."""
    problem = Problem(subset(loaded, [market]))
    best, draws = from_prior(fitted, blind, best, draws, replication_seed(loaded.seed, 2))
    point = carried(fitted, best, market)
    ensemble = run_ensemble(problem, point, [carried(fitted, d, market) for d in draws], executor, 0.0)
    fit = fit_table(problem, ensemble)
    target = fit[fit["series"] == "target"]
    table = target[["market", "date", "observed", "simulated", "lower", "upper"]].reset_index(drop=True)
    r2, rmse = fit_statistics(table["observed"].to_numpy(), table["simulated"].to_numpy())
    inside = (table["observed"] >= table["lower"]) & (table["observed"] <= table["upper"])
    prior = {name: best[name] for name in blind}
    used = values_used(fitted, problem.parts[0], point, blind)
    stats = {"r2": r2, "rmse": rmse, "covered": int(inside.sum()), "points": len(table), "from_prior": prior}
    return table, stats | {"used": used}
