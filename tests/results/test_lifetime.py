"""Lifetime value: the terminal value of users active at the end, on a hand-computed example."""

from __future__ import annotations

import math

import numpy as np
import pytest

from adoptsim.results.economics import money_kpis, npv, terminal_value
from adoptsim.results.metrics import run_kpis
from adoptsim.studies.runner import run
from tests.conftest import small_scenario

# rows 0..2: 100 active at rows 1 and 2, 10 lapses in step 2, margin 50 in step 2
ACTIVE, LAPSES, MARGIN = np.array([0.0, 100, 100]), np.array([0.0, 0, 10]), np.array([0.0, 40, 50])


def test_terminal_value_by_hand():
    # window 1 (row 2): h = 10 / A(1) = 0.1, mu = 50 / 100 = 0.5 per user-week; T = 2, d = 0.1
    # A(T) mu (1-h) / ((d+h)(1+d)^T) = 100 * 0.5 * 0.9 / (0.2 * 1.21) = 185.950
    assert terminal_value(ACTIVE, LAPSES, MARGIN, 0.1, 1) == pytest.approx(45 / 0.242)
    # the closed form is the sum over the weeks after T: 50 (0.9)^k / 1.1^(2+k), k >= 1
    brute = sum(50 * 0.9**k / 1.1 ** (2 + k) for k in range(1, 2000))
    assert terminal_value(ACTIVE, LAPSES, MARGIN, 0.1, 1) == pytest.approx(brute)
    # no discount: expected remaining life (1-h)/h = 9 weeks at 50 a week
    assert terminal_value(ACTIVE, LAPSES, MARGIN, 0.0, 1) == pytest.approx(450.0)
    # window 2 (rows 1, 2): h = 10 / (0 + 100) = 0.1, mu = 90 / 200 = 0.45
    assert terminal_value(ACTIVE, LAPSES, MARGIN, 0.0, 2) == pytest.approx(100 * 0.45 * 0.9 / 0.1)


def test_terminal_value_edge_cases():
    assert terminal_value(np.array([0.0, 5, 0]), LAPSES, MARGIN, 0.1, 1) == 0.0  # nobody left
    # no lapses and no discount: an unbounded life is undefined, never a number
    assert math.isnan(terminal_value(ACTIVE, np.zeros(3), MARGIN, 0.0, 1))


def test_customer_value_adds_the_terminal_value_and_roi_uses_it():
    money = money_kpis(np.array([0.0, 110.0, 121.0]), np.array([0.0, 55.0, 0.0]), 0.1, terminal=100.0)
    # 200 in the run + 100 after it; 50 of discounted spend -> net 250, roi 5
    assert money == pytest.approx({"customer_value": 300.0, "terminal_value": 100.0, "net_value": 250.0, "roi": 5.0})


def test_lifetime_switch_drops_the_terminal_value():
    scenario = small_scenario(steps=30)
    series = run(scenario, reps=1, seed=3).timeseries
    with_life = run_kpis(series, scenario)
    off = scenario.model_copy(update={"economics": scenario.economics.model_copy(update={"lifetime": False})})
    without = run_kpis(series, off)
    assert with_life["terminal_value"] > 0 and without["terminal_value"] == 0.0
    in_run = npv(series["margin"].to_numpy(float), scenario.economics.discount_rate)
    assert without["customer_value"] == pytest.approx(in_run)
    assert with_life["customer_value"] == pytest.approx(in_run + with_life["terminal_value"])
    assert with_life["net_value"] - without["net_value"] == pytest.approx(with_life["terminal_value"])
