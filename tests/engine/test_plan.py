"""The step as an ordered plan of components: the declared order, one line to add a component,
and the narrow contexts the model offers interventions and the Recorder."""

from __future__ import annotations

import inspect

import numpy as np
from conftest import ROOT, small_scenario

from adoptsim.engine import model as model_module
from adoptsim.engine.components.consumers import decisions
from adoptsim.engine.components.use import use
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.engine.plan import PLAN, run_step
from adoptsim.interventions.context import RecordedRun, StepContext, StepOutcome
from adoptsim.world.stages import Stage

ORDER = [
    "snapshot",
    "market_growth",
    "apply_interventions",
    "market_context",
    "usefulness",
    "decisions",
    "rivals",
    "use",
    "trust_recovery",
    "social_proof_of_trust",
    "merchant_uptake",
    "settle_interventions",
    "record",
]


def test_the_plan_is_the_declared_order_and_the_docstring_lists_it_once():
    model = WalletAdoptionModel(small_scenario(200, 3))
    assert [c.__name__ for c in PLAN] == ORDER
    assert model.plan == list(PLAN) and model.plan is not PLAN  # each model runs its own copy
    doc = model_module.__doc__
    places = [doc.index(f"\n  {name} ") for name in ORDER]
    assert places == sorted(places)
    assert all(doc.count(f"\n  {name} ") == 1 for name in ORDER)


def test_a_component_added_in_one_line_runs_at_its_place_every_step():
    seen = []

    def probe(model, step):  # after use (payments known), before the recorder's row
        seen.append((model.step_index, step.payments, model.recorder.rows))

    model = WalletAdoptionModel(small_scenario(500, 4, seed=3))
    model.plan.insert(model.plan.index(use) + 1, probe)  # the one line
    model.run()
    table = model.recorder.table()
    assert [s[0] for s in seen] == [0, 1, 2, 3]
    assert [s[1] for s in seen] == list(table["transactions"].iloc[1:])  # use ran before it
    assert [s[2] for s in seen] == [1, 2, 3, 4]  # the recorder had not yet written this step's row


def test_a_component_that_changes_state_changes_the_run_from_its_place_on():
    def everyone_hears(model, step):  # before the decisions: all may adopt this very step
        model.people.stage[model.people.stage == Stage.UNAWARE.value] = Stage.AWARE

    plain = WalletAdoptionModel(small_scenario(1000, 3, seed=5))
    plain.run()
    loud = WalletAdoptionModel(small_scenario(1000, 3, seed=5))
    loud.plan.insert(loud.plan.index(decisions), everyone_hears)
    loud.run()
    before, after = plain.recorder.table(), loud.recorder.table()
    assert after["n_unaware"].iloc[1] == 0 < before["n_unaware"].iloc[1]
    assert after["new_adopters"].iloc[1:].sum() > before["new_adopters"].iloc[1:].sum()


def _members(protocol: type) -> set[str]:
    names = set(inspect.get_annotations(protocol))
    names |= {n for n, v in vars(protocol).items() if not n.startswith("_") and callable(v) or isinstance(v, property)}
    return names


def test_the_model_offers_everything_the_narrow_contexts_name():
    model = WalletAdoptionModel(small_scenario(200, 2, rivals="[{name: bank}]"))
    for protocol in (StepContext, RecordedRun):
        missing = [name for name in sorted(_members(protocol)) if not hasattr(model, name)]
        assert not missing, f"{protocol.__name__}: {missing}"
    outcome = run_step(model, model.plan).outcome(model)  # what settle and record receive
    missing = [name for name in sorted(_members(StepOutcome)) if not hasattr(outcome, name)]
    assert not missing, f"StepOutcome: {missing}"


def test_context_methods_apply_the_rules_by_hand():
    model = WalletAdoptionModel(small_scenario(300, 2, seed=2))
    who = np.array([0, 5, 7])
    use_now = np.array([0.2, 0.5, 1.0], dtype=np.float32)
    income = model.people.income[who].astype(float)
    expected = model.behaviour.tau * (0.5 + income) * use_now
    assert np.allclose(model.transactions(who, use_now), expected, rtol=1e-6)

    people, half_life = model.people, model.behaviour.trust_half_life
    people.trust[who], people.trust_deficit[who] = 0.5, 0.4
    model.speed_trust_recovery(who, half_life)  # the usual half-life: nothing extra
    assert np.allclose(people.trust_deficit[who], 0.4)
    model.speed_trust_recovery(who, 1.0)  # one week: with the usual share r still to come, half is kept
    usual = 1 - 2 ** (-1 / half_life)
    left = 0.4 * 0.5 / (1 - usual)
    assert np.allclose(people.trust_deficit[who], left) and np.allclose(people.trust[who], 0.5 + 0.4 - left)


def test_docs_model_md_names_the_components_in_the_plans_order():
    text = (ROOT / "docs" / "model.md").read_text()
    step = text[text.index("## One step") :]
    step = step[: step.index("\n## ", 1)]
    places = [step.index(f"`{name}`") for name in ORDER]
    assert places == sorted(places)
