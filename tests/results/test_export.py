"""Agent and network export, and Mesa's DataCollector on the model."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from adoptsim.cli.main import main
from adoptsim.engine.agents import Consumer
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.results.export import Export, read_export
from adoptsim.studies.runner import run
from adoptsim.world.stages import Stage
from tests.conftest import BASELINE, small_scenario


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Two replications of a small baseline (1,500 consumers, 40 weeks), both tables exported."""
    folder = tmp_path_factory.mktemp("export")
    scenario = small_scenario(size=1500, steps=40)
    result = run(scenario, reps=2, observe=Export(folder, ("agents", "network")))
    return scenario, result, folder


def test_agents_table_has_one_row_per_consumer_per_replication(exported):
    scenario, _, folder = exported
    agents = read_export(folder, "agents")
    assert len(agents) == 2 * scenario.population.size
    for _, table in agents.groupby("replication"):
        assert list(table["consumer"]) == list(range(scenario.population.size))
    assert set(agents["age_group"]) == set(scenario.population.age_groups)
    assert set(agents["region"]) == set(scenario.population.regions)
    assert set(agents["stage"]) <= {s.name.lower() for s in Stage}


def test_first_adoption_and_lapse_steps_agree_with_the_time_series(exported):
    _, result, folder = exported
    agents = read_export(folder, "agents")
    for replication, table in agents.groupby("replication"):
        series = result.timeseries[result.timeseries["replication"] == replication].set_index("step")
        first = table["first_adoption_step"]
        assert (first.notna() == table["ever_adopted"]).all()
        assert ((table["stage"] != "active") | table["ever_adopted"]).all()
        ever_by_step = [int((first <= step).sum()) for step in series.index]
        assert ever_by_step == series["n_ever_adopted"].astype(int).tolist()
        assert table["lapses"].sum() == series["new_lapses"].sum() > 0
        assert (table["last_lapse_step"].notna() == (table["lapses"] > 0)).all()
        assert (table.loc[table["stage"] == "lapsed", "last_lapse_step"].notna()).all()
        lapsed_after_adopting = table.dropna(subset=["last_lapse_step"])
        assert (lapsed_after_adopting["last_lapse_step"] > lapsed_after_adopting["first_adoption_step"]).all()


def test_network_export_lists_each_tie_once_with_both_ends_segments(exported):
    _, _, folder = exported
    agents = read_export(folder, "agents")
    edges = read_export(folder, "network")
    for replication, ties in edges.groupby("replication"):
        people = agents[agents["replication"] == replication].set_index("consumer")
        assert len(ties) == people["degree"].sum() // 2
        assert (ties["source"] < ties["target"]).all()
        assert not ties.duplicated(["source", "target"]).any()
        for end in ("source", "target"):
            for segment in ("region", "age_group"):
                expected = people.loc[ties[end], segment].astype(str).to_numpy()
                assert (ties[f"{end}_{segment}"].astype(str).to_numpy() == expected).all()


def test_exporting_changes_no_result(exported):
    scenario, with_export, _ = exported
    without = run(scenario, reps=2)
    pd.testing.assert_frame_equal(with_export.kpis, without.kpis)


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_run_export_option_writes_parquet_per_replication(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["run", str(BASELINE), "--reps", "2", "--out", str(out), "--export", "agents"]
    assert main([*argv, "--set", "population.size=800", "--set", "steps=10"]) == 0
    assert sorted(p.name for p in (out / "agents").iterdir()) == ["replication-000.parquet", "replication-001.parquet"]
    assert not (out / "network").exists()
    assert "agents/replication-001.parquet" in capsys.readouterr().out
    assert main(["run", str(BASELINE), "--export", "graph"]) == 2
    assert "invalid choice: 'graph'" in capsys.readouterr().err


def test_complete_graph_too_large_to_export_is_refused_before_running(tmp_path, capsys):
    argv = ["run", str(BASELINE), "--out", str(tmp_path), "--export", "network"]
    overrides = ["--set", "population.size=20000", "--set", "network.generator=complete_graph"]
    overrides += ["--set", "network.params={}"]
    assert main([*argv, *overrides]) == 2
    assert "network.generator: --export network: a complete graph of 20,000 consumers" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.csv"))


def test_mesa_datacollector_collects_model_agent_and_agenttype_reporters():
    model = WalletAdoptionModel(small_scenario(size=300, steps=5))
    collector = mesa.DataCollector(
        model_reporters={"active_share": lambda m: float(np.mean(m.people.stage == Stage.ACTIVE))},
        agent_reporters={"region": "region", "stage": lambda a: getattr(a, "stage", None)},
        agenttype_reporters={Consumer: {"trust": "trust", "ever_adopted": "ever_adopted"}},
    )
    collector.collect(model)
    for _ in range(5):
        model.step()
        collector.collect(model)
    per_model = collector.get_model_vars_dataframe()
    assert len(per_model) == 6
    assert per_model["active_share"].iloc[-1] == model.recorder.table()["share_active"].iloc[-1]
    per_agent = collector.get_agent_vars_dataframe()
    assert len(per_agent) == 6 * len(model.agents)
    last = per_agent.xs(per_agent.index.get_level_values(0).max(), level=0)
    consumers = last.dropna(subset=["stage"])
    assert len(consumers) == model.people.size
    assert sorted(consumers["stage"].astype(int)) == sorted(model.people.stage.tolist())
    per_consumer = collector.get_agenttype_vars_dataframe(Consumer)
    assert len(per_consumer) == 6 * model.people.size
    assert per_consumer["trust"].iloc[-model.people.size :].to_numpy() == pytest.approx(model.people.trust)
