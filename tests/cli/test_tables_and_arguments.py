"""The text tables commands print, and the argument types' one-line mistakes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from adoptsim.cli.main import main
from adoptsim.cli.tables import format_differences, format_kpi_table, format_ranking, shown_differences
from tests.conftest import BASELINE


def summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["baseline", "referral", "training"],
            "steps_to_30pct_active_mean": [60.0, 41.5, math.nan],
            "steps_to_30pct_active_ci_low": [58.0, 40.0, math.nan],
            "steps_to_30pct_active_ci_high": [62.0, 43.0, math.nan],
            "final_active_share_mean": [0.31, 0.42, 0.29],
            "total_spend_mean": [0.0, 123456.0, 5000.0],
        }
    )


def test_ranking_puts_the_fastest_first_and_never_reached_last():
    text = format_ranking(summary(), "steps_to_30pct_active", "USD").splitlines()
    assert text[0] == "ranked by steps_to_30pct_active, smallest first (means)"
    assert [line.split()[1] for line in text[2:]] == ["referral", "baseline", "training"]
    assert "123,456" in text[2] and "[40, 43]" in text[2]  # thousands grouped from 10,000 on
    assert text[-1].split()[2] == "-"  # never reached: no number


def test_differences_show_signs_and_how_many_replications_a_kpi_came_from():
    table = pd.DataFrame(
        {
            "scenario": ["referral"] * 4,
            "kpi": [
                "final_active_share",
                "cost_per_incremental_adopter",
                "cost_per_expansion_adopter",
                "cost_per_incremental_adopter_at_52",
            ],
            "difference": [0.1104, 812.25, 1242.0, float("nan")],
            "lower": [0.09, 700.0, 1225.0, float("nan")],
            "upper": [0.13, 950.0, 1258.0, float("nan")],
            "n": [5, 4, 5, 5],
            "verdict": ["", "", "", "dominates"],
        }
    )
    kpis = list(table["kpi"])
    rows = format_differences(table, ["referral"], kpis).splitlines()[1:]
    assert rows[0].split()[:4] == ["referral", "final_active_share", "+11.0", "points"]  # shares differ in points
    assert rows[1].split()[:2] == ["cost_per_incremental_adopter", "812.2"]  # a ratio: no sign
    assert rows[1].endswith("(from 4 of 5)")
    assert rows[2].split()[:2] == ["cost_per_expansion_adopter", "1242"]  # the long run's ratio too
    assert rows[3].split()[:2] == ["cost_per_incremental_adopter_at_52", "dominates"]  # cheaper, more adopters
    never = pd.concat([table, table.iloc[:1].assign(kpi="steps_to_50pct_active", difference=float("nan"), n=0)])
    row = format_differences(never, ["referral"], ["steps_to_50pct_active"]).splitlines()[1]
    assert row.split()[1:] == ["steps_to_50pct_active", "undefined", "(reached", "by", "both", "in", "0", "of", "5)"]
    names = ["final_active_share", "total_spend", "steps_to_30pct_active", "roi_at_52", "incremental_adopters_at_52"]
    assert shown_differences(names, "roi_at_52", [0.3]) == [
        "roi_at_52",
        "final_active_share",
        "steps_to_30pct_active",
        "total_spend",
        "incremental_adopters_at_52",
    ]


def test_kpi_table_says_never_and_how_often_a_target_was_reached():
    kpis = pd.DataFrame(
        {
            "metric": ["final_active_share", "steps_to_50pct_active"],
            "mean": [0.31, math.nan],
            "ci_low": [0.3, math.nan],
            "ci_high": [0.32, math.nan],
            "n": [5, 0],
            "of": [5, 5],
        }
    )
    lines = format_kpi_table(kpis).splitlines()
    assert lines[1].split() == ["final_active_share", "31.0", "%", "[30.0", "%,", "32.0", "%]"]
    assert lines[2].split() == ["steps_to_50pct_active", "never", "(reached", "in", "0", "of", "5", "replications)"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--reps", "0"], "argument --reps: must be at least 1, got 0"),
        (["--seed", "x"], "argument --seed: expected a whole number, got 'x'"),
        (["--targets", "0.3,1.5"], "argument --targets: a share must be between 0 and 1 (exclusive), got 1.5"),
        (["--targets", "half"], "argument --targets: expected a share such as 0.3, got 'half'"),
    ],
)
def test_argument_mistakes_are_one_line_and_exit_2(option, message, capsys):
    assert main(["run", str(BASELINE), *option]) == 2
    assert capsys.readouterr().err.strip() == f"adoptsim run: {message} (see adoptsim run --help)"
