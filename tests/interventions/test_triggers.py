"""Interventions that start and stop on conditions."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.errors import ScenarioError
from adoptsim.studies.runner import run
from tests.conftest import small_scenario


def ran(interventions: str, steps: int = 60):
    model = WalletAdoptionModel(small_scenario(size=2000, steps=steps, interventions=interventions))
    model.run_for(steps)
    return model


def test_a_campaign_starts_the_week_active_share_crosses_its_level():
    plain = ran("[]")
    share = plain.recorder.table()["share_active"].to_numpy()
    crossing = int(np.flatnonzero(share >= 0.02)[0])  # row k is the state after k steps = start of step k
    model = ran("[{type: loyalty_program, name: points, start_when: {active_share_above: 0.02}, duration: 10}]")
    state = model.intervention_runs["points"]
    assert state.started_at == crossing
    spend = model.recorder.table()["spend_points"].to_numpy()
    assert spend[: crossing + 1].sum() == 0 and spend[crossing + 1] > 0  # row k+1 records step k
    assert np.count_nonzero(spend) <= 10
    assert state.fired_at == crossing


def test_after_a_breach_with_delay_and_stop_when_a_budget_runs_out():
    spec = (
        "[{type: breach, name: leak, start: 20, drop: 0.2},"
        " {type: security_campaign, name: answer, reach: 0.1, cost_per_contact: 1, budget: 600,"
        "  start_when: {after: leak, delay: 2}},"
        " {type: customer_support, name: support, factor: 0.5, start_when: {after: leak},"
        "  stop_when: {budget_spent: answer}}]"
    )
    model = ran(spec)
    runs = model.intervention_runs
    assert runs["leak"].started_at == 20
    assert runs["answer"].started_at == 22
    assert runs["answer"].exhausted
    assert runs["support"].started_at == 20  # listed after the breach: sees it start the same step
    assert runs["support"].stopped_at is not None and runs["support"].stopped_at > 22


def test_fired_weeks_are_in_the_kpis_and_never_is_nan():
    scenario = small_scenario(
        size=1000,
        steps=30,
        interventions="[{type: signup_bonus, name: late, start_when: {active_share_above: 0.99}},"
        " {type: signup_bonus, name: soon, start_when: {merchant_acceptance_above: 0.1}}]",
    )
    kpis = run(scenario, reps=1).kpis
    assert np.isnan(kpis.loc[0, "start_step_late"])
    assert kpis.loc[0, "start_step_soon"] == 0


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("{type: seeding, start_when: {}}", "start_when: give exactly one of"),
        ("{type: seeding, start_when: {after: nobody}}", "start_when: no other intervention named 'nobody'"),
        (
            "{type: seeding, start_when: {active_share_above: 0.1, after: x}}",
            "give exactly one of active_share_above, merchant_acceptance_above, after, budget_spent (got",
        ),
        (
            "{type: seeding, start_when: {active_share_above: 0.1, segment: {regions: [moon]}}}",
            "start_when.segment.regions: unknown label 'moon'",
        ),
    ],
)
def test_bad_triggers_are_one_line(spec, expected):
    with pytest.raises(ScenarioError) as caught:
        small_scenario(interventions=f"[{spec}]")
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
