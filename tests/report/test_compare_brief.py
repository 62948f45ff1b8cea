"""A comparison's brief from compare's files written by hand: the question, the answer (the first
scenario, or the cheapest of those tied with it, or the baseline kept), the ranking table with its
ties and money, how sure, and the margin that would change the answer."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from tests.report.test_brief import brief_text, write

REPS = 4


def compare_folder(folder: Path, shares: dict[str, list[float]], spend: dict[str, float], extra: dict[str, float]):
    """kpis.csv (a row per scenario, mean and 95 % interval) and kpis_by_replication.csv; the first
    scenario is the baseline."""
    wide, long = [], []
    for i, (name, values) in enumerate(shares.items()):
        mean = sum(values) / len(values)
        cost = spend[name] / extra[name] if extra[name] > 0 and spend[name] > 0 else float("nan")
        wide.append(
            {
                "scenario": name,
                "is_baseline": i == 0,
                "replications": REPS,
                "final_active_share_mean": mean,
                "final_active_share_ci_low": mean - 0.02,
                "final_active_share_ci_high": mean + 0.02,
                "total_spend_mean": spend[name],
                "total_spend_ci_low": spend[name] * 0.9,
                "total_spend_ci_high": spend[name] * 1.1,
                "incremental_adopters_mean": extra[name],
                "cost_per_incremental_adopter_mean": cost,
                "cost_per_incremental_adopter_ci_low": cost * 0.8,
                "cost_per_incremental_adopter_ci_high": cost * 1.2,
            }
        )
        long += [{"scenario": name, "replication": r, "final_active_share": v} for r, v in enumerate(values)]
    write(folder, {"kpis.csv": pd.DataFrame(wide), "kpis_by_replication.csv": pd.DataFrame(long)})
    return folder


def test_the_first_scenario_is_chosen_with_its_spend_and_the_margin_to_the_next_group(tmp_path):
    folder = compare_folder(
        tmp_path / "c",
        {"baseline": [0.30, 0.31, 0.29, 0.30], "referral": [0.40, 0.41, 0.39, 0.40], "bonus": [0.33, 0.35, 0.32, 0.34]},
        spend={"baseline": 0.0, "referral": 20_000.0, "bonus": 50_000.0},
        extra={"baseline": 0.0, "referral": 2_000.0, "bonus": 700.0},
    )
    (folder / "question.json").write_text(json.dumps({"rank_by": "final_active_share", "horizons": [26]}))
    text = brief_text(folder)
    assert "Question: Which scenario gives the largest active share at the end, and what does each extra " in text
    assert "(KPIs also read at week 26)" in text
    answer = (
        "Answer: choose referral: active share at the end 40.0 % (38.0 to 42.0 %), "
        "spending 20,000 (18,000 to 22,000), 10 (8 to 12) per extra adopter."
    )
    assert answer in text
    assert "bonus" in text and "baseline (baseline)" in text and "behind (paired 95 % CI excludes 0)" in text
    assert f"How sure: {REPS} replications per scenario on common random numbers" in text
    assert (
        "What would change it: the next group starts with bonus, 6.5 percentage points behind on active share at "
        in text
    )


def test_tied_scenarios_leave_the_choice_to_the_cheaper_per_extra_adopter(tmp_path):
    folder = compare_folder(
        tmp_path / "c",
        {"baseline": [0.30, 0.31, 0.29, 0.30], "pricey": [0.40, 0.42, 0.39, 0.40], "cheap": [0.41, 0.40, 0.40, 0.40]},
        spend={"baseline": 0.0, "pricey": 90_000.0, "cheap": 10_000.0},
        extra={"baseline": 0.0, "pricey": 2_000.0, "cheap": 2_000.0},
    )
    text = brief_text(folder)
    assert "are tied on active share at the end (chance alone could order them); of those, choose cheap" in text
    assert "tied with the first" in text


def test_the_baseline_is_kept_when_nothing_beats_it_and_no_spend_is_undefined_per_adopter(tmp_path):
    folder = compare_folder(
        tmp_path / "c",
        {"baseline": [0.40, 0.41, 0.39, 0.40], "training": [0.30, 0.31, 0.29, 0.30]},
        spend={"baseline": 0.0, "training": 0.0},
        extra={"baseline": 0.0, "training": -300.0},
    )
    text = brief_text(folder)
    assert "Answer: keep the baseline: no scenario beats it on active share at the end" in text
    assert "undefined (no spend)" in text
    assert "what does each extra adopter cost" not in text  # nobody spent anything


def with_extra_net_value(folder: Path, values: dict[str, tuple[float, float, float]]) -> Path:
    """Add each scenario's paired net value against the baseline (mean, low, high) to kpis.csv."""
    wide = pd.read_csv(folder / "kpis.csv")
    for name, (mean, low, high) in values.items():
        for suffix, value in (("mean", mean), ("ci_low", low), ("ci_high", high)):
            wide.loc[wide["scenario"] == name, f"incremental_net_value_{suffix}"] = value
    wide.to_csv(folder / "kpis.csv", index=False)
    return folder


SHARES = {"baseline": [0.30, 0.31, 0.29, 0.30], "referral": [0.40, 0.41, 0.39, 0.40], "bonus": [0.33, 0.35, 0.32, 0.34]}
SPEND = {"baseline": 0.0, "referral": 20_000.0, "bonus": 50_000.0}
EXTRA = {"baseline": 0.0, "referral": 2_000.0, "bonus": 700.0}


def test_the_answer_says_whether_the_choice_pays_for_itself_and_which_scenario_does(tmp_path):
    """The first on the question's KPI can lose money against the baseline: the answer says so, with
    its paired interval, and names the scenario whose interval is above 0; the table shows the
    net value against the baseline, not only each scenario's total."""
    base = (0.0, 0.0, 0.0)
    losing = with_extra_net_value(
        compare_folder(tmp_path / "losing", SHARES, SPEND, EXTRA),
        {"baseline": base, "referral": (-31_593.0, -43_930.0, -19_256.0), "bonus": (5_000.0, 1_000.0, 9_000.0)},
    )
    text = brief_text(losing)
    assert (
        "It does not pay for itself: its net value against the baseline is -31,593 (-43,930 to -19,256); "
        "bonus (5,000 (1,000 to 9,000)) pays for itself." in text
    )
    assert "net value against the baseline" in text.split("How sure")[0]  # a column of the ranking
    unclear = with_extra_net_value(
        compare_folder(tmp_path / "unclear", SHARES, SPEND, EXTRA),
        {"baseline": base, "referral": (6_626.0, -2_188.0, 15_441.0), "bonus": (-5_000.0, -9_000.0, -1_000.0)},
    )
    assert (
        "Whether it pays for itself is not clear: its net value against the baseline is 6,626 (-2,188 to 15,441), "
        "an interval including 0; no scenario here pays for itself against the baseline." in brief_text(unclear)
    )
    paying = with_extra_net_value(
        compare_folder(tmp_path / "paying", SHARES, SPEND, EXTRA),
        {"baseline": base, "referral": (9_000.0, 1_000.0, 17_000.0), "bonus": (-5_000.0, -9_000.0, -1_000.0)},
    )
    assert "It pays for itself: its net value against the baseline is 9,000 (1,000 to 17,000)." in brief_text(paying)


def test_the_caveats_say_what_money_counts_from_each_scenarios_prices():
    """Every page says what its money includes: the fee and margin, the payment values, the
    discount rate (and its yearly equivalent), and whether value after the run is counted."""
    from adoptsim.report.sections.assumptions import money_counts
    from adoptsim.results.economics import Economics

    priced = Economics().model_dump()
    short = {**priced, "lifetime": False, "fee_per_payment": 0.05, "currency": "KES"}
    (one,) = money_counts([{"name": "a", "economics": priced}, {"name": "b", "economics": priced}])
    assert one.startswith("Money counts the wallet's margin: 1 % of each payment's value, of which it keeps 40 %")
    assert "an average payment is 12 / 20 / 35 EUR" in one and "0.15 % a week (8.1 % a year)" in one
    assert "expected remaining life (their lapse rate over the last 26 weeks)" in one
    first, second = money_counts([{"name": "a", "economics": priced}, {"name": "b", "economics": short}])
    assert first.startswith("In a: money counts") and second.startswith("In b: money counts")
    assert "plus 0.05 KES a payment" in second and "only (lifetime: false;" in second


def test_a_scenario_that_left_its_budget_unspent_is_named_with_what_it_spent(tmp_path):
    """Ranked "for this budget", a scenario that spent 51 % of it did not use it: the brief says so."""
    import yaml

    folder = compare_folder(tmp_path / "c", SHARES, SPEND, EXTRA)
    budgets = {"baseline": [], "referral": [{"name": "a", "budget": 21_000.0}], "bonus": [{"name": "b"}]}
    (folder / "scenarios").mkdir()
    for name, interventions in budgets.items():
        scenario = {"name": name, "population": {"size": 1000}, "steps": 52, "interventions": interventions}
        (folder / "scenarios" / f"{name}.resolved.yaml").write_text(yaml.safe_dump(scenario))
    assert "Spent less than its budget" not in brief_text(folder)  # 20,000 of 21,000; bonus has no limit
    scenario["budget"] = {"total": 100_000.0}  # bonus, now with a shared budget it half used
    (folder / "scenarios" / "bonus.resolved.yaml").write_text(yaml.safe_dump(scenario))
    assert "Spent less than its budget: bonus 50,000 of 100,000 (50 %)." in brief_text(folder)


def test_a_comparison_shows_what_each_scenario_adds_not_return_on_every_users_value(tmp_path, monkeypatch):
    """Return on spend and cost per adopter count the users the baseline gets anyway: a cheap lever
    riding them read as the best return (412.6 % against 341.0 %) beside a brief saying it loses
    money against the baseline. A comparison's headline and money chart show what each adds."""
    from adoptsim.report.results import Results
    from adoptsim.report.sections import headline, money

    folder = with_extra_net_value(
        compare_folder(tmp_path / "c", SHARES, SPEND, EXTRA),
        {"baseline": (0.0, 0.0, 0.0), "referral": (-779.0, -3_764.0, 2_205.0), "bonus": (5_000.0, 1_000.0, 9_000.0)},
    )
    wide = pd.read_csv(folder / "kpis.csv")
    for metric, values in (("roi", [float("nan"), 4.126, 3.41]), ("cost_per_adopter", [float("nan"), 10.3, 13.5])):
        for suffix in ("mean", "ci_low", "ci_high"):
            wide[f"{metric}_{suffix}"] = values
    wide.to_csv(folder / "kpis.csv", index=False)
    results = Results.open(folder)
    (sentences, caption) = headline.render(results)
    text = " ".join(sentences.items)
    assert "return on spend" not in text and "cost per adopter" not in text
    assert "referral: " in text and "net value against the baseline -779 (-3,764 to 2,205)" in text
    assert "every user's value" not in caption.paragraphs[0]  # the comparison says what each adds
    drawn = []
    monkeypatch.setattr(
        money.kpi_plots, "interval_figure", lambda table, metrics, *a: drawn.append(metrics) or Figure()
    )
    money.render(results)
    assert drawn == [["total_spend", "incremental_net_value"]]  # not roi, not cost_per_adopter
