"""Every ready scenario runs; replications do not depend on the executor."""

from __future__ import annotations

import pytest

from adoptsim.executors import make_executor
from adoptsim.loading import load_scenario
from adoptsim.runner import run
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "benchmarks").glob("all_*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_ready_scenario_runs(path):
    scenario = load_scenario(path, ["population.size=600", "steps=40"])
    assert scenario.description.strip(), "every scenario says what it represents"
    result = run(scenario, reps=1)
    assert len(result.timeseries) == 41
    assert 0.0 <= result.kpis.loc[0, "final_active_share"] <= 1.0


def test_replications_are_the_same_on_a_process_pool():
    scenario = load_scenario(ROOT / "scenarios" / "alipay_merchant_push.yaml", ["population.size=1500", "steps=30"])
    serial = run(scenario, reps=3)
    executor = make_executor(workers=2)
    try:
        parallel = run(scenario, reps=3, executor=executor)
    finally:
        executor.shutdown()
    assert serial.timeseries.equals(parallel.timeseries)
    assert serial.kpis.equals(parallel.kpis)
