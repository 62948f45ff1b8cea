"""Gains for good in the long run; costs per extra adopter with their verdicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.compare import compare
from adoptsim.studies.costs import cost_per_adopter
from adoptsim.studies.long_run import LongRun, settle_week
from tests.conftest import ROOT


def test_settle_week_by_hand():
    share = np.array([0.0, 0.1, 0.3, 0.4, 0.45, 0.46, 0.465])
    # window 2, threshold 0.03: growth over two rows from row 2: 0.3, 0.3, 0.15, 0.06, 0.015 -> row 6
    settings = LongRun(threshold=0.03, window=2)
    assert settle_week(share, 2, settings).week == 6 and settle_week(share, 2, settings).settled
    # never under 0.01: the last row, flagged unsettled
    unsettled = settle_week(share, 2, LongRun(threshold=0.01, window=2))
    assert (unsettled.week, unsettled.settled) == (6, False)
    assert "still growing" in unsettled.describe(LongRun())


def test_cost_per_adopter_verdicts_instead_of_negative_numbers():
    # cheaper and more adopters: no cost to report, it dominates
    assert cost_per_adopter(np.array([-10.0, -12.0, -8.0]), np.array([5.0, 6.0, 7.0]))[3] == "dominates"
    # no extra spend, or no extra adopters: undefined, never -0 or a negative ratio
    for spend, gained in (([0.0, 0.0, 0.0], [5.0, 6.0, 7.0]), ([10.0, 12.0, 8.0], [-1.0, 0.0, -2.0])):
        ratio, low, high, verdict = cost_per_adopter(np.array(spend), np.array(gained))
        assert verdict == "undefined" and math.isnan(ratio) and math.isnan(low) and math.isnan(high)
    # otherwise Fieller's ratio: 12 / 6 = 2 [1.27, 3.14]
    assert cost_per_adopter(np.array([10.0, 14.0, 12.0]), np.array([5.0, 6.0, 7.0]))[:3] == pytest.approx(
        (2.0, 1.2740, 3.1398), abs=1e-3
    )
    assert cost_per_adopter(np.array([10.0, 14.0, 12.0]), np.array([5.0, 6.0, 7.0]))[3] == ""
    # extra adopters 3 on average, their interval reaching 0 (-9 to 15): any cost is possible, and
    # the estimate says so rather than standing alone as a firm figure
    ratio, low, high, verdict = cost_per_adopter(np.array([10.0, 14.0, 12.0]), np.array([-2.0, 8.0, 3.0]))
    assert (ratio, verdict) == (pytest.approx(4.0), "unbounded") and math.isnan(high)


@pytest.mark.slow
def test_a_head_start_is_not_a_gain_for_good():
    """A sign-up bonus puts a scenario ahead at the horizon; once the baseline has settled most of
    that lead is gone, while `incremental_adopters` still shows it at T."""
    overrides = ["population.size=3000", "steps=52"]
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml", overrides)
    bonus = load_scenario(ROOT / "scenarios" / "signup_bonus.yaml", overrides)
    comparison = compare([base, bonus], "baseline", reps=3, seed=5, long_run=LongRun(cap=8))
    row = comparison.kpis[comparison.kpis["scenario"] == "signup_bonus"]
    ahead, for_good = row["incremental_adopters"].mean(), row["expansion_adopters"].mean()
    assert ahead > 0 and for_good < 0.5 * ahead
    assert comparison.long_run.week > 52
    assert (row["long_run_week"] == comparison.long_run.week).all()
