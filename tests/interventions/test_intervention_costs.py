"""What interventions pay, to the unit of money: the direct cost formulas of each type's docstring."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from tests.conftest import small_scenario


def spend(model: WalletAdoptionModel, name: str) -> np.ndarray:
    """Money paid in each step (row s + 1 holds step s)."""
    return model.recorder.table()[f"spend_{name}"].to_numpy()[1:]


def test_referral_pays_both_rewards_for_every_referred_adopter():
    # On a complete graph everyone has an active neighbour once the seeded users are active
    # (from step 1), so every new adopter of those steps was referred.
    scenario = small_scenario(
        size=800,
        steps=12,
        network__generator="complete_graph",
        network__params="{}",
        interventions="[{type: seeding, count: 20}, {type: referral, name: r, reward: 7, referrer_reward: 3}]",
    )
    model = WalletAdoptionModel(scenario)
    model.run()
    adopters = model.recorder.table()["new_adopters"].to_numpy()[1:]
    assert spend(model, "r")[1:] == pytest.approx(10.0 * adopters[1:])
    assert adopters[1:].sum() > 20  # the check is about real adoptions


def test_merchant_deal_pays_per_merchant_signed_and_per_discounted_payment():
    interventions = (
        "[{type: merchant_deal, name: d, merchants_per_step: 10, cost_per_merchant: 500, discount: 0, duration: 5}]"
    )
    model = WalletAdoptionModel(small_scenario(size=600, steps=8, interventions=interventions))
    model.run()
    assert spend(model, "d").tolist() == [5000.0] * 5 + [0.0] * 3
    seeded = interventions.replace("discount: 0", "discount: 0.25").replace("[", "[{type: seeding, count: 300}, ")
    with_discount = WalletAdoptionModel(small_scenario(size=600, steps=8, interventions=seeded))
    payments: list[np.ndarray] = []
    record = with_discount.recorder.record
    with_discount.recorder.record = lambda model, row, outcome: (  # each consumer's payments, per step
        payments.append(outcome.payments_of(slice(None)).copy()) or record(model, row, outcome)
    )
    paid = []
    for _ in range(5):
        with_discount.step()
        _, run = with_discount.interventions[1]
        deal = (1.0 - with_discount.people.online) * with_discount.merchant_share(run.reached)
        paid.append(5000.0 + 0.25 * float(np.dot(payments[-1], deal)))
    assert sum(paid) - 5 * 5000.0 > 10.0  # discounted payments were made and paid for
    assert spend(with_discount, "d")[:5] == pytest.approx(paid)


def test_community_event_pays_per_event_every_few_weeks():
    interventions = "[{type: community_event, name: e, region: rural, every: 4, cost_per_event: 2000, duration: 10}]"
    model = WalletAdoptionModel(small_scenario(size=600, steps=12, interventions=interventions))
    model.run()
    assert spend(model, "e").tolist() == [2000.0 if s in (0, 4, 8) else 0.0 for s in range(12)]


def test_ux_improvement_ramps_ease_and_pays_its_fixed_cost_once():
    interventions = "[{type: ux_improvement, name: ux, start: 2, ease_gain: 0.3, ramp_steps: 3, fixed_cost: 50000}]"
    model = WalletAdoptionModel(small_scenario(size=400, steps=8, interventions=interventions))
    base = model.ease
    ease = []
    for _ in range(8):
        model.step()
        ease.append(model.ease - base)
    assert ease == pytest.approx([0, 0, 0.1, 0.2, 0.3, 0.3, 0.3, 0.3])
    assert spend(model, "ux").tolist() == [0, 0, 50000.0, 0, 0, 0, 0, 0]
