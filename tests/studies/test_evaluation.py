"""The evaluation layer: parameter values -> scenario -> replications on common random numbers."""

from __future__ import annotations

import pytest
import yaml

from adoptsim.errors import ScenarioError
from adoptsim.scenario.loading import scenario_to_yaml
from adoptsim.studies.evaluation import evaluate, point_tasks, scenario_at
from adoptsim.studies.executors import SerialExecutor
from adoptsim.world.streams import replication_seed
from tests.conftest import small_scenario


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
