"""Runs as blocks of one model (adoptsim/engine/blocks.py): each block is its run alone, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASELINE, ROOT

from adoptsim.engine.blocks import Blocks, BlockStream
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.engine.sharing import differences
from adoptsim.scenario.loading import load_scenario


def _run_alone(scenario, seed: int) -> np.ndarray:
    model = WalletAdoptionModel(scenario, seed=seed, agents="lazy")
    model.run()
    return model.recorder


def _assert_blocks_are_runs_alone(scenarios, seeds, keep_at: int | None = None) -> None:
    blocks = Blocks.build(scenarios, seeds)
    models = list(blocks.models)
    while blocks.step_index < blocks.steps:
        if blocks.step_index == keep_at:
            blocks = blocks.keep([0, 2])  # block 1 leaves halfway; the others carry on
        blocks.step(record=range(len(blocks.models)))
    for b, (scenario, seed, model) in enumerate(zip(scenarios, seeds, models, strict=True)):
        alone = _run_alone(scenario, seed)
        rows = alone.rows if keep_at is None or b != 1 else keep_at + 1
        names = list(alone.columns)  # every column, the step's flows and payments included
        assert len(names) > 20 and {"new_aware", "new_adopters", "new_lapses", "transactions", "revenue"} <= set(names)
        for name in names:
            np.testing.assert_array_equal(model.recorder.columns[name][:rows], alone.columns[name][:rows], err_msg=name)


def test_each_block_is_its_run_alone_bit_for_bit_with_its_own_parameters_size_and_length():
    base = ("merchants.count=60", "population.market_growth=0.002")
    sets = [
        (*base, "population.size=1200", "steps=60", "behaviour.r_a=0.3", "behaviour.q_wom=0.04"),
        (*base, "population.size=900", "steps=60", "behaviour.b_habit=2.5", "behaviour.p_media=0.02"),
        (*base, "population.size=1100", "steps=45", "behaviour.q_wom=0.06", "network.params.k=6"),
    ]
    scenarios = [load_scenario(BASELINE, list(s)) for s in sets]
    _assert_blocks_are_runs_alone(scenarios, [11, 12, 13])


def test_blocks_that_leave_halfway_leave_the_others_as_they_were_alone():
    sets = [("population.size=800", "steps=40", f"behaviour.r_a={r_a}") for r_a in (0.1, 0.2, 0.4)]
    sets[1] += ("population.market_growth=0.01",)  # one market grows: each block draws its own growth
    scenarios = [load_scenario(BASELINE, list(s)) for s in sets]
    _assert_blocks_are_runs_alone(scenarios, [5, 6, 7], keep_at=17)


@pytest.mark.parametrize("market", ["uk", "china"])
def test_blocks_with_a_market_context_and_events_are_their_runs_alone(market: str):
    base = ("population.size=900", "merchants.count=45", "steps=300")  # past COVID-19's date
    sets = [
        (*base, "market.advantage_weight=2.0", "behaviour.q_wom=0.03"),
        (*base, "market.events[covid19].need=1.5", "behaviour.p_media=0.02"),
    ]
    scenarios = [load_scenario(ROOT / "markets" / f"{market}.yaml", list(s)) for s in sets]
    _assert_blocks_are_runs_alone(scenarios, [3, 4])


def test_a_block_stream_gives_each_block_its_own_numbers_in_pieces_of_any_size():
    sizes = [5, 0, 7, 3]
    own = [np.random.default_rng(seed) for seed in range(len(sizes))]
    expected = np.concatenate([rng.random(size) for _ in range(2) for rng, size in zip(own, sizes, strict=True)])
    stream = BlockStream([np.random.default_rng(seed) for seed in range(len(sizes))], sizes)
    pieces = [stream.random(out=np.empty(n)) for n in (4, 9, 2, 15)]  # two sweeps of 15
    np.testing.assert_array_equal(np.concatenate(pieces), expected)


def test_runs_that_cannot_share_a_model_are_named():
    base = load_scenario(BASELINE, ["population.size=500"])
    other = load_scenario(BASELINE, ["population.size=500", "behaviour.eta=0.2", "merchants.per_consumer=3"])
    assert differences([base, other]) == ["behaviour.eta differs", "merchants.per_consumer differs"]
    with pytest.raises(ValueError, match="behaviour.eta differs"):
        Blocks.build([base, other], [1, 2])
    market = load_scenario(ROOT / "markets" / "uk.yaml", ["population.size=500"])
    assert "some have a market context and some not" in differences([base, market])
