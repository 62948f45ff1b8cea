"""Experiment files: design sizes, parameter paths, errors."""

from __future__ import annotations

import pytest

from adoptsim.errors import ScenarioError
from adoptsim.studies.experiment import load_experiment
from tests.conftest import BASELINE, ROOT

REFERRAL = ROOT / "scenarios" / "referral.yaml"


def experiment(write_yaml, parameters: str, design: str, scenario=BASELINE, extra: str = ""):
    text = (
        f"name: t\nscenario: {scenario}\nseed: 3\nreplications: 2\nfixed: {{population.size: 300, steps: 5}}\n"
        f"parameters:\n{parameters}\ndesign: {design}\n{extra}"
    )
    return write_yaml(text, "experiment.yaml")


RANGES = (
    "  behaviour.q_wom: {range: [0.01, 0.03]}\n"
    "  behaviour.b_trust: {range: [1, 3]}\n"
    "  behaviour.r_l: {range: [0.01, 0.1]}\n"
)


@pytest.mark.parametrize(
    ("design", "size"),
    [
        ("{type: sobol, samples: 8}", 8 * (2 * 3 + 2)),
        ("{type: morris, samples: 5}", 5 * (3 + 1)),
        ("{type: lhs, samples: 17}", 17),
    ],
)
def test_sampled_design_sizes(write_yaml, design, size):
    loaded = load_experiment(experiment(write_yaml, RANGES, design))
    assert len(loaded.points) == size
    assert list(loaded.points.columns) == ["behaviour.q_wom", "behaviour.b_trust", "behaviour.r_l"]
    assert loaded.points["behaviour.b_trust"].between(1, 3).all()


def test_grid_and_paired_design_sizes_and_named_interventions(write_yaml):
    params = "  interventions[refer_a_friend].reward: {values: [0, 0.5, 1]}\n  network.params.p: {values: [0.1, 0.5]}\n"
    grid = load_experiment(experiment(write_yaml, params, "{type: grid}", REFERRAL))
    assert len(grid.points) == 6
    scenario = grid.scenario_at(5)
    assert scenario.interventions[0].reward == 1 and scenario.network.params["p"] == 0.5
    paired = "  behaviour.b_trust: {values: [1, 2, 3]}\n  behaviour.b_use: {values: [3, 2, 1]}\n"
    points = load_experiment(experiment(write_yaml, paired, "{type: paired}")).points
    assert points.to_numpy().tolist() == [[1, 3], [2, 2], [3, 1]]


def test_an_intervention_duration_can_be_swept(write_yaml):
    params = "  interventions[refer_a_friend].duration: {values: [10, 30]}\n"
    loaded = load_experiment(experiment(write_yaml, params, "{type: grid}", REFERRAL))
    assert [loaded.scenario_at(p).interventions[0].planned_end for p in (0, 1)] == [9, 29]


def test_a_trait_spread_can_be_swept_over_a_base_that_sets_sd(write_yaml):
    trust = "population.age_groups.60+.traits.trust"
    base = write_yaml(
        f"extends: {BASELINE}\npopulation:\n  age_groups:\n    60+:\n      traits:\n"
        "        trust: {mean: 0.4, sd: 0.1}\n",
        "base.yaml",
    )
    by_sd = load_experiment(experiment(write_yaml, f"  {trust}.sd: {{values: [0.05, 0.2]}}\n", "{type: grid}", base))
    spreads = [by_sd.scenario_at(p).population.age_groups["60+"].traits["trust"] for p in (0, 1)]
    assert [(t.sd, t.concentration) for t in spreads] == [(0.05, None), (0.2, None)]
    params = f"  {trust}.concentration: {{values: [5, 50]}}\n"
    by_concentration = load_experiment(experiment(write_yaml, params, "{type: grid}", base))
    trait = by_concentration.scenario_at(1).population.age_groups["60+"].traits["trust"]
    assert (trait.sd, trait.beta_concentration(10.0)) == (None, 50)


def test_the_design_is_the_same_every_time(write_yaml):
    path = experiment(write_yaml, RANGES, "{type: sobol, samples: 4}")
    assert load_experiment(path).points.equals(load_experiment(path).points)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (
            "  behaviour.b_trst: {values: [1, 2]}\n",
            "parameters.behaviour.b_trst: no field 'b_trst' under behaviour (valid: p_media, q_wom, r_a, b0",
        ),
        (
            "  interventions[nope].reward: {values: [1]}\n",
            "parameters.interventions[nope].reward: no item named 'nope' under interventions (valid: refer_a_friend)",
        ),
        ("  population.sise: {values: [1]}\n", "no field 'sise' under population (valid: size, age_groups"),
        (
            "  behaviour.r_a: {values: [0.1, 1.5]}\n",
            "parameters: behaviour.r_a: must be between 0 and 1 (got 1.5) at design point 1",
        ),
    ],
)
def test_bad_parameter_paths_and_values_are_one_line(write_yaml, parameters, expected):
    with pytest.raises(ScenarioError) as caught:
        load_experiment(experiment(write_yaml, parameters, "{type: grid}", REFERRAL))
    assert expected in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("parameters", "design", "extra", "expected"),
    [
        (RANGES, "{type: grid}", "", "a grid design needs values"),
        (RANGES, "{type: sobol, samples: 10}", "", "design.samples: a sobol design needs a power of 2 (got 10: 8 or"),
        ("  behaviour.b_trust: {values: [1, 2]}\n", "{type: sobol, samples: 4}", "", "a sobol design needs a range"),
        (
            "  behaviour.b_trust: {values: [1, 2]}\n  behaviour.b_use: {values: [1]}\n",
            "{type: paired}",
            "",
            "paired design needs value lists of one length",
        ),
        (
            "  behaviour.b_trust: {values: [1, 2]}\n",
            "{type: grid}",
            "metrics: [final_actve_share]\n",
            "unknown metric 'final_actve_share' (did you mean 'final_active_share'?)",
        ),
    ],
)
def test_inconsistent_experiments_are_one_line_errors(write_yaml, parameters, design, extra, expected):
    with pytest.raises(ScenarioError) as caught:
        load_experiment(experiment(write_yaml, parameters, design, extra=extra))
    assert expected in str(caught.value)


@pytest.mark.slow
def test_ready_experiments_load():
    for path in (ROOT / "experiments").glob("*.yaml"):
        loaded = load_experiment(path)
        assert len(loaded.points) >= 4, path


def test_a_sweep_over_the_seed_is_refused_in_one_line(write_yaml, capsys):
    from adoptsim.cli.main import main

    path = experiment(write_yaml, "  seed: {values: [1, 2]}\n", "{type: grid}")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err == f"{path}: parameters.seed: the seed is not a parameter: every point runs the same replication "
        "seeds; set the file's own seed, or more replications"
    )
    fixed = write_yaml(path.read_text().replace("fixed: {", "fixed: {seed: 4, "), "experiment.yaml")
    with pytest.raises(ScenarioError, match=r"fixed\.seed: the seed is not a parameter"):
        load_experiment(fixed)
