"""Sensitivity indices of a sweep: SALib's Sobol estimator on a response whose indices are known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoptsim.studies.experiment import load_experiment
from adoptsim.studies.sensitivity import INDEX_COLUMNS, point_means, sensitivity
from tests.conftest import ROOT

SOBOL = f"""name: known
scenario: {ROOT / "scenarios" / "baseline.yaml"}
seed: 5
replications: 1
fixed: {{population.size: 500, steps: 10}}
parameters:
  behaviour.q_wom: {{range: [0.0, 1.0]}}
  behaviour.b_trust: {{range: [1.0, 3.0]}}
design: {{type: sobol, samples: 32}}
metrics: [final_active_share, total_spend]
"""


def test_sobol_indices_find_the_one_input_that_matters_and_skip_a_constant_metric(write_yaml):
    loaded = load_experiment(write_yaml(SOBOL, "known.yaml"))
    q = loaded.points["behaviour.q_wom"].to_numpy(dtype=float)
    # y = 0.1 + 0.5 q: all of the variance is q's (S1 = ST = 1), none b_trust's; spend never moves.
    points = loaded.points.index
    rows = [{"point": p, "metric": "final_active_share", "mean": 0.1 + 0.5 * v} for p, v in zip(points, q, strict=True)]
    rows += [{"point": p, "metric": "total_spend", "mean": 1000.0} for p in points]
    summary = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # design order is restored by point

    assert np.allclose(point_means(summary, "final_active_share").to_numpy(), 0.1 + 0.5 * q)
    indices, skipped = sensitivity(loaded, summary)
    assert skipped == ["total_spend"]
    assert list(indices.columns) == ["metric", "parameter", *INDEX_COLUMNS["sobol"]]
    by = indices.set_index("parameter")
    assert abs(by.loc["behaviour.q_wom", "S1"] - 1) < 0.05 and abs(by.loc["behaviour.q_wom", "ST"] - 1) < 0.05
    assert abs(by.loc["behaviour.b_trust", "S1"]) < 0.05 and abs(by.loc["behaviour.b_trust", "ST"]) < 0.05
