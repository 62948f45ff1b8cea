"""compare --uncertain: common draws of uncertain inputs, P(beats baseline), fan chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adoptsim.cli.compare_uncertain import format_table
from adoptsim.cli.main import main
from adoptsim.errors import ScenarioError
from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.uncertainty import (
    UncertainComparison,
    beats_baseline,
    jeffreys_interval,
    load_uncertainty,
    run_uncertain,
)
from tests.conftest import BASELINE, ROOT

SMALL = ["population.size=600", "steps=25"]
INPUTS = """draws: 8
inputs:
  behaviour.q_wom: {distribution: {type: lognormal, median: 0.03, sigma: 0.3}}
  merchants.initial_acceptance: {distribution: {type: beta, a: 3, b: 17}}
  interventions[ambassadors].count: {range: [50, 150], integer: true}
"""


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uncertain")
    twin = folder / "twin.yaml"
    twin.write_text(f"extends: {BASELINE}\nname: twin\n")
    paths = [BASELINE, twin, ROOT / "scenarios" / "seeding.yaml"]
    return [load_scenario(p, SMALL) for p in paths], folder


@pytest.fixture(scope="module")
def result(scenarios):
    loaded_scenarios, folder = scenarios
    spec = folder / "inputs.yaml"
    spec.write_text(INPUTS)
    loaded = load_uncertainty(spec, loaded_scenarios, seed=5)
    return loaded, run_uncertain(loaded_scenarios, loaded, seed=5)


@pytest.mark.slow
def test_every_scenario_gets_the_same_inputs_and_seed_in_each_draw(result):
    loaded, comparison = result
    kpis = comparison.kpis
    assert len(kpis) == 3 * 8
    for _, runs in kpis.groupby("draw"):
        assert runs["seed"].nunique() == 1
        assert runs["behaviour.q_wom"].nunique() == 1 and runs["merchants.initial_acceptance"].nunique() == 1
    assert kpis["behaviour.q_wom"].nunique() == 8 and kpis["seed"].nunique() == 8
    assert set(loaded.draws["interventions[ambassadors].count"]) <= set(range(50, 151))
    twin = kpis[kpis["scenario"] == "twin"].set_index("draw")
    baseline = kpis[kpis["scenario"] == "baseline"].set_index("draw")
    pd.testing.assert_series_equal(twin["final_active_share"], baseline["final_active_share"])


@pytest.mark.slow
def test_a_twin_of_the_baseline_ties_and_seeding_beats_it(result):
    _, comparison = result
    table = beats_baseline(comparison, "final_active_share").set_index("scenario")
    assert table.loc["twin", "ties"] == 8 and table.loc["twin", "p_beats_baseline"] == 0.5
    low, high = table.loc["twin", ["ci_low", "ci_high"]]
    assert low == pytest.approx(1 - high) and low < 0.5 < high
    seeding = table.loc["seeding"]
    assert seeding["wins"] == 8 and seeding["p_beats_baseline"] == 1.0
    assert seeding["ci_high"] == 1.0 and 0.7 < seeding["ci_low"] < 1.0
    assert pd.isna(table.loc["baseline", "p_beats_baseline"])
    assert table.loc["seeding", "p50"] > table.loc["baseline", "p50"]


def test_jeffreys_interval_stays_in_unit_interval_and_matches_the_beta_quantiles():
    assert jeffreys_interval(0, 10) == (0.0, pytest.approx(0.217, abs=1e-3))
    assert jeffreys_interval(10, 10)[1] == 1.0
    low, high = jeffreys_interval(7, 10)
    assert (low, high) == (pytest.approx(0.394, abs=1e-3), pytest.approx(0.907, abs=1e-3))


def test_lower_is_better_for_steps_and_never_reaching_is_worst():
    kpis = pd.DataFrame(
        {
            "scenario": ["a"] * 3 + ["b"] * 3,
            "draw": [0, 1, 2] * 2,
            "steps_to_25pct_active": [30, np.nan, 40, 20, 50, np.nan],
        }
    )
    table = beats_baseline(UncertainComparison(kpis, pd.DataFrame(), "a"), "steps_to_25pct_active")
    b = table.set_index("scenario").loc["b"]
    assert (b["wins"], b["ties"], b["better_is"]) == (2, 0, "lower")


def test_uncertain_inputs_are_checked_against_the_scenarios(scenarios, write_yaml):
    loaded_scenarios, _ = scenarios
    bad = write_yaml("draws: 4\ninputs:\n  behaviour.q_wmo: {range: [0.01, 0.02]}\n", "bad.yaml")
    with pytest.raises(ScenarioError, match=r"bad.yaml: inputs.behaviour.q_wmo: in no scenario: no field 'q_wmo'"):
        load_uncertainty(bad, loaded_scenarios, 0)
    both = write_yaml("draws: 4\ninputs:\n  steps: {range: [1, 2], distribution: {type: beta, a: 1, b: 1}}\n", "b.yaml")
    with pytest.raises(ScenarioError, match="inputs.steps: give either range or distribution"):
        load_uncertainty(both, loaded_scenarios, 0)
    beyond = write_yaml("draws: 4\ninputs:\n  behaviour.r_a: {range: [0.5, 1.5]}\n", "c.yaml")
    loaded = load_uncertainty(beyond, loaded_scenarios, 0)
    with pytest.raises(ScenarioError, match=r"c.yaml: inputs: baseline: behaviour.r_a: .* at draw"):
        run_uncertain(loaded_scenarios, loaded, 0)


@pytest.mark.slow
def test_compare_uncertain_writes_the_fan_chart_and_probabilities(tmp_path, capsys):
    spec = tmp_path / "u.yaml"
    normal = "{type: normal, mean: 0.03, sd: 0.01, low: 0}"
    spec.write_text(f"draws: 5\ninputs:\n  behaviour.q_wom: {{distribution: {normal}}}\n")
    out = tmp_path / "out"
    argv = ["compare", str(BASELINE), str(ROOT / "scenarios" / "seeding.yaml"), "--uncertain", str(spec)]
    assert main([*argv, "--out", str(out), "--set", "population.size=500", "--set", "steps=15"]) == 0
    assert (out / "fan_chart.png").stat().st_size > 10_000
    table = pd.read_csv(out / "uncertainty.csv")
    assert list(table["scenario"]) == ["baseline", "seeding"]
    assert {"p_beats_baseline", "ci_low", "ci_high", "p5", "p50", "p95"} <= set(table.columns)
    assert len(pd.read_csv(out / "uncertain_kpis.csv")) == 10
    assert "P(beats baseline)" in capsys.readouterr().out
    # what it ran is kept: the seed, the settings, the inputs drawn and the scenarios (their currency for the page)
    from adoptsim.report.results import Results

    folder = Results.open(out)
    assert (folder.question["seed"], folder.question["settings"]) == (20261122, ["population.size=500", "steps=15"])
    assert [s["name"] for s in folder.scenarios] == ["baseline", "seeding"] and folder.currency == "EUR"
    assert folder.windows == {}  # no time series of the runs: no windows said to be acted
    assert "behaviour.q_wom" in (out / "uncertainty.resolved.yaml").read_text()


def test_the_ready_uncertainty_file_loads_against_the_playbooks():
    names = ("baseline", "referral", "seniors_training")
    playbooks = [load_scenario(ROOT / "scenarios" / f"{n}.yaml") for n in names]
    loaded = load_uncertainty(ROOT / "experiments" / "uncertain" / "market_inputs.yaml", playbooks, 0)
    assert len(loaded.draws) == 40
    assert loaded.draws["merchants.initial_acceptance"].between(0, 1).all()
    assert (loaded.draws["behaviour.b_trust"] >= 0).all()


def test_percentiles_of_weeks_count_a_target_never_reached_as_later_than_any_week():
    weeks = np.arange(60.0, 100.0)  # 40 draws
    weeks[[3, 7]] = np.nan  # two draws never reach 30 %
    kpis = pd.DataFrame({"scenario": ["a"] * 40, "draw": range(40), "steps_to_30pct_active": weeks})
    row = beats_baseline(UncertainComparison(kpis, pd.DataFrame(), "a"), "steps_to_30pct_active").iloc[0]
    assert row["reached"] == 38
    ordered = np.sort(np.where(np.isnan(weeks), np.inf, weeks))
    assert row["p50"] == pytest.approx((ordered[19] + ordered[20]) / 2)  # the 40's median, not the 38's
    assert row["p5"] == pytest.approx(np.percentile(ordered, 5))
    assert np.isnan(row["p95"])  # among the two never reached: not the 95th percentile of the 38
    line = format_table(beats_baseline(UncertainComparison(kpis, pd.DataFrame(), "a"), "steps_to_30pct_active"))
    assert "not reached]" in line and "38 of 40" in line
    # a KPI undefined for other reasons (no adopter to divide by) is left out, not counted as worst
    costs = kpis.rename(columns={"steps_to_30pct_active": "cost_per_adopter"})
    spend = beats_baseline(UncertainComparison(costs, pd.DataFrame(), "a"), "cost_per_adopter").iloc[0]
    assert spend["p95"] == pytest.approx(np.nanpercentile(weeks, 95))
