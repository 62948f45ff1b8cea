"""The brief: ties computed by hand, direction-aware sweep headlines, 'reached in k of n', every
folder kind's brief from its files (read by column name), and the page's size in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from adoptsim.report.build import render_html
from adoptsim.report.ranking import ranking, tie_note
from adoptsim.report.results import Results
from adoptsim.report.sections import brief
from tests.conftest import ROOT


def wide(rows: dict[str, tuple[float, float, float]], metric: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "scenario": n,
                "is_baseline": i == 0,
                "replications": 3,
                f"{metric}_mean": m,
                f"{metric}_ci_low": lo,
                f"{metric}_ci_high": hi,
            }
            for i, (n, (m, lo, hi)) in enumerate(rows.items())
        ]
    )


def test_paired_ties_group_scenarios_chance_could_order():
    # b - a per replication: 1, 1.2, 0.8 (mean 1, CI excludes 0: behind); c - a: 1, -1, 0.5 (CI includes 0: tied)
    per_rep = pd.DataFrame(
        {
            "scenario": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
            "replication": [0, 1, 2] * 3,
            "steps_to_30pct_active": [50, 52, 54, 51, 53.2, 54.8, 51, 51, 54.5],
        }
    )
    means = per_rep.groupby("scenario")["steps_to_30pct_active"].mean()
    summary = wide({n: (means[n], means[n] - 5, means[n] + 5) for n in "abc"}, "steps_to_30pct_active")
    table = ranking(summary, "steps_to_30pct_active", per_rep)
    assert list(table["scenario"]) == ["a", "c", "b"], "smaller is better for weeks to a target"
    assert list(table["tie_group"]) == [1, 1, 2]
    assert list(table["tied_with_first"]) == [False, True, False]
    assert table.loc[2, "difference_to_leader"] == pytest.approx(1.0)
    assert table.loc[1, "tie_test"] == "paired"
    assert brief.tie_note(table.iloc[1].to_dict(), table).startswith("tied with the first")


def test_without_pairs_overlapping_intervals_are_a_tie():
    summary = wide({"a": (0.50, 0.48, 0.52), "b": (0.49, 0.47, 0.51), "c": (0.40, 0.39, 0.41)}, "final_active_share")
    table = ranking(summary, "final_active_share")
    assert list(table["scenario"]) == ["a", "b", "c"], "larger is better for a share"
    assert list(table["tie_group"]) == [1, 1, 2]
    assert brief.tie_note(table.iloc[1].to_dict(), table) == "tied with the first: intervals overlap"


def test_reached_in_k_of_n_never_states_a_partial_target_as_reached():
    assert brief.reached(104, float("nan"), float("nan"), "steps_to_50pct_active", 1, 3) == (
        "104 weeks, reached in 1 of 3 replications"
    )
    assert brief.reached(float("nan"), 0, 0, "steps_to_50pct_active", 0, 3) == "not reached (0 of 3 replications)"
    assert brief.reached(70, 68, 71, "steps_to_30pct_active", 3, 3) == "70 weeks (68 to 71)"


def test_cost_per_extra_adopter_says_why_it_is_undefined():
    row = {"total_spend_mean": 0.0, "cost_per_incremental_adopter_mean": float("nan")}
    assert brief.money_cell(row, "cost_per_incremental_adopter", "EUR") == "undefined (no spend)"
    row = {"total_spend_mean": 10.0, "incremental_adopters_mean": -3.0, "cost_per_incremental_adopter_mean": None}
    assert brief.money_cell(row, "cost_per_incremental_adopter", "EUR") == "undefined (no extra adopters)"
    row = {"total_spend_mean": 100.0, "total_spend_ci_low": 90.0, "total_spend_ci_high": 110.0}
    assert brief.money_cell(row, "total_spend", "EUR") == "100 EUR (90 to 110)"
    row = {"cost_per_incremental_adopter_mean": 71344.0, "cost_per_incremental_adopter_verdict": "unbounded"}
    assert brief.money_cell(row, "cost_per_incremental_adopter", "EUR") == (
        "71,344 EUR (no upper bound: the extra adopters' interval reaches 0)"
    )


def write(folder: Path, files: dict[str, pd.DataFrame | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, pd.DataFrame):
            content.to_csv(folder / name, index=False)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def brief_text(folder: Path) -> str:
    page = render_html([folder])
    section = re.search(r'<section id="p0-brief".*?</section>', page, re.S)
    assert section, "no brief"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))


def two_point_sweep(**columns: list) -> pd.DataFrame:
    """A sweep's summary.csv: rewards 10 and 40, weeks to 30 % active and the final active share of
    each, 3 replications a point; `columns` give n, mean, ci_low, ci_high (and any other column)."""
    frame = {"point": [0, 0, 1, 1], "reward": [10, 10, 40, 40]}
    frame |= {"metric": ["steps_to_30pct_active", "final_active_share"] * 2, "of": [3, 3, 3, 3]}
    return pd.DataFrame(frame | columns)


def test_sweep_brief_points_at_the_lowest_weeks_and_the_highest_share(tmp_path):
    nan = float("nan")
    summary = two_point_sweep(
        n=[3, 3, 1, 3],
        mean=[67.0, 0.40, 50.0, 0.55],
        sd=[1, 0.01, nan, 0.01],
        ci_low=[65.0, 0.38, nan, 0.53],
        ci_high=[69.0, 0.42, nan, 0.57],
    )
    text = brief_text(write(tmp_path / "sweep", {"summary.csv": summary, "experiment.json": "{}"}))
    # reached at week 50 in 1 of 3 replications does not beat week 67 in 3 of 3 (the mean of the few is early)
    assert "Lowest weeks to 30 % active: 67 weeks (65 to 69) at reward = 10" in text
    assert "Highest active share at the end: 55.0 % (53.0 to 57.0 %) at reward = 40" in text
    assert "week 67" not in text  # a duration, not a point in time
    from adoptsim.report.sections import sweep

    cells = sweep.render(Results.open(tmp_path / "sweep"))[0].rows
    assert cells[1][2] == "50 weeks, reached in 1 of 3"  # the table says it too, beside the other point's
    assert sweep.cell("steps_to_30pct_active", {"n": 0, "of": 3, "mean": float("nan")}, "") == "not reached (0 of 3)"


def test_uncertain_calibrate_and_optimize_folders_each_have_a_brief(tmp_path):
    uncertain = pd.DataFrame(
        {
            "scenario": ["baseline", "referral"],
            "is_baseline": [True, False],
            "draws": [40, 40],
            "kpi": ["final_active_share"] * 2,
            "p5": [0.3, 0.35],
            "p50": [0.4, 0.45],
            "p95": [0.5, 0.55],
            "p_beats_baseline": [float("nan"), 0.9],
            "ci_low": [float("nan"), 0.78],
            "ci_high": [float("nan"), 0.96],
        }
    )
    text = brief_text(write(tmp_path / "u", {"uncertainty.csv": uncertain}))
    assert "Answer: choose referral: it beats baseline in 90 % (95 % interval 78 to 96 %) of the draws" in text
    from adoptsim.report.sections import assumptions

    (caveat, *_), *_ = [block.items for block in assumptions.render(Results.open(tmp_path / "u"))]
    assert caveat.startswith("Ranges are the 5th to 95th percentiles over the draws")  # not a CI of the mean
    weeks = uncertain.assign(kpi="steps_to_30pct_active", p5=[60.0, 50.0], p50=[80.0, 60.0], p95=[float("nan"), 70.0])
    text = brief_text(write(tmp_path / "w", {"uncertainty.csv": weeks.assign(reached=[38, 40])}))
    assert "80 weeks (60 weeks to not reached); reached in 38 of 40 draws" in text  # not "-", not the 38's range
    fit = pd.DataFrame({"step": [0, 10], "observed": [100.0, 200.0], "simulated": [110.0, 190.0]})
    parameters = pd.DataFrame({"parameter": ["behaviour.q_wom"], "best": [0.021]})
    forecast = pd.DataFrame({"time": ["2027-01"], "mean": [5000.0], "lower": [4000.0], "upper": [6000.0]})
    text = brief_text(write(tmp_path / "c", {"fit.csv": fit, "parameters.csv": parameters, "forecast.csv": forecast}))
    assert "best fit behaviour: q_wom = 0.021" in text and "forecast at 2027-01: 5,000 (band 4,000 to 6,000)" in text
    assert "misses the observed points by 6.7 % of their mean value, on average" in text
    candidates = pd.DataFrame(  # optimize's columns: <kpi>, <kpi>_lower, <kpi>_upper, <kpi>_n
        {
            "candidate": ["trial 12", "playbook referral"],
            "scenario": ["t12", "referral"],
            "steps_to_30pct_active": [60.2, 66.0],
            "steps_to_30pct_active_lower": [59.0, 65.0],
            "steps_to_30pct_active_upper": [61.0, 67.0],
            "steps_to_30pct_active_n": [10, 10],
            "total_spend": [100000.0, 100000.0],
            "total_spend_lower": [99000.0, 99000.0],
            "total_spend_upper": [100000.0, 100000.0],
        }
    )
    differences = pd.DataFrame(
        {
            "against": ["playbook referral"],
            "kpi": ["steps_to_30pct_active"],
            "difference": [-5.8],
            "lower": [-6.5],
            "upper": [-5.1],
        }
    )
    trials = pd.DataFrame({"trial": [11, 12], "share_classes": [0.5, 0.2], "share_refer": [0.5, 0.8]})
    files = {"candidates.csv": candidates, "differences.csv": differences, "trials.csv": trials}
    text = brief_text(write(tmp_path / "o", files))
    assert "reaches 30 % active soonest for the budget" in text
    assert "Answer: choose trial 12 (30 % active in 60 weeks (59 to 61), spending 100,000" in text
    assert "Budget split: classes 20 %, refer 80 %." in text and "-5.8 weeks (-6.5 to -5.1)" in text
    assert "the winner is better" in text


def test_question_file_is_read_defensively(tmp_path):
    folder = write(tmp_path / "f", {"kpis.csv": "scenario\na\n", "question.json": "not json"})
    assert Results.open(folder).question == {}
    (folder / "question.json").write_text(json.dumps({"rank_by": "final_active_share"}), encoding="utf-8")
    assert Results.open(folder).question["rank_by"] == "final_active_share"


@pytest.mark.slow
def test_compare_uncertain_writes_its_report_and_validate_knows_the_uncertainty_file(tmp_path, capsys):
    from adoptsim.cli.main import main
    from tests.conftest import BASELINE

    spec = tmp_path / "uncertain.yaml"
    spec.write_text(
        "draws: 4\nseed: 3\ninputs:\n  behaviour.q_wom: {distribution: {type: lognormal, median: 0.02, sigma: 0.4}}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(spec)]) == 0
    assert "uncertainty file, 1 uncertain inputs x 4 draws" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("draws: 0\ninputs: {behaviour.q_wom: {range: [0.01, 0.03]}}\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == f"{bad}: draws: must be greater than 0 (got 0)"
    out = tmp_path / "u"
    small = ["--set", "population.size=800", "--set", "steps=20", "--out", str(out), "--report"]
    referral = str(BASELINE.parent / "referral.yaml")
    assert main(["compare", str(BASELINE), referral, "--uncertain", str(spec), *small]) == 0
    text = brief_text(out)
    assert "how often does each scenario beat baseline" in text and "P(beats baseline)" in text
    assert (out / "report.html").is_file() and "adoptsim report: u</title>" in (out / "report.html").read_text()


def test_a_target_reached_in_fewer_replications_ranks_behind_and_is_never_tied_with_the_first():
    """Weeks to a target averaged over the replications that reached it are earlier the fewer they
    are: a scenario that reached 30 % in 2 of 4 runs (50 weeks) is behind one that did in all 4
    (60 weeks), not ahead of it nor tied with it; the terminal says in how many it was reached."""
    from adoptsim.cli.tables import format_ranking

    weeks = {
        "all": [58, 60, 62, 60],
        "also_all": [59, 59, 63, 61],
        "three": [53, 55, 57, None],
        "two": [48, 52, None, None],
        "none": [None] * 4,
        "never": [None] * 4,
    }
    per_rep = pd.DataFrame(
        [
            {"scenario": n, "replication": r, "steps_to_30pct_active": w}
            for n, ws in weeks.items()
            for r, w in enumerate(ws)
        ]
    )
    means = per_rep.groupby("scenario", sort=False)["steps_to_30pct_active"].mean()
    summary = wide({n: (means[n], means[n] - 4, means[n] + 4) for n in weeks}, "steps_to_30pct_active")
    table = ranking(summary, "steps_to_30pct_active", per_rep)
    assert list(table["scenario"]) == ["all", "also_all", "three", "two", "none", "never"]
    assert list(table["tie_group"]) == [1, 1, 2, 3, 4, 4]  # two never reached: nothing orders them
    assert list(table["tie_test"])[2:] == ["reached", "reached", "", "never"]
    notes = [brief.behind(r) for r in table.to_dict("records")[2:5]]
    assert notes == ["behind (reached the target in fewer replications)"] * 2 + ["behind (never reached)"]
    assert tie_note(table.to_dict("records")[5], table) == "tied with none: neither reached it"
    summary = summary.assign(final_active_share_mean=0.3, total_spend_mean=0.0)
    printed = format_ranking(summary, "steps_to_30pct_active", "EUR", table).splitlines()
    assert [line.split()[1] for line in printed[2:]] == ["all", "also_all", "three", "two", "none", "never"]
    assert "55 (reached in 3 of 4)" in printed[4] and "never reached (0 of 4)" in printed[6]


def test_a_cost_per_adopter_ahead_is_shown_as_a_cost_with_its_verdict_not_as_a_difference(tmp_path):
    from adoptsim.report.sections import differences

    nan = float("nan")
    table = pd.DataFrame(
        {
            "scenario": ["a", "a", "b", "c"],
            "kpi": ["total_spend", *["cost_per_incremental_adopter"] * 3],
            "difference": [26000.0, 36.6, 71344.0, nan],
            "lower": [26000.0, 35.09, 900.0, nan],
            "upper": [26000.0, 38.24, nan, nan],
            "verdict": ["", "", "unbounded", "undefined"],
        }
    )
    folder = write(tmp_path / "d", {"differences.csv": table, "kpis.csv": "scenario,is_baseline\nbase,True\n"})
    rows = {(r[0], r[1]): r[2] for r in differences.render(Results.open(folder))[0].rows}
    assert rows[("a", "total spend")] == "+26,000 (+26,000 to +26,000)"  # a difference (no currency in this folder)
    assert rows[("a", "cost per adopter ahead at the run's last week")] == "36.60 (35.09 to 38.24)"  # not "+36.60"
    assert rows[("b", "cost per adopter ahead at the run's last week")].startswith("71,344 (no upper bound")
    assert rows[("c", "cost per adopter ahead at the run's last week")] == "undefined"
    never = {"scenario": "a", "kpi": "steps_to_60pct_active", "difference": nan, "lower": nan, "upper": nan}
    assert differences.shown_value(never, "") == "undefined: no replication in which both reached it"


def test_a_run_folders_weeks_to_a_target_have_intervals_within_the_run(tmp_path):
    kpis = pd.DataFrame({"replication": [0, 1, 2], "steps_to_50pct_active": [101.0, 103.0, float("nan")]})
    scenario = "name: r\npopulation: {size: 100}\nsteps: 104\ninterventions: []\n"
    folder = Results.open(write(tmp_path / "r", {"kpis.csv": kpis, "scenario.resolved.yaml": scenario}))
    row = folder.kpis.set_index("metric").loc["steps_to_50pct_active"]
    assert (row["n"], row["of"], row["ci_high"]) == (2, 3, 104.0)  # the t interval alone reaches week 114.7


def test_a_calibrations_page_carries_its_warnings_and_the_points_its_band_misses(tmp_path):
    """A single market's fit.csv has an empty market column: its misfit sentence was dropped with it."""
    fit = pd.DataFrame(
        {
            "date": ["2019-12-31", "2020-03-31", "2020-12-31"],
            "observed": [0.6, 0.853, 0.865],
            "simulated": [0.61, 0.80, 0.82],
            "lower": [0.55, 0.6658, 0.6659],
            "upper": [0.66, 0.8233, 0.8417],
            "heldout": [False, False, False],
            "market": [float("nan")] * 3,
        }
    )
    parameters = pd.DataFrame(
        {
            "parameter": ["behaviour.q_wom", "behaviour.r_a"],
            "best": [0.02, 0.2],
            "lower": [0.003, 0.1],
            "upper": [0.17, 0.3],
            "interval_share": [0.83, 0.2],
            "warning": [
                "interval spans 83% of the prior: the data taught little; 22.1 effective particles: too few for a "
                "95 % interval",
                "22.1 effective particles: too few for a 95 % interval",
            ],
            "interval": ["95 % credible (ABC-SMC posterior, 30 particles, 22.1 effective)"] * 2,
        }
    )
    folder = write(tmp_path / "c", {"fit.csv": fit, "parameters.csv": parameters})
    text = brief_text(folder)
    assert "How sure: the fit misses the observed points by " in text
    assert "1 of 3 observed points inside the 95 % band: outside it 2020-03-31 (observed 0.853" in text
    assert "the data taught little about behaviour: q_wom (83 % of its prior range)" in text and "r_a (" not in text
    assert text.count("22.1 effective particles: too few for a 95 % interval") == 1
    from adoptsim.report.sections import assumptions

    (caveats,) = [block.items for block in assumptions.render(Results.open(folder))]
    assert caveats[0].startswith("Parameter intervals are 95 % credible intervals of the ABC-SMC posterior")
    assert not any("confidence intervals of the mean" in c or "no currency" in c for c in caveats)


def test_the_uncertain_brief_chooses_between_equally_sure_winners_by_their_own_duel(tmp_path):
    """referral and training both beat the baseline in all 20 draws; training's share is higher in
    every draw, so it is the choice (the brief chose referral, the first row)."""
    draws = range(20)
    shares = {"baseline": 0.40, "referral": 0.45, "training": 0.55}
    kpis = pd.DataFrame(
        [{"scenario": s, "draw": d, "final_active_share": v + 0.001 * d} for s, v in shares.items() for d in draws]
    )
    table = pd.DataFrame(
        {
            "scenario": list(shares),
            "is_baseline": [True, False, False],
            "draws": [20] * 3,
            "kpi": ["final_active_share"] * 3,
            "p50": [0.41, 0.46, 0.56],
            "p_beats_baseline": [float("nan"), 1.0, 1.0],
            "ci_low": [float("nan"), 0.88, 0.88],
            "ci_high": [float("nan"), 1.0, 1.0],
        }
    )
    text = brief_text(write(tmp_path / "u", {"uncertainty.csv": table, "uncertain_kpis.csv": kpis}))
    assert "Answer: choose training: it beats baseline in 100 % (95 % interval 88 to 100 %) of the draws" in text
    assert "on the same draws it beats referral in 100 % (88 to 100 %)" in text
    # now each is ahead of the other in half of the draws
    kpis.loc[kpis["scenario"] == "training", "final_active_share"] = [
        0.45 + 0.001 * d + 0.0005 * (-1) ** d for d in draws
    ]
    text = brief_text(write(tmp_path / "v", {"uncertainty.csv": table, "uncertain_kpis.csv": kpis}))
    assert "Answer: no clear choice; the most likely to beat the baseline is referral" in text
    assert "uncertainty cannot separate them" in text


def test_the_size_caveat_says_a_fixed_budget_does_not_scale_with_the_population(tmp_path):
    from adoptsim.report.sections import assumptions

    plain = "name: a\npopulation: {size: 3000}\nsteps: 10\ninterventions: []\n"
    budgeted = "name: b\npopulation: {size: 3000}\nsteps: 10\ninterventions: [{name: x, budget: 100000}]\n"
    for text, named in ((plain, False), (budgeted, True)):
        files = {"scenario.resolved.yaml": text, "kpis.csv": "replication,final_active_share\n0,0.3\n"}
        folder = Results.open(write(tmp_path / str(named), files))
        (caveats,) = [block.items for block in assumptions.render(folder)]
        size = next(c for c in caveats if c.startswith("The simulated population has 3,000 consumers"))
        assert ("a fixed budget does not (b)" in size) is named


def test_the_sensitivity_brief_orders_only_what_its_intervals_separate(tmp_path):
    def brief_of(name: str, st: list[float], conf: list[float]) -> str:
        indices = pd.DataFrame(
            {
                "metric": ["final_active_share"] * 3,
                "parameter": ["behaviour.p_media", "behaviour.b_social", "behaviour.b_use"],
                "S1": st,
                "S1_conf": conf,
                "ST": st,
                "ST_conf": conf,
            }
        )
        summary = pd.DataFrame({"point": [0], "behaviour.p_media": [0.01], "metric": ["final_active_share"]})
        summary = summary.assign(n=1, of=1, mean=0.5, ci_low=float("nan"), ci_high=float("nan"))
        files = {"summary.csv": summary, "sensitivity.csv": indices}
        return brief_text(write(tmp_path / name, files))

    wide = brief_of("wide", [0.62, 0.27, 0.20], [0.82, 0.40, 0.31])  # N = 8 Sobol samples
    assert "most cannot be told from these samples: behaviour: p_media (ST 0.62 ± 0.82)" in wide
    clear = brief_of("clear", [0.62, 0.27, 0.25], [0.05, 0.04, 0.04])
    assert "most: behaviour: p_media (ST 0.62 ± 0.05); then behaviour: b_social (ST 0.27 ± 0.04)" in clear
    assert "b_use (ST 0.25 ± 0.04), whose 95 % intervals overlap" in clear


def test_the_optimize_brief_reads_a_never_reached_reference_and_an_underspent_winner(tmp_path):
    candidates = pd.DataFrame(
        {
            "candidate": ["trial 4", "playbook referral", "playbook merchants"],
            "scenario": ["t4", "referral", "merchants"],
            "steps_to_30pct_active": [40.0, float("nan"), 38.0],
            "steps_to_30pct_active_lower": [39.0, float("nan"), 37.0],
            "steps_to_30pct_active_upper": [41.0, float("nan"), 39.0],
            "steps_to_30pct_active_n": [6, 0, 6],
            "total_spend": [47728.0, 150000.0, 150000.0],
            "spent_share": [0.32, 1.0, 1.0],
        }
    )
    differences = pd.DataFrame(
        {
            "against": ["playbook referral", "playbook merchants"],
            "kpi": ["steps_to_30pct_active"] * 2,
            "difference": [float("nan"), 2.0],
            "lower": [float("nan"), 1.0],
            "upper": [float("nan"), 3.0],
            "replications": [6, 6],
            "winner_reached": [6, 6],
            "other_reached": [0, 6],
        }
    )
    text = brief_text(write(tmp_path / "o", {"candidates.csv": candidates, "differences.csv": differences}))
    # the playbook that never reached 30 % is behind, not "- | the winner is worse"
    assert "playbook referral winner reached it in 6 of 6, the other in 0 of 6 the winner is better" in text
    assert "On fresh seeds the winner is worse than playbook merchants." in text  # not "better than each"
    assert "It spent 32 % of the budget" in text
    best = "name: t4\npopulation: {size: 100}\nsteps: 52\ninterventions: [{name: classes, type: training, start: 0}]\n"
    (tmp_path / "o" / "best.yaml").write_text(best, encoding="utf-8")
    assert Results.open(tmp_path / "o").windows == {}  # no time series: its planned windows are not what it did


def test_a_joint_calibrations_brief_forecasts_each_market_in_its_unit(tmp_path):
    """fit.csv and forecast.csv say each value's unit: a share reads in percent as elsewhere in the
    report, a count with its data's column; every market's forecast is given, not only the last."""
    fit = pd.DataFrame(
        {
            "date": ["2018-06-30", "2020-03-31", "2016-01-01", "2017-01-01", "2020-03-31"],
            "observed": [0.70, 0.853, 20.0, 25.0, 3.1],
            "simulated": [0.71, 0.773, 21.0, 24.0, 3.0],
            "lower": [0.66, 0.717, 19.0, 23.0, 2.5],
            "upper": [0.75, 0.780, 22.0, 26.0, 3.5],
            "heldout": [False, False, False, False, False],
            "series": ["target", "target", "target", "target", "share_active_ages_18-34 / share_active_ages_65+"],
            "market": ["china", "china", "kenya", "kenya", "kenya"],
            "unit": ["share", "share", "registered_millions", "registered_millions", "ratio"],
        }
    )
    forecast = pd.DataFrame(
        {
            "time": ["2021-01-01", "2023-01-01", "2021-01-01", "2023-01-01"],
            "mean": [0.80, 0.8227, 30.0, 41.5],
            "lower": [0.75, 0.79, 28.0, 38.25],
            "upper": [0.85, 0.86, 32.0, 44.0],
            "market": ["china", "china", "kenya", "kenya"],
            "unit": ["share", "share", "registered_millions", "registered_millions"],
        }
    )
    parameters = pd.DataFrame({"parameter": ["behaviour.q_wom"], "best": [0.021]})
    text = brief_text(write(tmp_path / "j", {"fit.csv": fit, "forecast.csv": forecast, "parameters.csv": parameters}))
    assert "forecast in china at 2023-01-01: 82.3 % (band 79.0 % to 86.0 %)" in text
    assert "forecast in kenya at 2023-01-01: 41.5 registered millions (band 38.25 registered millions to 44" in text
    assert "2020-03-31 (observed 85.3 %, band 71.7 % to 78.0 %)" in text
    assert "0.8227" not in text


def test_a_sweeps_table_names_the_currency_of_a_swept_amount(tmp_path):
    """The sweep keeps its scenario (scenario.resolved.yaml): a swept reward's column says EUR."""
    from adoptsim.report.sections import sweep
    from adoptsim.scenario.loading import load_scenario, scenario_to_yaml

    reward = "interventions[refer_a_friend].reward"
    summary = pd.DataFrame(
        {
            "point": [0, 1],
            reward: [10.0, 40.0],
            "behaviour.q_wom": [0.02, 0.02],
            "metric": ["final_active_share"] * 2,
            "mean": [0.40, 0.55],
            "ci_low": [0.38, 0.53],
            "ci_high": [0.42, 0.57],
        }
    )
    resolved = scenario_to_yaml(load_scenario(ROOT / "scenarios" / "referral.yaml", ["economics.currency=EUR"]))
    design = summary[["point", reward, "behaviour.q_wom"]]
    files = {"summary.csv": summary, "scenario.resolved.yaml": resolved, "design.csv": design}
    folder = write(tmp_path / "sweep", files)
    header = sweep.render(Results.open(folder))[0].columns
    assert header[1:3] == ["refer_a_friend: reward (EUR)", "behaviour: q_wom"]
    from adoptsim.report.sections import assumptions

    (caveats,) = [block.items for block in assumptions.render(Results.open(folder))]
    said = next(c for c in caveats if "sets behaviour coefficients" in c)
    assert "q_wom = 0.02 in the base, varied by the design (design.csv)" in said  # not as if every point had it
    assert "r_a = 0.18," in said or said.endswith("r_a = 0.18.")  # not swept: as the scenario sets it


def test_a_sweep_target_no_point_reached_is_answered_in_words_in_the_brief_and_the_terminal(tmp_path):
    from adoptsim.cli.tables import format_sweep_best
    from adoptsim.report.sections.brief_studies import sweep_best, sweep_never

    nan = float("nan")
    summary = two_point_sweep(
        n=[0, 3, 0, 3], mean=[nan, 0.20, nan, 0.25], ci_low=[nan, 0.18, nan, 0.23], ci_high=[nan, 0.22, nan, 0.27]
    )
    folder = write(tmp_path / "sweep", {"summary.csv": summary, "experiment.json": "{}"})
    text = brief_text(folder)
    assert "Question: how do weeks to 30 % active, active share at the end respond to" in text
    assert "Weeks to 30 % active: not reached at any design point (0 of 3 replications each)." in text
    results = Results.open(folder)
    printed = format_sweep_best(sweep_best(results), "", (), sweep_never(results))
    assert (
        printed.splitlines()[-1] == "steps_to_30pct_active: not reached at any design point (0 of 3 replications each)"
    )
