"""Interventions against the baseline on common random numbers: direction, targeting, money."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.errors import ScenarioError
from adoptsim.interventions import INTERVENTION_TYPES
from adoptsim.scenario.loading import load_scenario
from adoptsim.world.stages import Stage
from tests.conftest import BASELINE, ROOT, small_scenario

TRAITS = ("trust", "tech_skill", "habit", "income", "online", "wallet_habit")


def pair(interventions: str, steps: int = 1, size: int = 2000, **fields):
    """Baseline and treated models on the same seed, both run `steps` steps."""
    models = []
    for extra in ("[]", interventions):
        model = WalletAdoptionModel(small_scenario(size=size, steps=max(steps, 1), interventions=extra, **fields))
        model.run_for(steps)
        models.append(model)
    return models


def assert_untouched(base, treated, outside: np.ndarray) -> None:
    for trait in TRAITS:
        assert np.array_equal(getattr(base.people, trait)[outside], getattr(treated.people, trait)[outside]), trait
    assert np.array_equal(base.people.stage[outside], treated.people.stage[outside])


def group(model, label: str) -> np.ndarray:
    return model.people.age_group == model.age_group_labels.index(label)


def region(model, label: str) -> np.ndarray:
    return model.people.region == model.region_labels.index(label)


def final(series, column: str) -> float:
    return float(series[column].iloc[-1])


def test_an_intervention_that_does_nothing_changes_no_number():
    base, treated = pair(
        "[{type: security_campaign, reach: 0.5, trust_gain: 0}, {type: awareness_campaign, reach: 0.5, conversion: 0}]",
        steps=30,
    )
    assert np.array_equal(base.people.stage, treated.people.stage)
    a, b = base.recorder.table(), treated.recorder.table()
    shared = [c for c in a.columns if not c.startswith("spend")]
    assert a[shared].equals(b[shared])


def test_training_for_60_plus_raises_their_skill_and_adoption_not_the_young():
    spec = "[{type: training, target: {age: [60, 120]}, seats: 100, skill_gain: 0.3, end: 40}]"
    base, treated = pair(spec, steps=1)
    old, young = group(base, "60+"), group(base, "18-29")
    assert treated.people.tech_skill[old].mean() > base.people.tech_skill[old].mean() + 0.005
    assert_untouched(base, treated, young)
    assert_untouched(base, treated, base.people.age < 60)
    base, treated = pair(spec, steps=52)
    s_base, s_treated = base.recorder.table(), treated.recorder.table()
    assert final(s_treated, "share_active_age_60+") > final(s_base, "share_active_age_60+") + 0.03


@pytest.mark.parametrize(
    ("spec", "trait", "sign"),
    [
        ("{type: security_campaign, target: {age_groups: ['60+']}, reach: 0.2, trust_gain: 0.3}", "trust", 1),
        ("{type: breach, target: {age_groups: ['60+']}, drop: 0.2}", "trust", -1),
        ("{type: community_event, region: rural, target: {age_groups: ['60+']}, reach: 0.3}", "tech_skill", 1),
    ],
)
def test_trait_interventions_move_their_target_only(spec, trait, sign):
    base, treated = pair(f"[{spec}]", steps=1)
    old = group(base, "60+")
    if "rural" in spec:
        old &= region(base, "rural")
    change = getattr(treated.people, trait)[old].mean() - getattr(base.people, trait)[old].mean()
    assert sign * change > 0.005
    assert_untouched(base, treated, ~old)


def test_awareness_campaign_makes_its_region_aware_and_no_one_else():
    base, treated = pair("[{type: awareness_campaign, target: {regions: [rural]}, reach: 0.5, conversion: 0.5}]")
    rural = region(base, "rural")
    aware = lambda m: (m.people.stage[rural] != Stage.UNAWARE).sum()  # noqa: E731
    assert aware(treated) > aware(base) + 0.2 * rural.sum() * 0.5
    assert_untouched(base, treated, ~rural)


@pytest.mark.parametrize(
    "spec",
    [
        "{type: referral, reward: 20}",
        "{type: merchant_deal, merchants_per_step: 10, discount: 0.5}",
        "{type: signup_bonus, amount: 30}",
        "{type: ux_improvement, ease_gain: 0.5}",
        "{type: awareness_campaign, reach: 0.1}",
        "{type: seeding, count: 100}",
    ],
)
def test_adoption_interventions_raise_adoption(spec):
    base, treated = pair(f"[{spec}]", steps=52)
    assert final(treated.recorder.table(), "n_ever_adopted") > final(base.recorder.table(), "n_ever_adopted") * 1.05


def test_merchant_deal_signs_merchants_of_its_categories_only():
    base, treated = pair("[{type: merchant_deal, merchants_per_step: 5, categories: [grocery], end: 3}]", steps=4)
    grocery = treated.shops.category == treated.category_labels.index("grocery")
    newly = treated.shops.accepts & ~base.shops.accepts
    assert newly[grocery].sum() >= 15
    assert not treated.shops.has_deal.any()  # deals end with the intervention
    assert treated.shops.accepts[grocery].mean() > base.shops.accepts[grocery].mean()


def test_customer_support_means_fewer_lapses_and_breach_fewer_active():
    base, support = pair("[{type: customer_support, factor: 0.3}]", steps=80)
    assert support.recorder.table()["new_lapses"].sum() < 0.7 * base.recorder.table()["new_lapses"].sum()
    base, breach = pair("[{type: breach, start: 50, drop: 0.3, lapse_spike: 5}]", steps=60)
    assert breach.people.trust.mean() < base.people.trust.mean() - 0.1
    assert final(breach.recorder.table(), "n_active") < final(base.recorder.table(), "n_active")


def test_loyalty_program_keeps_users_and_pays_per_member():
    base, loyal = pair("[{type: loyalty_program, points: 1, perceived_weeks: 26, habit_boost: 0.05}]", steps=80)
    b, t = base.recorder.table(), loyal.recorder.table()
    assert t["new_lapses"].sum() < 0.8 * b["new_lapses"].sum()
    assert final(t, "n_active") > final(b, "n_active")
    # paid each step for the users active at the start of that step
    assert np.allclose(t["spend_loyalty_program_0"].iloc[1:].to_numpy(), t["n_active"].iloc[:-1].to_numpy())


def test_awareness_campaign_reaches_age_groups_differently():
    spec = "[{type: awareness_campaign, reach: 0.0, reach_by_age_group: {'18-29': 0.5}, conversion: 1.0}]"
    base, treated = pair(spec, steps=1)
    young = group(base, "18-29")
    assert_untouched(base, treated, ~young)
    assert (treated.people.stage[young] != Stage.UNAWARE).mean() > 0.45
    base, boosted = pair("[{type: awareness_campaign, reach: 0, media_boost: 5}]", steps=10)
    aware = lambda m: (m.people.stage != Stage.UNAWARE).sum()  # noqa: E731
    assert aware(boosted) > 2 * aware(base)


def test_seeding_at_step_0_makes_exactly_count_people_active():
    model = WalletAdoptionModel(
        small_scenario(
            steps=3,
            interventions="[{type: seeding, start: 0, count: 137}]",
            behaviour__p_media=0,
            behaviour__q_wom=0,
            behaviour__r_l=0,
        )
    )
    model.step()
    assert (model.people.stage == Stage.ACTIVE).sum() == 137
    series = model.recorder.table()
    assert series.loc[1, "n_active"] == 137 and series.loc[1, "spend_seeding_0"] == 137 * 20


def test_budget_stops_spending_at_its_cap():
    spec = "[{type: awareness_campaign, reach: 0.05, cost_per_contact: 1.0, budget: 450}]"
    series = pair(spec, steps=20)[1].recorder.table()
    spend = series["spend_awareness_campaign_0"]
    assert spend.sum() == pytest.approx(450)
    assert spend.iloc[-5:].sum() == 0
    for kind_spec, column in (
        ("{type: signup_bonus, amount: 10, budget: 300}", "spend_signup_bonus_0"),
        ("{type: training, seats: 30, cost_per_seat: 7, budget: 500}", "spend_training_0"),
    ):
        series = pair(f"[{kind_spec}]", steps=40)[1].recorder.table()
        assert series[column].sum() <= float(kind_spec.split("budget: ")[1].rstrip("}")) + 1e-9
        assert series[column].sum() > 0


def test_spend_adds_up_across_steps_interventions_and_kpi():
    from adoptsim.studies.runner import run

    scenario = load_scenario(ROOT / "scenarios" / "alipay_merchant_push.yaml", ["population.size=2000", "steps=30"])
    result = run(scenario, reps=2)
    series = result.timeseries
    per_intervention = series[[f"spend_{iv.name}" for iv in scenario.interventions]].sum(axis=1)
    assert np.allclose(per_intervention, series["spend_total"])
    totals = series.groupby("replication")["spend_total"].sum()
    assert np.allclose(totals.to_numpy(), result.kpis["total_spend"].to_numpy())
    assert (result.kpis["total_spend"] > 0).all()
    ever = result.kpis["final_ever_adopted_share"] * 2000
    assert np.allclose(result.kpis["cost_per_adopter"], result.kpis["total_spend"] / ever)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[{type: training, start: 30, end: 10}]", "interventions[0].start: start (30) is after end (10)"),
        ("[{type: cashback_lottery}]", "interventions[0].type: unknown intervention type 'cashback_lottery'"),
        ("[{type: training, seets: 3}]", "interventions[0].seets: unknown field (did you mean 'seats'?)"),
        ("[{type: community_event, region: moon}]", "interventions[0].region: unknown region 'moon'"),
        ("[{type: merchant_deal, categories: [bakery]}]", "interventions[0].categories: unknown category 'bakery'"),
    ],
)
def test_intervention_mistakes_are_one_line(body, expected):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, [f"interventions={body}"])
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_every_intervention_type_is_used_by_a_scenario_file():
    used = set()
    for path in (ROOT / "scenarios").glob("*.yaml"):
        used |= {iv.type for iv in load_scenario(path).interventions}
    assert used == set(INTERVENTION_TYPES)


def test_security_campaign_can_reach_the_least_trusting_first():
    spec = "[{type: security_campaign, reach: 0.1, trust_gain: 0.5, prioritize: lowest_trust, end: 0}]"
    base, treated = pair(spec, steps=1)
    reached = treated.people.trust != base.people.trust
    assert reached.sum() == 200
    assert base.people.trust[reached].max() <= base.people.trust[~reached].min()
