"""The step rules on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.engine import rules as dynamics
from adoptsim.scenario.behaviour import Behaviour


def test_awareness_probability_by_hand():
    p = dynamics.awareness_probability(np.array([0.1, 0.0, 0.1]), 0.2, np.array([1.0, 1.0, 2.0]), np.array([0, 2, 1]))
    assert p == pytest.approx([0.1, 1 - 0.8**2, 1 - 0.9 * 0.6])
    # no word-of-mouth lever (None) is w_i = 1, in float32 for the focal wallet
    p = dynamics.awareness_probability(np.array([0.1, 0.0], dtype=np.float32), 0.2, None, np.array([0, 2]))
    assert p.dtype == np.float32 and p == pytest.approx([0.1, 1 - 0.8**2], rel=1e-6)


def test_usefulness_mixes_offline_merchants_and_online():
    u = dynamics.usefulness(np.array([0.0, 1.0, 0.5]), np.array([0.4, 0.4, 0.4]), 0.5)
    assert u == pytest.approx([0.4, 0.5, 0.45])


def test_adoption_utility_by_hand():
    b = Behaviour()
    one = np.array([1.0])
    u = dynamics.adoption_utility(
        b, one * 0.5, one * 0.6, 1.0, one * 0.5, one * 0.2, one * 0.3, np.array([True]), one * 20.0, one * 0.4
    )
    # 20 of money at money_scale 20: b_inc (1 - rho income) ln 2
    expected = -4 + 2 * 0.5 + 1.5 * 0.6 + 2 * 0.5 + 3 * 0.2 - 2.5 * 0.3 - 1 + 1.0 * (1 - 0.5 * 0.4) * np.log(2)
    assert u == pytest.approx([expected])
    assert dynamics.adoption_probability(b, u) == pytest.approx(0.15 / (1 + np.exp(-expected)))


def test_money_has_diminishing_returns_and_weighs_less_for_high_income():
    b = Behaviour()
    low, high = np.zeros(1), np.ones(1)
    assert dynamics.money_utility(b, np.zeros(1), low)[0] == 0.0
    one, two = dynamics.money_utility(b, np.array([20.0]), low)[0], dynamics.money_utility(b, np.array([40.0]), low)[0]
    assert 0 < one < two < 2 * one
    assert dynamics.money_utility(b, np.array([20.0]), high)[0] == pytest.approx(one * (1 - b.rho))


def test_trust_deficit_comes_back_at_its_half_life():
    trust, deficit = np.array([0.3]), np.array([0.2])
    rate = dynamics.weekly_recovery(10.0)
    for _ in range(10):
        trust, deficit = dynamics.recover_trust(trust, deficit, rate)
    assert deficit == pytest.approx([0.1])
    assert trust == pytest.approx([0.4])


def test_lapse_probability_falls_with_wallet_habit_and_is_capped():
    b = Behaviour()
    p = dynamics.lapse_probability(
        b, np.array([0.0, 1.0]), np.full(2, 0.5), np.full(2, 0.5), np.full(2, 0.5), np.ones(2)
    )
    assert p[0] > p[1]
    assert p[0] == pytest.approx(0.04 / (1 + np.exp(-(-1 - 0.5 - 0.5 + 0.5))))
    assert dynamics.lapse_probability(b, np.zeros(1), np.zeros(1), np.zeros(1), np.ones(1), np.array([1e6]))[0] == 1.0


def test_habits_trust_and_merchants_by_hand():
    active, gap = np.array([True, False]), np.empty(2)
    assert dynamics.grow_wallet_habit(np.array([0.5, 0.5]), 0.1, active, gap) == pytest.approx([0.55, 0.5])
    assert dynamics.decay_old_habit(np.array([0.5, 0.5]), 0.1, active, gap) == pytest.approx([0.45, 0.5])
    assert dynamics.trust_after_experience(np.array([0.5, 0.5]), 0.1, active, gap) == pytest.approx([0.55, 0.5])
    trust = np.array([0.2, 0.2])  # the second has no neighbours: unchanged
    social = dynamics.trust_after_social_proof(trust, np.array([1.2, 0.0]), np.array([2, 0]), 0.5)
    assert social is trust and trust == pytest.approx([0.4, 0.2])
    assert dynamics.social_share(np.array([1, 0, 3]), np.array([4, 0, 3])) == pytest.approx([0.25, 0.0, 1.0])
    assert dynamics.transactions(2.0, np.array([0.5]), np.array([0.5])) == pytest.approx([1.0])
    b = Behaviour()
    p = dynamics.merchant_acceptance_probability(b, np.array([0.0, 0.5]))
    assert p == pytest.approx(0.05 / (1 + np.exp(-np.array([-3.0, 1.0]))))


SHARED = (
    "media_rate",
    "awareness_probability",
    "usefulness",
    "social_share",
    "adoption_utility",
    "adoption_probability",
    "lapse_probability",
    "grow_wallet_habit",
    "trust_after_experience",
    "decay_old_habit",
    "trust_after_social_proof",
    "merchant_acceptance_probability",
)


def test_the_focal_wallet_and_every_rival_run_the_same_rule_functions(monkeypatch):
    """One rule set: each rule is called both by the focal wallet's components and by the rivals
    (so a change to it moves both), never restated in either."""
    import sys

    from conftest import small_scenario

    from adoptsim.engine.model import WalletAdoptionModel

    callers: dict[str, set[str]] = {name: set() for name in SHARED}

    def spy(name, rule):
        def called(*args, **kwargs):
            caller = sys._getframe(1).f_globals["__name__"]
            callers[name].add("rival" if ".rivals." in caller else "focal")
            return rule(*args, **kwargs)

        return called

    for name in SHARED:
        monkeypatch.setattr(dynamics, name, spy(name, getattr(dynamics, name)))
    scenario = small_scenario(
        1000, 8, seed=1, behaviour__mu=0.1, behaviour__p_media=0.1, rivals="[{name: bank, users: 0.1}]"
    )
    WalletAdoptionModel(scenario).run()
    assert {name: sorted(who) for name, who in callers.items()} == {name: ["focal", "rival"] for name in SHARED}
