"""Plans under uncertainty: optimise the expected objective over a calibration's posterior.

With `posterior: path/to/posterior.csv` in a problem (columns: scenario fields by dotted path, as
`adoptsim calibrate` writes them, and an optional `weight`), replication r of every candidate runs
with posterior draw r (a seeded, weighted resample) on replication seed r: the mean over
replications estimates E_theta[objective] (parameter and model noise together), every candidate
sees the same draws (common random numbers), and the final comparison draws afresh (seed + 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from adoptsim.errors import ScenarioError
from adoptsim.scenario.loading import scenario_to_yaml
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.evaluation import scenario_at
from adoptsim.studies.experiment import check_path

NOT_A_FIELD = {"weight", "launch_year", "launch"}
"""posterior.csv columns that are not scenario fields."""


def load_draws(path: Path, shown: str, base: dict[str, Any]) -> pd.DataFrame:
    """The posterior table; every column but the weight must be a field of the base scenario."""
    if not path.is_file():
        raise ScenarioError(shown, "posterior", f"file not found: {path}")
    table = pd.read_csv(path)
    if table.empty:
        raise ScenarioError(shown, "posterior", f"{path} holds no draws")
    for column in table.columns:
        if column not in NOT_A_FIELD and (problem := check_path(base, column)):
            raise ScenarioError(shown, f"posterior: {column}", problem)
    return table


def draws(table: pd.DataFrame, count: int, seed: int) -> list[dict[str, float]]:
    """`count` parameter sets: a seeded resample by `weight` (equal weights without one)."""
    weights = table["weight"].to_numpy(float) if "weight" in table else np.ones(len(table))
    rows = np.random.default_rng(seed).choice(len(table), size=count, p=weights / weights.sum())
    fields = [c for c in table.columns if c not in NOT_A_FIELD]
    return [{name: float(table.iloc[i][name]) for name in fields} for i in rows]


def with_draw(scenario: Scenario, values: dict[str, float], source: str, where: str) -> Scenario:
    """The scenario with one draw's parameter values."""
    resolved = yaml.safe_load(scenario_to_yaml(scenario))
    return scenario_at(resolved, values, source, "posterior", where)
