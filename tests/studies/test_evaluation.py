"""The evaluation layer: parameter values -> scenario -> replications on common random numbers."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from adoptsim.errors import ScenarioError
from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
from adoptsim.studies import evaluation
from adoptsim.studies.evaluation import block_groups, evaluate, point_tasks, scenario_at
from adoptsim.studies.executors import SerialExecutor
from adoptsim.world.streams import replication_seed
from tests.conftest import ROOT, small_scenario


def test_every_point_uses_the_same_replication_seeds():
    tasks = point_tasks([0, 1, 2], 3, seed=11)
    assert [t.seed for t in tasks if t.point == 0] == [t.seed for t in tasks if t.point == 2]
    assert [t.seed for t in tasks if t.point == 1] == [replication_seed(11, r) for r in range(3)]
    assert sorted(t.task for t in tasks) == list(range(9))


def test_values_by_path_reach_the_scenario_and_bad_values_name_the_point():
    base = yaml.safe_load(scenario_to_yaml(small_scenario(size=300, steps=5)))
    scenario = scenario_at(
        base, {"behaviour.q_wom": 0.05, "population.age_groups.60+.market_potential": 0.3}, "f", "p", "x"
    )
    assert scenario.behaviour.q_wom == 0.05 and scenario.population.age_groups["60+"].market_potential == 0.3
    with pytest.raises(
        ScenarioError, match=r"^f: p: behaviour.q_wom: must be between 0 and 1 .*at trial 4 \(behaviour.q_wom=2\)"
    ):
        scenario_at(base, {"behaviour.q_wom": 2}, "f", "p", "trial 4")


def test_evaluation_is_the_same_on_any_executor_and_points_share_random_numbers():
    same = small_scenario(size=300, steps=20)
    serial = evaluate([same, same], 2, seed=5)
    executor = evaluate([same, same], 2, seed=5, executor=SerialExecutor())
    assert serial.series.equals(executor.series)
    first, second = (part.drop(columns=["task", "point"]) for _, part in serial.series.groupby("point"))
    assert first.reset_index(drop=True).equals(second.reset_index(drop=True))
    assert set(serial.kpis["seed"]) == {replication_seed(5, 0), replication_seed(5, 1)}


@pytest.mark.slow
def test_runs_that_can_share_a_model_run_as_blocks_with_the_numbers_they_have_alone(monkeypatch):
    """evaluate() sends runs that differ only in what blocks may differ in (parameter values, size,
    length, market context) to a worker as blocks of one model (engine/blocks.py); every KPI and
    every series, flows and payments included, is what the run alone gives."""
    uk = ROOT / "markets" / "uk.yaml"
    scenarios = [
        small_scenario(size=400, steps=30, behaviour__q_wom=0.01),
        small_scenario(size=600, steps=45, behaviour__r_a=0.3, population__market_growth=0.002),
        load_scenario(ROOT / "scenarios" / "referral.yaml", ["population.size=300", "steps=20"]),
        load_scenario(uk, ["population.size=500", "steps=60", "behaviour.p_media=0.01"]),
        load_scenario(uk, ["population.size=500", "steps=60", "market.advantage_weight=3"]),
    ]
    tasks = point_tasks(range(len(scenarios)), 3, seed=9)
    groups = block_groups(scenarios, tasks, workers=2)
    assert sorted(len(g) for g in groups) == [1, 1, 1, 3, 3, 3, 3]  # the referral alone; two kinds in halves
    assert all({t.point for t in g} <= {0, 1} or {t.point for t in g} <= {3, 4} for g in groups if len(g) > 1)

    blocked = []
    real = evaluation.simulate_blocks
    monkeypatch.setattr(evaluation, "simulate_blocks", lambda s, seeds: blocked.append(len(s)) or real(s, seeds))
    together = evaluate(scenarios, 3, seed=9, executor=SerialExecutor())
    assert sorted(blocked) == [6, 6]  # one worker: each kind at once
    monkeypatch.setattr(evaluation, "block_groups", lambda scenarios, tasks, workers: [[t] for t in tasks])
    alone = evaluate(scenarios, 3, seed=9)
    assert len(blocked) == 2  # one by one this time
    pd.testing.assert_frame_equal(together.kpis, alone.kpis, check_exact=True)
    pd.testing.assert_frame_equal(together.series, alone.series, check_exact=True)
    assert together.series["new_adopters"].sum() > 0 and together.kpis["total_transactions"].gt(0).all()


def test_what_cannot_share_a_model_is_never_grouped_whatever_its_spelling_or_place():
    """A complete graph by its alias, or a large run after a small one, runs alone; a plain
    ProcessPoolExecutor is sized by its workers."""
    from concurrent.futures import ProcessPoolExecutor

    from adoptsim.engine.sharing import can_be_a_block
    from adoptsim.studies.evaluation import consecutive_groups
    from adoptsim.studies.executors import capacity

    alias = load_scenario(ROOT / "scenarios" / "bass_limit.yaml", ["population.size=300", "network.generator=complete"])
    assert not can_be_a_block(alias)
    small = small_scenario(size=10_000, steps=5)
    large = small_scenario(size=150_000, steps=5)
    tasks = point_tasks([0, 1], 1, seed=3)
    groups = [len(g) for _, g in consecutive_groups(tasks, lambda p: [small, large][p], most=8)]
    assert groups == [1, 1]
    pool = ProcessPoolExecutor(max_workers=3)
    try:
        assert capacity(pool) == 3
    finally:
        pool.shutdown()
