"""Sensitivity indices of a sweep: Sobol (S1, ST) or Morris (mu*, sigma), SALib's estimators with
their bootstrap 95 % confidence intervals.

Sensitivity uses each design point's mean over replications. A metric that is undefined at some
point (e.g. 50 % active never reached) cannot be analysed and is reported as skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoptsim.studies.experiment import LoadedExperiment, salib_problem

INDEX_COLUMNS = {"sobol": ("S1", "S1_conf", "ST", "ST_conf"), "morris": ("mu_star", "mu_star_conf", "mu", "sigma")}
"""The indices reported per design kind (SALib's names)."""


def point_means(summary: pd.DataFrame, metric: str) -> pd.Series:
    """Mean of a metric per design point, in design order."""
    part = summary[summary["metric"] == metric].set_index("point").sort_index()
    return part["mean"]


def sensitivity(loaded: LoadedExperiment, summary: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Sobol (S1, ST) or Morris (mu*, sigma) indices per metric and parameter; skipped metrics."""
    from SALib.analyze import morris, sobol

    experiment = loaded.experiment
    problem = salib_problem(experiment)
    rows, skipped = [], []
    for metric in experiment.metrics:
        y = point_means(summary, metric).reindex(loaded.points.index).to_numpy(dtype=float)
        if np.isnan(y).any() or np.allclose(y, y[0]):
            skipped.append(metric)
            continue
        if experiment.design.type == "sobol":
            result = sobol.analyze(problem, y, calc_second_order=True, seed=experiment.seed)
        else:
            x = loaded.points.to_numpy(dtype=float)
            result = morris.analyze(problem, x, y, num_levels=experiment.design.levels, seed=experiment.seed)
        columns = INDEX_COLUMNS[experiment.design.type]
        for i, name in enumerate(problem["names"]):
            rows.append({"metric": metric, "parameter": name, **{c: float(result[c][i]) for c in columns}})
    return pd.DataFrame(rows), skipped
