"""Leave one market out: fit the core on the other markets, predict the left-out one from its
context alone.

The left-out market's own (`per_market`) parameters are taken from the others: the mean of
their values, on the log scale for `log: true` (a geometric mean), for the best point and for
each posterior draw alike. Its observations never enter the fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from adoptsim.errors import AdoptsimError
from adoptsim.studies.calibration.loading import SEPARATOR, LoadedCalibration
from adoptsim.studies.calibration.objective import Problem, fit_statistics
from adoptsim.studies.calibration.outputs import fit_table, run_ensemble


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


def predict(
    loaded: LoadedCalibration,
    fitted: Problem,
    market: str,
    best: dict[str, float],
    draws: list[dict[str, float]],
    executor: Executor | None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """prediction.csv's table (market, date, observed, simulated, lower, upper) and its R^2, RMSE
    and band coverage, over the left-out market's target points."""
    problem = Problem(subset(loaded, [market]))
    point = carried(fitted, best, market)
    ensemble = run_ensemble(problem, point, [carried(fitted, d, market) for d in draws], executor, 0.0)
    fit = fit_table(problem, ensemble)
    target = fit[fit["series"] == "target"]
    table = target[["market", "date", "observed", "simulated", "lower", "upper"]].reset_index(drop=True)
    r2, rmse = fit_statistics(table["observed"].to_numpy(), table["simulated"].to_numpy())
    inside = (table["observed"] >= table["lower"]) & (table["observed"] <= table["upper"])
    return table, {"r2": r2, "rmse": rmse, "covered": int(inside.sum()), "points": len(table)}
