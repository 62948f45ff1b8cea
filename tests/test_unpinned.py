"""Behaviour no other test pinned: the referrer's reward, the primary wallet's switching cost,
the calibration's R^2 and relative_sse, each against a hand-computed or paired expectation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.engine.rivals import market as market_module
from adoptsim.studies.calibration.objective import Problem, fit_statistics
from adoptsim.studies.runner import run
from adoptsim.world.stages import Stage
from tests.conftest import small_scenario


def test_a_referrer_only_reward_raises_word_of_mouth_and_adoption():
    """reward 0, referrer_reward 30: nobody is paid to join, yet paid referrers talk more
    (w = 1 + b_inc ln(1 + 30 / money_scale)), so more adopt than without the programme."""
    programme = "[{type: referral, name: r, reward: 0, referrer_reward: 30}]"
    base = small_scenario(2000, 52)
    paid = small_scenario(2000, 52, interventions=programme)
    model = WalletAdoptionModel(paid)
    b = model.behaviour
    assert paid.interventions[0].wom_boost(model) == pytest.approx(1 + b.b_inc * np.log(1 + 30 / b.money_scale))
    ever = [run(s, reps=4, seed=9).kpis["ever_adopted"].to_numpy() for s in (base, paid)]
    gained = ever[1] - ever[0]  # paired: same seeds
    assert gained.mean() > 0 and (gained > 0).sum() >= 3


def test_the_primary_wallet_is_kept_unless_beaten_by_more_than_b_comp(monkeypatch):
    scenario = small_scenario(200, 4, population__competitor_share=0, rivals="[{name: a}]")
    model = WalletAdoptionModel(scenario)
    market, b_comp, n = model.rivals, model.behaviour.b_comp, model.people.size
    assert b_comp > 0
    # everyone holds both wallets; focal value 0, the rival's value set by hand per consumer
    model.people.stage[:] = Stage.ACTIVE.value
    market.rivals[0].stage[:] = Stage.ACTIVE.value
    rival_value = np.zeros(n)
    rival_value[:4] = [b_comp - 0.01, b_comp + 0.01, b_comp, -1.0]
    monkeypatch.setattr(market_module.rules, "adoption_utility", lambda *a: np.zeros(len(a[1])))
    monkeypatch.setattr(type(market), "_utility", staticmethod(lambda m, r, u, s, who, h=None: rival_value[who]))
    market.primary[:] = 0  # all on the focal wallet
    market.primary[4] = market_module.NONE  # one newcomer holding both: takes the best (focal 0 = rival 0 -> focal)
    rival_value[5] = 0.5
    market.primary[5] = market_module.NONE  # a newcomer for whom the rival is better takes it at once
    zeros = [np.zeros(n)]
    market._choose_primary(model, np.zeros(n), np.zeros(n), zeros, zeros)
    assert market.primary[:6].tolist() == [0, 1, 0, 0, 0, 1]
    assert market.switch_to[0] == 1  # only the consumer beaten by more than b_comp switched
    # and a rival primary is kept the same way against a focal wallet that is only a bit better
    market.primary[:2] = 1
    rival_value[:2] = [-(b_comp - 0.01), -(b_comp + 0.01)]
    market._choose_primary(model, np.zeros(n), np.zeros(n), zeros, zeros)
    assert market.primary[:2].tolist() == [1, 0] and market.switch_from[0] == 1


def test_calibration_r2_and_rmse_by_hand():
    # residuals 0, -1, 0, -1: SS_res 2; mean 2.5, SS_tot 5 -> R^2 = 0.6; RMSE sqrt(2/4)
    r2, rmse = fit_statistics(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 3.0, 5.0]))
    assert (r2, rmse) == pytest.approx((0.6, np.sqrt(0.5)))
    assert np.isnan(fit_statistics(np.array([2.0, 2.0]), np.array([1.0, 3.0]))[0])  # no variance to explain


@pytest.mark.parametrize(
    "objective, expected",
    [
        # fitted rows 0, 1: (0.02)^2 x 1 + (-0.05)^2 x 2 = 0.0054; the held-out row is ignored
        ("sse", 0.0054),
        # (0.02 / 0.1)^2 x 1 + (-0.05 / 0.2)^2 x 2 = 0.04 + 0.125 = 0.165
        ("relative_sse", 0.165),
    ],
)
def test_calibration_objectives_by_hand(objective, expected):
    observations = pd.DataFrame(
        {"share": [0.1, 0.2, 0.4], "weight": [1.0, 2.0, 1.0], "heldout": [False, False, True], "market": ""}
    )
    spec = SimpleNamespace(parameters={}, per_market={}, fits_launch=False, objective=objective)
    market = SimpleNamespace(name="")
    problem = Problem(SimpleNamespace(spec=spec, observations=observations, parts=[market]))
    assert problem.loss(np.array([0.12, 0.15, 0.9])) == pytest.approx(expected)
