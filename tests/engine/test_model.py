"""The model: conservation, reproducibility, directions of effects, agent views."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.studies.runner import run
from adoptsim.world.stages import Stage
from tests.conftest import ROOT, small_scenario


def final_ever_adopted(scenario, reps: int = 3) -> float:
    return float(run(scenario, reps=reps).kpis["final_ever_adopted_share"].mean())


def test_every_consumer_is_in_exactly_one_stage_every_step():
    scenario = small_scenario(interventions="[{type: breach, start: 20}, {type: seeding, count: 50}]")
    model = WalletAdoptionModel(scenario)
    n = scenario.population.size
    for _ in range(scenario.steps):
        model.step()
        stage = model.people.stage
        assert stage.min() >= 0 and stage.max() <= 3
        assert np.bincount(stage, minlength=4).sum() == n
        ever = model.people.ever_adopted
        assert ever[stage == Stage.ACTIVE].all() and ever[stage == Stage.LAPSED].all()
    series = model.recorder.table()
    counts = series[["n_unaware", "n_aware", "n_active", "n_lapsed"]].sum(axis=1)
    assert (counts == n).all()


def test_same_seed_same_numbers_different_seed_different_numbers():
    scenario = small_scenario(steps=40)
    a = run(scenario, reps=2, seed=7).timeseries
    b = run(scenario, reps=2, seed=7).timeseries
    c = run(scenario, reps=2, seed=8).timeseries
    assert a.equals(b)
    assert not a["n_active"].equals(c["n_active"])


def test_replications_differ_from_each_other():
    series = run(small_scenario(steps=40), reps=2).timeseries
    first, second = (part["n_active"].to_numpy() for _, part in series.groupby("replication"))
    assert not np.array_equal(first, second)


def test_higher_trust_gives_more_adoption():
    base = small_scenario()
    trusting = small_scenario(
        **{"population.regions.urban.trait_shift.trust": 0.25, "population.regions.rural.trait_shift.trust": 0.20}
    )
    assert final_ever_adopted(trusting) > final_ever_adopted(base) + 0.02


def test_more_merchant_acceptance_gives_more_adoption():
    assert (
        final_ever_adopted(small_scenario(merchants__initial_acceptance=0.7))
        > final_ever_adopted(small_scenario()) + 0.02
    )


def test_stronger_cash_habit_gives_less_adoption():
    habitual = small_scenario(
        **{"population.regions.urban.trait_shift.habit": 0.25, "population.regions.rural.trait_shift.habit": 0.3}
    )
    assert final_ever_adopted(habitual) < final_ever_adopted(small_scenario()) - 0.02


def test_older_and_rural_lag_in_the_baseline():
    final = run(small_scenario(size=4000, steps=104), reps=2).timeseries.query("step == 104").mean(numeric_only=True)
    assert final["share_active_age_18-29"] > final["share_active_age_60+"] + 0.2
    assert final["share_active_region_urban"] > final["share_active_region_rural"] + 0.1


def test_agent_views_read_and_write_the_arrays():
    model = WalletAdoptionModel(small_scenario(size=300, steps=5))
    model.run()
    consumers = model.agents_by_type[type(model.consumer(0))]
    assert len(consumers) == 300
    for agent in list(consumers)[:50]:
        i = agent.index
        assert agent.trust == model.people.trust[i]
        assert agent.stage == Stage(model.people.stage[i])
        assert agent.age_group == model.age_group_labels[model.people.age_group[i]]
        assert agent.region == model.region_labels[model.people.region[i]]
    agent = model.consumer(3)
    agent.trust = 0.123
    assert model.people.trust[3] == pytest.approx(0.123)
    assert {n.index for n in agent.neighbours} == set(model.graph_neighbours(3).tolist())


def test_agents_are_created_lazily_for_large_populations():
    import mesa

    model = WalletAdoptionModel(small_scenario(size=500, steps=2), agents="lazy")
    assert len(mesa.Model.agents.fget(model)) == 0  # Mesa's own registry: no agent views yet
    assert len(model.agents) == 500 + model.shops.size
    assert len(mesa.Model.agents.fget(model)) == 500 + model.shops.size


def test_the_model_names_nothing_mesa_uses_for_something_else():
    import mesa

    mesa_names = set(dir(mesa.Model(rng=0)))
    own = {name for name in vars(WalletAdoptionModel) if not name.startswith("__")}
    model = WalletAdoptionModel(small_scenario(size=100, steps=2))
    own |= set(vars(model)) - set(vars(mesa.Model(rng=0)))
    # Deliberate overrides with Mesa's meaning: the step, `running`, and the (lazily built) agent sets.
    assert own & mesa_names <= {"step", "running", "agents", "agents_by_type", "observables"}
    assert model.spec.name and "scenario" not in own


def test_model_time_counts_steps():
    model = WalletAdoptionModel(small_scenario(size=200, steps=7))
    model.run()
    assert model.time == 7
    assert len(model.recorder.table()) == 8


def test_the_model_stops_after_its_last_step_with_a_clear_error():
    model = WalletAdoptionModel(small_scenario(size=300, steps=3))
    model.step()
    assert model.running and len(model.recorder.table()) == 2  # only the steps run
    model.run_for(2)
    assert not model.running
    assert len(model.recorder.table()) == 4
    with pytest.raises(RuntimeError, match="has 3 steps and all have run"):
        model.step()


def test_run_accepts_a_scenario_file(tmp_path):
    import adoptsim

    result = adoptsim.run(ROOT / "scenarios" / "bass_limit.yaml")
    assert len(result.timeseries) == 151
    assert adoptsim.__version__


def test_rules_run_part_by_part_give_the_numbers_of_whole_arrays(monkeypatch):
    """Slicing consumers into parts (dynamics.CHUNK) and gathering merchants in chunks
    (merchants.GATHER_CHUNK) is a way of computing, not a change of the model: the same numbers,
    but for the rounding of money summed slice by slice."""
    from adoptsim.engine import rules as dynamics
    from adoptsim.scenario.loading import load_scenario
    from adoptsim.world import merchants

    scenario = load_scenario(ROOT / "benchmarks" / "all_interventions.yaml", ["population.size=3000", "steps=40"])

    def table():
        model = WalletAdoptionModel(scenario, seed=4, agents="lazy")
        model.run_for(40)
        return model.recorder.table()

    whole = table()
    monkeypatch.setattr(dynamics, "CHUNK", 700)  # five parts, the last one short
    monkeypatch.setattr(merchants, "GATHER_CHUNK", 1000)
    parts = table()
    assert whole["share_active"].iloc[-1] > 0.05
    money = ["transactions", "payment_volume", "revenue", "margin", "spend_merchants", "spend_total"]
    assert whole.drop(columns=money).equals(parts.drop(columns=money))
    for column in money:
        np.testing.assert_allclose(parts[column], whole[column], rtol=1e-6)
        assert whole[column].abs().max() > 0  # sums of slices: rounding apart


def test_a_runs_first_steps_do_not_depend_on_how_many_follow():
    """Calibration runs stop at the last observation the objective reads (objective.Problem,
    `scored_only`), which is exact only if nothing in the first k steps looks at the horizon:
    budgets, triggers, schedules and the market context included."""
    from adoptsim.scenario.loading import load_scenario

    scenario = load_scenario(ROOT / "benchmarks" / "all_interventions.yaml", ["population.size=2000", "steps=60"])
    long, short = (run(scenario.model_copy(update={"steps": steps}), 1, seed=6).timeseries for steps in (60, 30))
    assert short["step"].max() == 30
    np.testing.assert_array_equal(long[long["step"] <= 30].to_numpy(), short.to_numpy())
