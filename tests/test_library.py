"""Every ready scenario runs; replications do not depend on the executor."""

from __future__ import annotations

import pandas as pd
import pytest

from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.executors import make_executor
from adoptsim.studies.runner import run
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "benchmarks").glob("all_*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_ready_scenario_runs(path):
    scenario = load_scenario(path, ["population.size=600", "steps=40"])
    assert scenario.description.strip(), "every scenario says what it represents"
    result = run(scenario, reps=1)
    series = result.timeseries
    assert len(series) == 41
    assert (series[["n_unaware", "n_aware", "n_active", "n_lapsed"]].sum(axis=1) == 600).all()
    assert series["n_ever_adopted"].is_monotonic_increasing and series["n_ever_adopted"].iloc[-1] > 0
    assert (series["n_ever_adopted"] >= series["n_active"]).all()
    assert result.kpis.loc[0, "final_active_share"] == series["n_active"].iloc[-1] / 600
    spend = [c for c in series if c.startswith("spend_") and c != "spend_total"]
    assert series["spend_total"].to_numpy() == pytest.approx(series[spend].sum(axis=1).to_numpy())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["alipay_merchant_push", "baseline"])  # one by one; as blocks of 2 a worker
def test_replications_are_the_same_on_a_process_pool(name):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", ["population.size=1500", "steps=30"])
    serial = run(scenario, reps=3)
    executor = make_executor(workers=2)
    try:
        parallel = run(scenario, reps=3, executor=executor)
    finally:
        executor.shutdown()
    assert serial.timeseries.equals(parallel.timeseries)
    assert serial.kpis.equals(parallel.kpis)


def test_replications_that_can_share_a_model_run_as_blocks_with_the_numbers_they_have_alone(monkeypatch):
    """A scenario with no interventions runs its replications as blocks of one model
    (engine/blocks.py), each replication's series and KPIs those it has alone."""
    from adoptsim.studies import runner

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", ["population.size=800", "steps=30"])
    calls: list[int] = []
    real = runner.simulate_blocks
    monkeypatch.setattr(runner, "simulate_blocks", lambda runs, *rest: calls.append(len(runs)) or real(runs, *rest))
    together = run(scenario, reps=4)
    assert calls == [4]
    monkeypatch.setattr(runner, "can_be_a_block", lambda scenario: False)
    alone = run(scenario, reps=4)
    assert calls == [4]  # one by one this time
    pd.testing.assert_frame_equal(together.timeseries, alone.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(together.kpis, alone.kpis, check_exact=True)
