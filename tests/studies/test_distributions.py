"""Distributions of uncertain inputs: specs, samplers, and their use in sampled sweep designs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from adoptsim.errors import ScenarioError
from adoptsim.studies.distributions import Distribution, latin_hypercube, quantiles, resolve
from adoptsim.studies.experiment import load_experiment
from tests.conftest import BASELINE


@pytest.mark.parametrize(
    ("spec", "mean", "low", "high"),
    [
        ({"type": "uniform", "low": 1, "high": 3}, 2.0, 1, 3),
        ({"type": "normal", "mean": 0.3, "sd": 0.05}, 0.3, -np.inf, np.inf),
        ({"type": "normal", "mean": 0.05, "sd": 0.1, "low": 0, "high": 1}, None, 0, 1),
        ({"type": "lognormal", "median": 2.0, "sigma": 0.5}, 2.0 * np.exp(0.5**2 / 2), 0, np.inf),
        ({"type": "triangular", "low": 0, "mode": 0.2, "high": 1}, 0.4, 0, 1),
        ({"type": "beta", "a": 2, "b": 6}, 0.25, 0, 1),
        ({"type": "beta", "a": 2, "b": 2, "low": 10, "high": 20}, 15.0, 10, 20),
    ],
)
def test_draws_have_the_distributions_mean_and_support(spec, mean, low, high):
    sampler = Distribution.model_validate(spec).sampler(Path("."))
    draws = latin_hypercube({"x": sampler}, 5000, seed=1)["x"].to_numpy()
    expected = sampler.mean() if mean is None else mean
    assert draws.mean() == pytest.approx(expected, rel=0.01, abs=1e-3)
    assert low <= draws.min() and draws.max() <= high
    assert np.isfinite(quantiles(sampler, np.array([0.0, 1.0]))).all()


def test_latin_hypercube_is_stratified_reproducible_and_independent_across_inputs():
    uniform = Distribution(type="uniform", low=0, high=1).sampler(Path("."))
    draws = latin_hypercube({"a": uniform, "b": uniform}, 50, seed=4)
    assert draws.equals(latin_hypercube({"a": uniform, "b": uniform}, 50, seed=4))
    assert not draws.equals(latin_hypercube({"a": uniform, "b": uniform}, 50, seed=5))
    bins = np.floor(np.clip(draws.to_numpy(), 0, 1 - 1e-12) * 50).astype(int)
    for column in bins.T:
        assert sorted(column) == list(range(50))
    assert abs(np.corrcoef(draws["a"], draws["b"])[0, 1]) < 0.4


def test_empirical_draws_come_from_the_csv_column(tmp_path):
    (tmp_path / "estimates.csv").write_text("study,q_wom\na,0.01\nb,0.02\nc,0.02\nd,0.05\n")
    spec = Distribution(type="empirical", file="estimates.csv")
    sampler = resolve(spec, tmp_path / "experiment.yaml", "parameters.q.distribution")
    draws = quantiles(sampler, np.linspace(0, 1, 400))
    assert set(np.unique(draws)) == {0.01, 0.02, 0.05}
    assert np.mean(draws == 0.02) == pytest.approx(0.5, abs=0.01)
    missing = Distribution(type="empirical", file="nope.csv")
    with pytest.raises(ScenarioError, match=r"experiment.yaml: parameters.q.distribution: file not found"):
        resolve(missing, tmp_path / "experiment.yaml", "parameters.q.distribution")
    other = Distribution(type="empirical", file="estimates.csv", column="p")
    with pytest.raises(ScenarioError, match="column 'p' not in"):
        resolve(other, tmp_path / "x.yaml", "q")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"type": "normal", "mean": 1}, "sd: a normal distribution needs mean, sd"),
        ({"type": "normal", "mean": 1, "sd": 1, "mode": 2}, "mode: not a parameter of a normal distribution"),
        ({"type": "triangular", "low": 0, "mode": 2, "high": 1}, "mode: must be between low (0.0) and high (1.0)"),
        ({"type": "uniform", "low": 2, "high": 1}, "low: must be below high"),
        ({"type": "gamma"}, "Input should be 'uniform', 'normal'"),
        ({"type": "normal", "mean": 0, "sd": -1}, "greater than 0"),
    ],
)
def test_bad_specs_name_the_parameter(spec, expected):
    with pytest.raises(ValidationError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        Distribution.model_validate(spec)


def _experiment(write_yaml, parameters: str, design: str) -> Path:
    text = (
        f"name: t\nscenario: {BASELINE}\nseed: 3\nreplications: 1\nfixed: {{population.size: 300, steps: 5}}\n"
        f"parameters:\n{parameters}\ndesign: {design}\n"
    )
    return write_yaml(text, "experiment.yaml")


def test_sampled_designs_take_distributions_beside_ranges(write_yaml, tmp_path):
    (tmp_path / "sizes.csv").write_text("k\n6\n8\n12\n")
    parameters = (
        "  behaviour.q_wom: {distribution: {type: normal, mean: 0.02, sd: 0.01, low: 0}}\n"
        "  network.params.k: {distribution: {type: empirical, file: sizes.csv}, integer: true}\n"
        "  behaviour.r_l: {range: [0.01, 0.1]}\n"
    )
    points = load_experiment(_experiment(write_yaml, parameters, "{type: lhs, samples: 60}")).points
    assert len(points) == 60
    assert points["behaviour.q_wom"].min() >= 0 and points["behaviour.q_wom"].mean() == pytest.approx(0.021, abs=0.003)
    assert set(points["network.params.k"]) == {6, 8, 12}
    assert points["behaviour.r_l"].between(0.01, 0.1).all()
    morris = load_experiment(_experiment(write_yaml, parameters, "{type: morris, samples: 3}")).points
    assert np.isfinite(morris.to_numpy(dtype=float)).all()


@pytest.mark.parametrize(
    ("parameters", "design", "expected"),
    [
        (
            "  behaviour.q_wom: {distribution: {type: normal, mean: 0.02}}\n",
            "{type: lhs, samples: 4}",
            "experiment.yaml: parameters.behaviour.q_wom.distribution.sd: a normal distribution needs mean, sd",
        ),
        (
            "  behaviour.q_wom: {distribution: {type: normal, mean: 0.02, sd: 0.01}}\n",
            "{type: grid}",
            "parameters.behaviour.q_wom: a grid design needs values",
        ),
        (
            "  behaviour.q_wom: {range: [0, 1], distribution: {type: normal, mean: 0.02, sd: 0.01}}\n",
            "{type: lhs, samples: 4}",
            "give one of values, range or distribution",
        ),
        (
            "  behaviour.q_wom: {distribution: {type: empirical, file: none.csv}}\n",
            "{type: lhs, samples: 4}",
            "parameters.behaviour.q_wom.distribution: file not found",
        ),
    ],
)
def test_distribution_mistakes_in_experiments_are_one_line(write_yaml, parameters, design, expected):
    with pytest.raises(ScenarioError) as caught:
        load_experiment(_experiment(write_yaml, parameters, design))
    assert expected in str(caught.value)
