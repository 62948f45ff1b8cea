"""The text tables commands print: undefined is a word, not a number; shares differ in points; money
names its currency; the ranking has tie groups."""

from __future__ import annotations

import pandas as pd

from adoptsim.cli.compare import default_folder
from adoptsim.cli.tables import format_differences, format_kpi_table, format_ranking

NAN = float("nan")


def test_a_ratio_of_spend_without_spend_is_undefined_not_never_and_zero_has_no_sign():
    summary = pd.DataFrame(
        [
            {"metric": "total_spend", "n": 5, "of": 5, "mean": 0.0, "ci_low": 0.0, "ci_high": 0.0},
            {"metric": "roi", "n": 0, "of": 5, "mean": NAN, "ci_low": NAN, "ci_high": NAN},
            {"metric": "net_value", "n": 5, "of": 5, "mean": -0.00001, "ci_low": -0.00002, "ci_high": 0.0},
            {"metric": "steps_to_50pct_active", "n": 1, "of": 3, "mean": 104.0, "ci_low": NAN, "ci_high": NAN},
            {"metric": "final_active_share", "n": 5, "of": 5, "mean": 0.4641, "ci_low": 0.46, "ci_high": 0.468},
        ]
    )
    text = format_kpi_table(summary, currency="EUR")
    assert "roi" in text and "undefined   (no spend)" in text and "never" not in text
    assert "-0" not in text and "net_value (EUR)" in text and "total_spend (EUR)" in text
    assert "(reached in 1 of 3 replications)" in text
    assert "46.4 %   [46.0 %, 46.8 %]" in text
    roi = pd.DataFrame([{"metric": "roi", "n": 5, "of": 5, "mean": 10.908, "ci_low": 9.5, "ci_high": 12.25}])
    assert "1,090.8 %   [950.0 %, 1,225.0 %]" in format_kpi_table(roi)  # as the report writes it, not 10.91


def test_ranking_shows_tie_groups_currency_and_undefined_cost_and_differences_show_points():
    summary = pd.DataFrame(
        {
            "scenario": ["baseline", "a", "b"],
            "is_baseline": [True, False, False],
            "final_active_share_mean": [0.40, 0.50, 0.45],
            "final_active_share_ci_low": [0.39, 0.49, 0.44],
            "final_active_share_ci_high": [0.41, 0.51, 0.46],
            "total_spend_mean": [0.0, 1000.0, 0.0],
            "cost_per_incremental_adopter_mean": [NAN, 10.0, NAN],
        }
    )
    table = pd.DataFrame({"scenario": ["a", "b", "baseline"], "tie_group": [1, 2, 3]})
    text = format_ranking(summary, "final_active_share", "EUR", table)
    lines = text.splitlines()
    assert "tie" in lines[1] and "spend EUR" in lines[1] and "per extra EUR" in lines[1]
    assert lines[2].split()[:2] == ["1", "a"] and lines[3].rstrip().endswith("undefined (no spend)")
    assert "50.0 %  [49.0 %, 51.0 %]" in lines[2]  # a share ranked by reads as the active column does, not 0.5
    differences = pd.DataFrame(
        {
            "scenario": ["a", "a"],
            "kpi": ["final_active_share", "total_spend"],
            "difference": [0.1173, 1000.0],
            "lower": [0.1, 900.0],
            "upper": [0.13, 1100.0],
            "n": [5, 5],
        }
    )
    text = format_differences(differences, ["a"], ["final_active_share", "total_spend"], "EUR")
    assert "+11.7 points  [+10.0, +13.0]" in text and "total_spend (EUR)" in text


def test_default_compare_folder_is_short():
    names = ["baseline", "lever_merchant_deals", "lever_mix", "lever_referral", "lever_security", "lever_training"]
    assert str(default_folder(names)) == "results/compare-baseline-and-5-more"
    assert str(default_folder(["baseline", "referral"])) == "results/compare-baseline-referral"
