"""adoptsim compare: common random numbers, incremental adopters, files written."""

from __future__ import annotations

import pandas as pd
import pytest

from adoptsim.cli.main import main
from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.compare import compare
from tests.conftest import ROOT

SMALL = ["population.size=3000", "steps=60"]


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_compare_ranks_by_time_to_target_and_writes_paired_differences(tmp_path, capsys):
    """The issue's check: --targets 0.3 --rank-by steps_to_30pct_active (smaller first)."""
    out = tmp_path / "cmp"
    files = [str(ROOT / "scenarios" / f"{n}.yaml") for n in ("baseline", "seniors_training", "paypal_referral")]
    argv = ["compare", *files, "--reps", "3", "--targets", "0.3", "--rank-by", "steps_to_30pct_active"]
    argv += ["--horizon", "40", "--out", str(out), "--set", "population.size=2500", "--set", "steps=90"]
    assert main(argv) == 0
    for name in ("comparison.png", "comparison_segments.png", "cost_effectiveness.png", "kpis.csv", "timeseries.csv"):
        assert (out / name).stat().st_size > 0, name
    kpis = pd.read_csv(out / "kpis.csv")
    assert kpis["scenario"].tolist() == ["baseline", "seniors_training", "paypal_referral"]
    wanted = {"steps_to_30pct_active_mean", "customer_value_mean", "net_value_mean", "roi_mean"}
    assert wanted | {"cost_per_incremental_adopter_mean", "cost_per_incremental_adopter_at_40_ci_low"} <= set(kpis)
    assert kpis.loc[0, "incremental_adopters_mean"] == 0
    printed = capsys.readouterr().out
    ranking = printed.split("rank  scenario")[1].split("differences against")[0]
    order = [line.split()[1] for line in ranking.splitlines()[1:] if line.strip()]
    means = kpis.set_index("scenario")["steps_to_30pct_active_mean"].fillna(float("inf"))
    assert order == sorted(means.index, key=means.get)
    assert max(len(line) for line in printed.splitlines() if not line.startswith("wrote")) <= 100
    differences = pd.read_csv(out / "differences.csv")
    assert list(differences.columns[:5]) == ["scenario", "kpi", "difference", "lower", "upper"]
    assert set(differences["scenario"]) == {"seniors_training", "paypal_referral"}
    for name in (
        "steps_to_30pct_active",
        "final_active_share",
        "total_spend",
        "customer_value",
        "expansion_adopters",
        "acceleration_adopter_weeks",
        "cost_per_incremental_adopter",
        "cost_per_incremental_adopter_at_40",
    ):
        rows = differences[differences["kpi"] == name]
        assert len(rows) == 2, name
        assert (rows["lower"] <= rows["difference"]).all() and (rows["difference"] <= rows["upper"]).all(), name
    referral = differences.set_index(["scenario", "kpi"]).loc["paypal_referral"]
    assert referral.loc["final_active_share", "lower"] > 0


def test_rank_by_an_unknown_kpi_is_one_line(capsys):
    files = [str(ROOT / "scenarios" / "baseline.yaml")]
    assert main(["compare", *files, "--rank-by", "steps_to_30pct_actve"]) == 2
    err = capsys.readouterr().err
    assert "--rank-by: unknown metric 'steps_to_30pct_actve'" in err and err.count("\n") == 1


@pytest.mark.slow
def test_same_scenario_twice_differs_by_nothing_and_training_narrows_the_age_gap():
    paths = [ROOT / "scenarios" / f"{n}.yaml" for n in ("baseline", "seniors_training")]
    scenarios = [load_scenario(p, SMALL) for p in paths]
    result = compare(scenarios, "baseline", reps=3, seed=11)
    last = (
        result.timeseries.query("step == 60")
        .groupby("scenario")[["share_active_age_18-29", "share_active_age_60+"]]
        .mean()
    )
    gap = last["share_active_age_18-29"] - last["share_active_age_60+"]
    assert gap["seniors_training"] < gap["baseline"] - 0.05
    paired = result.kpis.set_index(["scenario", "replication"])["incremental_adopters"]
    assert (paired.loc["baseline"] == 0).all()
    assert (paired.loc["seniors_training"] > 0).all()


def test_compare_uses_common_seeds_per_replication():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", SMALL)
    twin = scenario.model_copy(update={"name": "twin"})
    result = compare([scenario, twin], "baseline", reps=2, seed=3)
    kpis = result.kpis.set_index(["scenario", "replication"])
    assert kpis.loc["baseline"]["seed"].tolist() == kpis.loc["twin"]["seed"].tolist()
    assert (kpis.loc["twin"]["incremental_adopters"] == 0).all()


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_a_target_not_ranked_by_says_how_to_rank_by_it_and_files_are_named_where_they_are(tmp_path, capsys):
    """--targets 0.1 alone still ranks by the final active share: the printout says which --rank-by
    ranks by the target; the resolved scenarios are listed under scenarios/, where they are."""
    files = [str(ROOT / "scenarios" / f"{n}.yaml") for n in ("baseline", "lever_referral")]
    argv = ["compare", *files, "--reps", "2", "--targets", "0.1", "--out", str(tmp_path / "c")]
    assert main([*argv, "--set", "population.size=600", "--set", "steps=20"]) == 0
    printed = capsys.readouterr().out
    assert (
        "(ranked by the active share at the end; --rank-by steps_to_10pct_active ranks by the first target)" in printed
    )
    assert "scenarios/baseline.resolved.yaml" in printed.splitlines()[-1]
    assert (tmp_path / "c" / "scenarios" / "baseline.resolved.yaml").is_file()
    small = ["--set", "population.size=600", "--set", "steps=20", "--reps", "2", "--targets", "0.1"]
    named = ["--rank-by", "steps_to_10pct_active", "--out", str(tmp_path / "d")]
    assert main(["compare", *files, *small, *named]) == 0
    assert "--rank-by steps_to" not in capsys.readouterr().out  # named: no hint
