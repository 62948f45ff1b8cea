"""Mesa's own tools on the model: batch_run varies a parameter by keyword and reads the
DataCollector, whose model reporters are the Recorder's current row."""

from __future__ import annotations

import mesa
import pytest
from conftest import BASELINE

from adoptsim.engine.model import REPORTED, WalletAdoptionModel


def test_batch_run_returns_a_row_per_value_and_more_media_reach_more_people():
    small = ("population.size=1500", "steps=12")
    values = [(*small, "behaviour.p_media=0.002"), (*small, "behaviour.p_media=0.05")]
    rows = mesa.batch_run(
        WalletAdoptionModel,
        parameters={
            "scenario": str(BASELINE),
            "overrides": values,
        },
        rng=[7],
        max_steps=100,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(rows) == 2
    low, high = sorted(rows, key=lambda row: row["overrides"][-1])
    assert low["Step"] == high["Step"] == 12  # every step of the scenario ran, the last row collected
    assert set(REPORTED) <= set(low)
    assert high["share_ever_adopted"] > low["share_ever_adopted"]


def test_the_datacollector_reads_the_recorder_every_step():
    model = WalletAdoptionModel(BASELINE, seed=4, overrides=["population.size=400", "steps=5"])
    model.run()
    collected = model.datacollector.get_model_vars_dataframe()
    table = model.recorder.table()
    assert len(collected) == 6  # row 0 (the start) and one per step
    for name in REPORTED:
        assert list(collected[name]) == pytest.approx(list(table[name]))


def test_a_bad_override_is_refused_with_its_path():
    with pytest.raises(Exception, match="behaviour.p_media"):
        WalletAdoptionModel(BASELINE, overrides=["behaviour.p_media=2"])
