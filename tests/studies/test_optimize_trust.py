"""An optimiser a strategist can trust: the base at the problem's budget, never-reached runs,
underspent playbooks, the equivalent set and lever importance."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import optuna
import pandas as pd
import pytest

from adoptsim.cli.main import main
from adoptsim.studies.optimization.posterior import draws
from adoptsim.studies.optimization.results import FinalComparison, paired
from adoptsim.studies.optimization.robust import describe_ranges, equivalent_set, share_ranges
from adoptsim.studies.optimization.search import Evaluation, evaluate_all, stalled
from adoptsim.studies.optimization.spec import load_problem
from tests.conftest import ROOT
from tests.studies.test_optimize import BASE, PROBLEM


@pytest.fixture
def toy(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    path = tmp_path / "toy.yaml"
    # a budget of 3000, not the base file's 2 x 1000: the base must be the even split of 3000
    text = PROBLEM.replace("budget: 2000", "budget: 3000").replace("trials: 28", "trials: 6")
    path.write_text(text + "playbooks: [base.yaml]\n")
    return path


def test_paired_difference_by_hand_and_never_reached_is_no_number():
    # differences 1, 2, 3: 2 [-0.48, 4.48]
    row = paired(np.array([3.0, 5.0, 7.0]), np.array([2.0, 3.0, 4.0]))
    assert (row["difference"], row["lower"], row["upper"]) == pytest.approx((2.0, -0.4841, 4.4841), abs=1e-4)
    never = paired(np.array([3.0, np.nan, 7.0]), np.array([2.0, 3.0, 4.0]))
    assert math.isnan(never["difference"]) and math.isnan(never["lower"])
    assert (never["winner_reached"], never["other_reached"]) == (2, 3)


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_the_base_spends_the_problems_budget_and_underspent_playbooks_are_flagged(toy, tmp_path, capsys):
    assert main(["optimize", str(toy), "--out", str(tmp_path / "out")]) == 0
    candidates = pd.read_csv(tmp_path / "out" / "candidates.csv").set_index("candidate")
    base = candidates.loc["base (even split)"]
    assert base["total_spend"] == pytest.approx(3000, rel=0.02)
    # the playbook (the base file) is scaled to 3000 too; whatever it spends is shown
    assert candidates.loc["playbook toy_base", "spent_share"] == pytest.approx(
        candidates.loc["playbook toy_base", "total_spend"] / 3000
    )
    assert candidates["underspent"].tolist() == (candidates["spent_share"] < 0.9).tolist()
    out = capsys.readouterr().out
    assert "vs base (even split)" in out and "equivalent set" in out
    importance = pd.read_csv(tmp_path / "out" / "importance.csv")
    assert set(importance["decision"]) == {"weight:seed", "weight:nothing", "interventions[seed].start"}
    assert importance["importance"].sum() == pytest.approx(1.0)
    assert (tmp_path / "out" / "equivalent.csv").exists() and (tmp_path / "out" / "equivalent.png").exists()


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_never_reached_targets_are_printed_as_never(toy, tmp_path, capsys):
    toy.write_text(toy.read_text().replace("kpi: final_active_share", "kpi: steps_to_99pct_active"))
    toy.write_text(toy.read_text().replace("trials: 6", "trials: 2"))
    assert main(["optimize", str(toy), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "reached by the winner in 0 of 3, by the other in 0 of 3" in out
    differences = pd.read_csv(tmp_path / "out" / "differences.csv")
    target = differences[differences["kpi"] == "steps_to_99pct_active"]
    assert target["difference"].isna().all() and target["lower"].isna().all()


def test_the_equivalent_set_by_hand(toy):
    problem = load_problem(toy)

    def candidate(shares: dict[str, float], values: list[float]) -> Evaluation:
        kpis = [{"final_active_share": v, "total_spend": 3000.0} for v in values]
        return Evaluation(problem.scenario_with(shares, {}), kpis, [pd.DataFrame()] * len(values))

    winner = candidate({"seed": 0.6, "nothing": 0.4}, [0.5, 0.6, 0.7])
    same = candidate({"seed": 0.8, "nothing": 0.2}, [0.5, 0.61, 0.69])  # differences 0, -0.01, 0.01
    worse = candidate({"seed": 0.1, "nothing": 0.9}, [0.4, 0.5, 0.6])  # 0.1 every time: [0.1, 0.1]
    final = FinalComparison(["trial 1", "trial 2", "trial 3"], [winner, same, worse], 3, 4)
    equivalent = equivalent_set(problem, final)
    assert equivalent["candidate"].tolist() == ["trial 1", "trial 2"]
    ranges = share_ranges(problem, equivalent).set_index("lever")
    assert ranges.loc["seed"].tolist() == pytest.approx([0.6, 0.8])
    assert ranges.loc["nothing"].tolist() == pytest.approx([0.2, 0.4])
    said = describe_ranges(ranges.reset_index(), "final_active_share", 2)
    assert "the winner and 1 other finalist" in said and "60%-80% seed, 20%-40% nothing" in said
    alone = describe_ranges(ranges.reset_index(), "final_active_share", 1)  # not "any split with 41%-41% ..."
    assert alone.startswith("equivalent set: the winner alone") and "any split" not in alone


def test_the_search_stops_when_it_stops_improving(toy):
    problem = load_problem(toy)
    study = optuna.create_study(direction="maximize")
    for value in (0.3, 0.5, 0.45, 0.49, 0.5):
        study.add_trial(optuna.trial.create_trial(value=value, params={}, distributions={}))
    patient = problem.spec.model_copy(update={"patience": 3})
    # the last 3 (0.45, 0.49, 0.5) do not beat 0.5: stop; 4 back includes the rise from 0.3 to 0.5
    assert stalled(SimpleNamespace(spec=patient), study)
    assert not stalled(SimpleNamespace(spec=patient.model_copy(update={"patience": 4})), study)
    assert not stalled(problem, study)  # no patience: run every trial
    # a tolerance of 0.02 makes 0.49 -> 0.5 no improvement either
    tolerant = patient.model_copy(update={"patience": 2, "tolerance": 0.02})
    study.add_trial(optuna.trial.create_trial(value=0.51, params={}, distributions={}))
    assert stalled(SimpleNamespace(spec=tolerant), study)
    assert not stalled(SimpleNamespace(spec=tolerant.model_copy(update={"tolerance": 0.0})), study)


def test_the_ready_problems_are_valid():
    net = load_problem(ROOT / "optimizations" / "best_net_value.yaml").spec
    assert net.objectives[0].kpi == "net_value" and net.objectives[0].sense == "maximize"
    assert net.split.allow_unspent and net.budget == 150000
    fastest = load_problem(ROOT / "optimizations" / "fastest_to_30pct.yaml").spec
    assert fastest.finalists >= 8  # enough re-evaluated to show an equivalent set


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_a_posterior_sets_each_replication_to_a_draw_and_reports_the_winner_across_draws(toy, tmp_path, capsys):
    # two draws of very different media reach: replication r of every candidate runs draw r
    (tmp_path / "posterior.csv").write_text("behaviour.p_media,weight\n0.0,0.5\n0.05,0.5\n")
    toy.write_text(toy.read_text().replace("trials: 6", "trials: 2") + "posterior: posterior.csv\n")
    problem = load_problem(toy)
    chosen = draws(problem.posterior, 6, seed=3)
    assert {d["behaviour.p_media"] for d in chosen} == {0.0, 0.05} and chosen == draws(problem.posterior, 6, seed=3)
    scenario = problem.scenario_with({"seed": 0.5, "nothing": 0.5}, {})
    [evaluation] = evaluate_all([scenario], 3, 6, None, problem.posterior)
    loud = np.array([d["behaviour.p_media"] > 0 for d in chosen])
    assert 0 < loud.sum() < 6  # both draws used; the loud ones are aware of the wallet far sooner
    aware = np.array([s["n_aware"].iloc[5] + s["n_active"].iloc[5] for s in evaluation.series])
    assert aware[loud].min() > aware[~loud].max()
    assert main(["optimize", str(toy), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "across 3 posterior draws (one per replication)" in out and "better than the base in" in out


def test_a_posterior_column_that_is_no_field_is_one_line_and_exit_2(toy, tmp_path, capsys):
    (tmp_path / "posterior.csv").write_text("behaviour.nope,weight\n0.1,1\n")
    toy.write_text(toy.read_text() + "posterior: posterior.csv\n")
    assert main(["optimize", str(toy), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and error.startswith(str(toy)) and "posterior: behaviour.nope" in error, error


def test_the_winner_is_judged_against_spending_nothing_on_the_levers(toy):
    """+100, +120, +110 adopters for 2,000, 2,400, 2,200 more spend: 20 a head by the ratio of means,
    and a net value 3,000 to 5,000 above the no-spend run: it pays for itself."""
    from adoptsim.cli.optimize import pays_line
    from adoptsim.studies.optimization.results import NO_SPEND, worth_it

    problem = load_problem(toy)

    def run(adopters: list[float], spend: list[float], value: list[float]) -> Evaluation:
        kpis = [
            {"ever_adopted": a, "total_spend": s, "net_value": v}
            for a, s, v in zip(adopters, spend, value, strict=True)
        ]
        return Evaluation(problem.scenario_with({"seed": 0.5, "nothing": 0.5}, {}), kpis, [pd.DataFrame()] * 3)

    winner = run([300, 330, 320], [2000, 2400, 2200], [5000, 6000, 5500])
    nothing = run([200, 210, 210], [0, 0, 0], [1000, 2000, 1500])
    found = worth_it(FinalComparison(["trial 1", NO_SPEND], [winner, nothing], 1, 4))
    assert found["extra_adopters"] == pytest.approx(110) and found["cost_per_extra_adopter"] == pytest.approx(20)
    assert found["extra_net_value"] == pytest.approx(4000) and found["extra_net_value_lower"] > 0
    assert "the winner pays for itself" in pays_line(found, "EUR") and "20.00 EUR per extra adopter" in pays_line(
        found, "EUR"
    )
    assert worth_it(FinalComparison(["trial 1"], [winner], 1, 4)) == {}  # a study without the reference
