"""KPI formulas on hand-computed examples; the registry; horizons; shared budgets; money."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.errors import ScenarioError
from adoptsim.results.economics import Economics, money_kpis, npv
from adoptsim.results.intervals import fieller, paired_ci, summarize
from adoptsim.results.kpis import lookup, steps_to_reach
from adoptsim.results.metrics import kpi_problem, requirements
from adoptsim.studies.compare import acceleration_adopter_weeks, marginal_costs, ranked, split_value
from adoptsim.studies.experiment import load_experiment
from adoptsim.studies.runner import run
from adoptsim.world.stages import Stage
from tests.conftest import ROOT, small_scenario


def test_time_to_target_interpolates_between_weeks():
    share = np.array([0.0, 0.2, 0.4, 0.6])
    assert steps_to_reach(share, 0.3) == pytest.approx(1.5)  # 1 + (0.3 - 0.2) / (0.4 - 0.2)
    assert steps_to_reach(share, 0.4) == pytest.approx(2.0)
    assert steps_to_reach(share, 0.0) == 0.0
    assert math.isnan(steps_to_reach(share, 0.7))


def test_npv_and_money_kpis_by_hand():
    # 100 in step 1 and 100 in step 2 at 10 % a step: 100/1.1 + 100/1.21 = 173.55
    assert npv(np.array([0.0, 100.0, 100.0]), 0.1) == pytest.approx(173.5537, abs=1e-4)
    # margin 110 then 121 is worth 100 + 100 today; spend 55 in step 1 is worth 50
    money = money_kpis(np.array([0.0, 110.0, 121.0]), np.array([0.0, 55.0, 0.0]), 0.1)
    assert money == pytest.approx({"customer_value": 200.0, "terminal_value": 0.0, "net_value": 150.0, "roi": 3.0})
    assert math.isnan(money_kpis(np.ones(3), np.zeros(3), 0.0)["roi"])


def test_payment_values_follow_income_bands_and_revenue_adds_fees():
    economics = Economics(fee_share=0.02, fee_per_payment=0.1)
    assert economics.payment_values(np.array([0.1, 0.5, 0.9])).tolist() == [12.0, 20.0, 35.0]
    assert economics.revenue(1000.0, 50.0) == pytest.approx(0.02 * 1000 + 0.1 * 50)


def test_paired_interval_by_hand_drops_undefined_pairs():
    # differences 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.3027 -> half-width 4.3027/sqrt(3) = 2.4841
    mean, low, high = paired_ci(np.array([1.0, 2.0, 3.0, np.nan]), np.array([2.0, 4.0, 6.0, 5.0]))
    assert (mean, low, high) == pytest.approx((2.0, -0.4841, 4.4841), abs=1e-4)


def test_intervals_stay_within_what_the_kpi_can_be():
    """Weeks to a target reached at 101 and 103 of a 104-week run: the t interval (mean 102, half
    width 12.7) is cut at week 104 above and 0 below; at a horizon, at that week; shares at 1."""
    table = pd.DataFrame(
        {
            "steps_to_50pct_active": [101.0, 103.0, np.nan],
            "steps_to_50pct_active_at_103": [101.0, 103.0, np.nan],
            "final_active_share": [0.995, 0.999, 0.90],
            "peak_adoption_step": [0.0, 2.0, np.nan],
        }
    )
    rows = summarize(table, list(table), horizon=104).set_index("metric")
    weeks = rows.loc["steps_to_50pct_active"]
    assert (weeks["n"], weeks["of"], weeks["mean"]) == (2, 3, 102.0)
    assert (weeks["ci_low"], weeks["ci_high"]) == (pytest.approx(102 - 12.706, abs=1e-3), 104.0)
    assert rows.loc["steps_to_50pct_active_at_103", "ci_high"] == 103.0
    assert rows.loc["final_active_share", "ci_high"] == 1.0
    assert rows.loc["peak_adoption_step", "ci_low"] == 0.0  # 1 - 12.7 is before week 0
    unbounded = summarize(table, ["steps_to_50pct_active"]).iloc[0]  # no horizon given: cut at 0 only
    assert unbounded["ci_high"] == pytest.approx(102 + 12.706, abs=1e-3)


def test_fieller_interval_by_hand():
    # x = 10, 14, 12; y = 5, 6, 7: means 12, 6; s_xx = 4, s_yy = 1, s_xy = 1; g = 4.3027^2/3 = 6.1709
    # a = 36 - g = 29.829, b = -2 (72 - g) = -131.658, c = 144 - 4 g = 119.316 -> roots 1.2740, 3.1398
    ratio, low, high = fieller(np.array([10.0, 14.0, 12.0]), np.array([5.0, 6.0, 7.0]))
    assert (ratio, low, high) == pytest.approx((2.0, 1.2740, 3.1398), abs=1e-3)
    assert fieller(np.array([10.0, 12.0, 14.0]), np.array([5.0, 6.0, 7.0])) == pytest.approx((2.0, 2.0, 2.0))
    # a denominator not clearly away from 0: the interval is unbounded, reported as NaN
    _, low, high = fieller(np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 1.0]))
    assert math.isnan(low) and math.isnan(high)


def test_expansion_and_acceleration_by_hand():
    baseline = np.array([0.0, 10.0, 20.0, 30.0])
    scenario = np.array([0.0, 20.0, 30.0, 35.0])
    # min(N1, N0(T)=30) - N0 = (20-10) + (30-20) + (30-30) = 20 adopter-weeks; 5 adopters for good
    assert acceleration_adopter_weeks(scenario, baseline) == 20.0
    frame = lambda ever, margin: pd.DataFrame(  # noqa: E731
        {"n_ever_adopted": ever, "margin": margin, "spend_total": [0.0, 5.0, 0.0, 0.0]}
    )
    split = split_value(frame(scenario, [0.0, 20, 30, 35]), frame(baseline, [0.0, 10, 20, 30]), rate=0.0)
    # baseline: 60 of margin over 60 adopter-weeks = 1 per adopter-week -> acceleration worth 20
    assert split["expansion_adopters"] == 5.0
    assert split["incremental_customer_value"] == pytest.approx(25.0)
    assert split["acceleration_value"] == pytest.approx(20.0)
    assert split["expansion_value"] == pytest.approx(5.0)
    assert split["incremental_net_value"] == pytest.approx(25.0)


def test_marginal_cost_is_a_ratio_of_mean_differences_between_spending_levels():
    kpis = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            "replication": [0, 1, 0, 1],
            "total_spend": [0.0, 0.0, 100.0, 120.0],
            "ever_adopted": [10.0, 12.0, 20.0, 24.0],
        }
    )
    row = marginal_costs(kpis).iloc[0]
    assert (row["point_from"], row["point_to"]) == (0, 1)
    assert row["marginal_cost"] == pytest.approx(110 / 11)
    # a 2 x 2 grid of reward and network: spending levels are compared within a network, never across
    # (by spend alone, point 1's network-A reward would be followed by point 2's network-B one)
    grid = pd.DataFrame(
        {
            "point": [0, 1, 2, 3],
            "replication": [0] * 4,
            "total_spend": [0.0, 100.0, 50.0, 300.0],
            "ever_adopted": [10.0, 20.0, 40.0, 60.0],
        }
    )
    network = pd.Series(["A", "A", "B", "B"], index=[0, 1, 2, 3])
    pairs = marginal_costs(grid, groups=network)[["point_from", "point_to"]].values.tolist()
    assert pairs == [[0, 1], [2, 3]]
    assert marginal_costs(grid)[["point_from", "point_to"]].values.tolist() == [[0, 2], [2, 1], [1, 3]]


def test_registry_knows_directions_units_and_refuses_unknown_names():
    assert lookup("steps_to_30pct_active")[0].smaller_is_better
    assert lookup("cost_per_incremental_adopter_at_52")[2] == 52
    assert not lookup("final_active_share_agegroup_region_60+_rural")[0].smaller_is_better
    assert lookup("customer_value")[0].unit == "money"
    assert "did you mean 'customer_value'" in kpi_problem("customer_valu")
    assert "compare only" in kpi_problem("incremental_adopters", paired=False)
    assert requirements(["steps_to_30pct_active_at_52", "steps_to_12.5pct_ever_adopted"]) == ([0.125, 0.3], [52])
    summary = pd.DataFrame({"scenario": ["a", "b", "c"], "steps_to_30pct_active_mean": [50.0, float("nan"), 40.0]})
    assert ranked(summary, "steps_to_30pct_active")["scenario"].tolist() == ["c", "a", "b"]
    from adoptsim.results.kpis import RATIO_KPIS
    from adoptsim.studies.compare import RATIOS

    assert set(RATIO_KPIS) == set(RATIOS)  # what the report shows as a cost is what compare computes as a ratio


def test_any_target_and_horizon_are_reported_and_a_horizon_reads_the_run_at_that_step():
    long = small_scenario(size=1500, steps=40, kpis__targets="[0.05]", kpis__horizons="[25]")
    short = small_scenario(size=1500, steps=25, kpis__targets="[0.05]")
    kpis_long, kpis_short = run(long, reps=1).kpis.iloc[0], run(short, reps=1).kpis.iloc[0]
    for name in ("final_active_share", "steps_to_5pct_active", "customer_value", "final_active_share_income_low"):
        assert kpis_long[f"{name}_at_25"] == pytest.approx(kpis_short[name], nan_ok=True), name
    assert kpis_long["customer_value"] > kpis_long["customer_value_at_25"] > 0
    reported = {"net_value", "roi", "steps_to_5pct_ever_adopted", "final_active_share_online_online"}
    assert reported <= set(kpis_long.index)


def test_segment_series_cover_every_segmentation_and_count_right():
    model = WalletAdoptionModel(small_scenario(size=3000, steps=30))
    model.run()
    series, people = model.recorder.table(), model.people
    active = people.stage == Stage.ACTIVE
    low = people.income < 1 / 3
    assert series["share_active_income_low"].iloc[-1] == pytest.approx(active[low].mean())
    rural_60 = (people.age_group == 3) & (people.region == 1)
    assert series["share_active_agegroup_region_60+_rural"].iloc[-1] == pytest.approx(active[rural_60].mean())
    assert series["share_active_online_online"].iloc[-1] == pytest.approx(active[people.online >= 0.5].mean())
    for segmentation, labels in (
        ("age", ["18-29", "60+"]),
        ("region", ["urban", "rural"]),
        ("income", ["low", "middle", "high"]),
        ("online", ["offline", "online"]),
        ("agegroup_region", ["60+_rural", "18-29_urban"]),
    ):
        for label in labels:
            assert f"share_active_{segmentation}_{label}" in series, (segmentation, label)


TWO_TRAININGS = (
    "[{type: training, name: first, seats: 10, cost_per_seat: 10},"
    " {type: training, name: second, seats: 10, cost_per_seat: 10}]"
)


def model_with(budget: str, steps: int = 3) -> WalletAdoptionModel:
    model = WalletAdoptionModel(small_scenario(size=500, steps=steps, interventions=TWO_TRAININGS, budget=budget))
    for _ in range(steps):
        model.step()
    return model


def test_priority_budget_serves_the_first_listed_first_from_one_pool():
    # 250 in the pool, 100 wanted by each a step: step 0 both pay 100; step 1 `second` (first in
    # priority) pays 50 and runs out, `first` gets nothing and runs out too.
    series = model_with("{total: 250, priority: [second]}").recorder.table()
    assert series["spend_second"].tolist() == [0, 100, 50, 0]
    assert series["spend_first"].tolist() == [0, 100, 0, 0]
    assert series["exhausted_first"].tolist() == [0, 0, 1, 1]
    assert series["spend_total"].sum() == 250


def test_shares_budget_caps_each_at_its_share():
    series = model_with("{total: 400, allocation: shares, shares: {first: 0.25, second: 0.75}}").recorder.table()
    assert series["spend_first"].tolist() == [0, 100, 0, 0]
    assert series["spend_second"].tolist() == [0, 100, 100, 100]
    assert series["exhausted_first"].tolist() == [0, 1, 1, 1]  # its 100 were spent in step 0
    assert series["exhausted_second"].tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("budget={total: 10, priority: [nobody]}", "budget.priority: no intervention named 'nobody'"),
        ("budget={total: 10, allocation: shares, shares: {a: 0.7, b: 0.6}}", "shares: must sum to at most 1"),
        ("kpis.horizons=[500]", "kpis.horizons: step 500 is after the last step (52)"),
        ("economics.fee_share=2", "economics.fee_share: must be between 0 and 1"),
    ],
)
def test_budget_kpi_and_economics_mistakes_are_one_line(override, expected):
    with pytest.raises(ScenarioError) as caught:
        small_scenario(**{override.split("=", 1)[0].replace(".", "__"): override.split("=", 1)[1]})
    assert expected in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.slow
def test_shared_budget_experiment_spends_the_same_total_in_every_row():
    loaded = load_experiment(ROOT / "experiments" / "training_vs_security_budget.yaml")
    spends = []
    for point in loaded.points.index:
        scenario = loaded.scenario_at(point).model_copy(update={"steps": 52})
        spends.append(run(scenario, reps=1).kpis.loc[0, "total_spend"])
    assert np.allclose(spends, 120_000, rtol=0.01), spends


def test_sweeps_accept_any_target_and_horizon_as_metrics(write_yaml):
    path = write_yaml(
        f"name: t\nscenario: {ROOT / 'scenarios' / 'baseline.yaml'}\nparameters:\n"
        "  behaviour.b_trust: {values: [1, 2]}\ndesign: {type: grid}\n"
        "metrics: [steps_to_30pct_active, customer_value_at_52, roi]\n"
    )
    loaded = load_experiment(path)
    assert 0.3 in loaded.base["kpis"]["targets"] and loaded.base["kpis"]["horizons"] == [52]
