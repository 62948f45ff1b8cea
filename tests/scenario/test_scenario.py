"""Scenario files: validation messages, extends, overrides, schema."""

from __future__ import annotations

import json

import pytest

from adoptsim.errors import ScenarioError
from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
from adoptsim.scenario.spec import json_schema
from tests.conftest import BASELINE

HEAD = f"extends: {BASELINE}\nname: t\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "population:\n  regions:\n    rural: {share: 1.4}\n",
            "population.regions.rural.share: must be between 0 and 1 (got 1.4)",
        ),
        ("sede: 3\n", "sede: unknown field (did you mean 'seed'?)"),
        ("name: a/b\n", "name: use letters, digits and _ . + - only (it names files and columns) (got 'a/b')"),
        ("population: {sise: 3}\n", "population.sise: unknown field (did you mean 'size'?)"),
        (
            "interventions:\n  - type: trainin\n",
            "interventions[0].type: unknown intervention type 'trainin' (did you mean 'training'?)",
        ),
        (
            "interventions:\n  - {type: training, start: 30, end: 10}\n",
            "interventions[0].start: start (30) is after end (10)",
        ),
        (
            "interventions:\n  - {type: referral, rewad: 3}\n",
            "interventions[0].rewad: unknown field (did you mean 'reward'?)",
        ),
        (
            "interventions:\n  - {type: training, target: {regions: [mars]}}\n",
            "interventions[0].target.regions: unknown label 'mars' (valid: urban, rural)",
        ),
        ("population: {size: -5}\n", "population.size: must be greater than 0 (got -5)"),
        ("steps: abc\n", "steps: input should be a valid integer"),
        ("population:\n  regions:\n    urban: {share: 0.5}\n", "population.regions: shares must sum to 1 (got 0.9)"),
        (
            "network: {generator: watts_strogatz_grap}\n",
            "network.generator: unknown generator 'watts_strogatz_grap' (did you mean 'watts_strogatz_graph'?)",
        ),
    ],
)
def test_malformed_scenarios_give_one_line_naming_file_and_field(write_yaml, body, expected):
    path = write_yaml(HEAD.replace("name: t\n", "") + body if body.startswith("name:") else HEAD + body)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_yaml_syntax_error_names_the_line(write_yaml):
    path = write_yaml("name: e\npopulation: {size: 10\n")
    with pytest.raises(ScenarioError, match=r"line \d+: not valid YAML"):
        load_scenario(path)


def test_missing_file_and_missing_parent(write_yaml, tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
    path = write_yaml("extends: nowhere.yaml\nname: x\n")
    with pytest.raises(ScenarioError, match=r"scenario.yaml: extends: \S*nowhere.yaml: file not found"):
        load_scenario(path)


def test_circular_extends_is_an_error(write_yaml):
    write_yaml("extends: b.yaml\nname: a\n", "a.yaml")
    path = write_yaml("extends: a.yaml\nname: b\n", "b.yaml")
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario(path)


def test_extends_deep_merges_and_set_overrides(write_yaml):
    path = write_yaml(HEAD + "population:\n  size: 1234\nbehaviour: {b_trust: 9}\n")
    scenario = load_scenario(path, ["behaviour.q_wom=0.5", "population.regions.rural.share=0.4"])
    assert scenario.name == "t"
    assert scenario.population.size == 1234
    assert scenario.behaviour.b_trust == 9
    assert scenario.behaviour.q_wom == 0.5
    assert list(scenario.population.age_groups) == ["18-29", "30-44", "45-59", "60+"]


def test_set_addresses_interventions_by_name(write_yaml):
    path = write_yaml(HEAD + "interventions:\n  - {type: referral, name: ref, reward: 0.1}\n")
    scenario = load_scenario(path, ["interventions[ref].reward=0.9"])
    assert scenario.interventions[0].reward == 0.9
    with pytest.raises(ScenarioError, match="no item named 'rf'"):
        load_scenario(path, ["interventions[rf].reward=0.9"])


def test_set_without_equals_is_an_error():
    with pytest.raises(ScenarioError, match="expected FIELD=VALUE"):
        load_scenario(BASELINE, ["steps"])


def test_resolved_scenario_round_trips(write_yaml):
    scenario = load_scenario(BASELINE)
    again = load_scenario(write_yaml(scenario_to_yaml(scenario), "resolved.yaml"))
    assert again == scenario


def test_a_resolved_scenario_keeps_what_was_written_and_reruns_exactly(write_yaml):
    from pandas.testing import assert_frame_equal

    from adoptsim.studies.runner import run

    path = write_yaml(
        HEAD + "steps: 20\npopulation: {size: 600, age_groups: {60+: {traits: {trust: {mean: 0.4, sd: 0.1}}}}}\n"
        "interventions:\n  - {type: referral, start: 2, duration: 8, reward: 5}\n"
    )
    scenario = load_scenario(path)
    resolved = scenario_to_yaml(scenario)
    assert "sd: 0.1" in resolved and "duration: 8" in resolved and "concentration: null" in resolved
    again = load_scenario(write_yaml(resolved, "scenario.resolved.yaml"))
    assert again == scenario
    assert_frame_equal(run(again, reps=2).kpis, run(scenario, reps=2).kpis)


def test_duration_is_kept_as_written_and_gives_the_planned_end(write_yaml):
    path = write_yaml(HEAD + "interventions:\n  - {type: training, start: 4, duration: 10}\n")
    training = load_scenario(path).interventions[0]
    assert (training.duration, training.end, training.planned_end) == (10, None, 13)
    assert [step for step in range(20) if training.acts_at(step)] == list(range(4, 14))


def test_json_schema_lists_fields_and_intervention_types():
    schema = json_schema()
    json.dumps(schema)
    assert {"population", "network", "merchants", "behaviour", "interventions"} <= set(schema["properties"])
    text = json.dumps(schema)
    for kind in ("training", "referral", "breach", "seeding"):
        assert f'"{kind}"' in text


def test_trait_spread_as_sd_or_concentration():
    scenario = load_scenario(BASELINE, ["population.age_groups.60+.traits.trust={mean: 0.4, sd: 0.1}"])
    trust = scenario.population.age_groups["60+"].traits["trust"]
    assert (trust.sd, trust.concentration) == (0.1, None)
    assert trust.beta_concentration(default=10.0) == pytest.approx(0.24 / 0.01 - 1)
    with pytest.raises(ScenarioError, match=r"traits.trust.sd: must be below sqrt\(mean\*\(1-mean\)\)"):
        load_scenario(BASELINE, ["population.age_groups.60+.traits.trust={mean: 0.4, sd: 0.6}"])
