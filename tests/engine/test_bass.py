"""The Bass limit of MODEL.md: the engine reproduces Bass's closed form on a complete graph."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.runner import run
from tests.conftest import ROOT

P, Q, DT = 0.03, 0.38, 0.1


def bass_share(t: np.ndarray, p: float = P, q: float = Q) -> np.ndarray:
    """F(t) = (1 - e^-(p+q)t) / (1 + (q/p) e^-(p+q)t)."""
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def test_bass_closed_form_reference_values():
    assert np.allclose(bass_share(np.array([1.0, 5.0, 10.0])), [0.036, 0.331, 0.813], atol=1e-3)


@pytest.mark.slow
def test_mean_active_share_follows_bass_within_002_at_every_step():
    scenario = load_scenario(ROOT / "scenarios" / "bass_limit.yaml")
    n = scenario.population.size
    assert n >= 2000
    assert np.isclose(scenario.behaviour.q_wom, Q * DT / (n - 1))
    result = run(scenario, reps=20)
    mean = result.timeseries.groupby("step")["share_active"].mean()
    expected = bass_share(mean.index.to_numpy() * DT)
    gap = np.abs(mean.to_numpy() - expected)
    assert gap.max() < 0.02, f"largest gap {gap.max():.3f} at step {gap.argmax()}"
    assert mean.iloc[-1] > 0.9  # the run covers the whole curve, not just its start
