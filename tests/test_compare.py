"""adoptsim compare: common random numbers, incremental adopters, files written."""

from __future__ import annotations

import pandas as pd

from adoptsim.cli import main
from adoptsim.compare import compare
from adoptsim.scenario import load_scenario
from tests.conftest import ROOT

SMALL = ["population.size=3000", "steps=60"]


def test_compare_writes_every_file_and_ranks(tmp_path, capsys):
    out = tmp_path / "cmp"
    files = [str(ROOT / "scenarios" / f"{n}.yaml") for n in ("baseline", "seniors_training", "paypal_referral")]
    argv = ["compare", *files, "--reps", "2", "--out", str(out)]
    for item in SMALL:
        argv += ["--set", item]
    assert main(argv) == 0
    for name in ("comparison.png", "comparison_segments.png", "cost_effectiveness.png", "kpis.csv", "timeseries.csv"):
        assert (out / name).stat().st_size > 0, name
    kpis = pd.read_csv(out / "kpis.csv")
    assert kpis["scenario"].tolist() == ["baseline", "seniors_training", "paypal_referral"]
    assert {"final_active_share_mean", "final_active_share_ci_low", "cost_per_incremental_adopter_mean"} <= set(kpis)
    assert kpis.loc[0, "incremental_adopters_mean"] == 0
    printed = capsys.readouterr().out
    assert "rank" in printed and "seniors_training" in printed


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
