"""A model that can be grounded: the market ceiling, money in and effect out, trust that recovers."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.studies.runner import run
from adoptsim.world.population import default_market_potential
from tests.conftest import small_scenario


def ran(steps: int, interventions: str = "[]", size: int = 3000, seed: int | None = None, **fields):
    model = WalletAdoptionModel(
        small_scenario(size=size, steps=steps, interventions=interventions, **fields), seed=seed
    )
    model.run_for(steps)
    return model


@pytest.mark.slow
def test_the_baseline_levels_off_below_its_market_potential_over_ten_years():
    model = ran(520)
    share = model.recorder.table()["share_active"].to_numpy()
    potential = model.people.in_market.mean()
    assert 0.7 < potential < 0.9
    assert abs(share[-1] - share[-53]) < 0.01  # less than one point over the last year
    assert share[-1] <= potential
    assert model.people.ever_adopted[~model.people.in_market].sum() == 0


def test_market_potential_defaults_by_age_and_multiplies_by_region():
    assert [default_market_potential(a) for a in (23.5, 37, 52, 72)] == [0.97, 0.95, 0.85, 0.60]
    model = WalletAdoptionModel(small_scenario(size=20000, steps=1))
    people = model.people
    old_rural = (people.age_group == model.age_group_labels.index("60+")) & (
        people.region == model.region_labels.index("rural")
    )
    assert people.in_market[old_rural].mean() == pytest.approx(0.60 * 0.88, abs=0.03)
    # No ceiling draws the same traits: the in-market draw comes last.
    no_ceiling = {f"population__age_groups__{g}__market_potential": 1.0 for g in model.age_group_labels}
    open_market = WalletAdoptionModel(
        small_scenario(size=20000, steps=1, population__regions__rural__market_potential=1.0, **no_ceiling)
    )
    assert open_market.people.in_market.all()
    assert np.array_equal(open_market.people.trust, people.trust)


def test_training_brings_older_people_into_the_market():
    spec = "[{type: training, target: {age_groups: ['60+']}, seats: 200, market_entry: 0.5, end: 20}]"
    base, trained = ran(21), ran(21, spec)
    old = base.people.age_group == base.age_group_labels.index("60+")
    assert trained.people.in_market[old].mean() > base.people.in_market[old].mean() + 0.1
    assert np.array_equal(trained.people.in_market[~old], base.people.in_market[~old])


def ever_adopted_gain(spec: str) -> tuple[float, float]:
    """Mean extra ever-adopted consumers at week 52 against the baseline (same seeds), and mean spend."""
    scenarios = [small_scenario(size=4000, steps=52, interventions=s) for s in ("[]", spec)]
    base, treated = (run(s, reps=3) for s in scenarios)
    gain = (treated.kpis["final_ever_adopted_share"] - base.kpis["final_ever_adopted_share"]).mean() * 4000
    return float(gain), float(treated.kpis["total_spend"].mean())


@pytest.mark.slow
def test_referral_reward_zero_costs_nothing_and_returns_diminish():
    nothing, spend0 = ever_adopted_gain("[{type: referral, reward: 0, end: 51}]")
    twenty, spend20 = ever_adopted_gain("[{type: referral, reward: 20, end: 51}]")
    forty, spend40 = ever_adopted_gain("[{type: referral, reward: 40, end: 51}]")
    assert nothing == 0 and spend0 == 0
    assert twenty > nothing + 50
    assert twenty < forty < 2 * twenty  # doubling the reward gives less than double the gain
    assert spend40 > spend20 > 0


def test_a_bonus_costs_what_it_pays():
    """Paid to first-time adopters only: a lapsed user who comes back gets nothing."""
    scenario = small_scenario(size=2000, steps=30, interventions="[{type: signup_bonus, amount: 15, end: 29}]")
    model = WalletAdoptionModel(scenario)
    model.run_for(30)
    series = model.recorder.table()
    first_time = series["n_ever_adopted"].iloc[-1] - series["n_ever_adopted"].iloc[0]
    assert series["new_adopters"].sum() > first_time > 50  # some came back after a lapse, unpaid
    assert series["spend_signup_bonus_0"].sum() == pytest.approx(15 * first_time)


def mean_trust(interventions: str, steps: int) -> np.ndarray:
    model = ran(steps, interventions, size=3000, behaviour__mu=0.0)
    return model.recorder.table()["mean_trust"].to_numpy()


def test_trust_returns_after_a_breach_faster_when_a_security_campaign_answers_it():
    breach = "{type: breach, start: 10, drop: 0.2, lapse_spike: 1.0}"
    steps = 150
    base = mean_trust("[]", steps)
    alone = mean_trust(f"[{breach}]", steps)
    answered = mean_trust(
        f"[{breach}, {{type: security_campaign, start: 11, duration: 30, reach: 0.2, trust_gain: 0.0}}]", steps
    )
    assert alone[11] < base[11] - 0.15
    assert abs(alone[10 + 130] - base[10 + 130]) < 0.02  # docs/model.md: back within 0.02 after ~130 weeks
    gap_alone, gap_answered = base[10 + 26] - alone[10 + 26], base[10 + 26] - answered[10 + 26]
    assert gap_alone == pytest.approx(0.1, abs=0.03)  # half of 0.2 back after one half-life
    assert gap_answered < 0.5 * gap_alone


def test_a_growing_market_raises_the_ceiling_and_leaves_a_fixed_one_untouched():
    fixed, growing = ran(104), ran(104, population__market_growth=0.01)
    assert np.array_equal(ran(104, population__market_growth=0.0).people.stage, fixed.people.stage)
    start = fixed.people.in_market.mean()
    expected = 1 - (1 - start) * 0.99**104
    assert growing.people.in_market.mean() == pytest.approx(expected, abs=0.03)
    assert growing.people.ever_adopted.mean() > fixed.people.ever_adopted.mean()
