"""Many runs as blocks of one model: K scenarios that differ only in parameter values, each with
its own seed, stepped together, so that the Python cost of a step is paid once for K runs.

Why: at calibration size (a few thousand consumers) a step is mostly its fixed cost (a few
hundred numpy calls), so one step over K x 3,000 consumers costs far less than K steps over
3,000 (`python -m benchmarks.batch_bound`: 5.6x at K = 60). A calibration's particles
(studies/calibration/abc_model.py), its search trials and draws, a sweep's runs and a scenario's
replications are such runs (studies/evaluation.py, studies/runner.py; engine/sharing.py says
which runs may share a model).

Exact: block b's numbers are those of `WalletAdoptionModel(scenario_b, seed_b)` run alone, bit
for bit, in every recorded column, the step's flows and payments included (tests/engine/test_blocks.py):
- set-up: each block is built as a model of its own (its streams, population, graph, merchants,
  market context and recorder); its consumers' and merchants' arrays then become views into the
  batch's concatenated arrays, so whatever steps the block alone (market growth, its market
  context, its recorder) moves the batch;
- draws: the batch's `consumers` and `merchants-step` streams hand each block its stretch of a
  draw from its own stream (PCG64 gives the same numbers in pieces as in one call);
- ties and shopping visits stay within a block (block-diagonal graph and shopping table);
- parameters that may differ between blocks (BATCHED) are per-consumer arrays the rules read
  through `behaviour_of(who)`; the thinning bounds take their largest value, which keeps the
  decisions exact (thinning.py);
- every other input must be the same in all blocks (`differences` names what is not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from typing import Any

import numpy as np

from adoptsim.engine.components.consumers import decisions, snapshot, usefulness
from adoptsim.engine.components.market import market_context, market_growth
from adoptsim.engine.components.merchants import merchant_uptake
from adoptsim.engine.components.state import StepState
from adoptsim.engine.components.trust import social_proof_of_trust
from adoptsim.engine.components.use import paid_by, payments_of, use
from adoptsim.engine.levers import Levers
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.engine.outcome import StepOutcome
from adoptsim.engine.rivals.market import RivalMarket
from adoptsim.engine.sharing import BATCHED, FREE_BEHAVIOUR, differences
from adoptsim.engine.thinning import draw_below, draw_buffer
from adoptsim.engine.usefulness import Usefulness
from adoptsim.errors import ModelBuildError
from adoptsim.scenario.spec import Scenario
from adoptsim.world.chunks import CHUNK, pick, slices
from adoptsim.world.merchants import ShoppingGraph, Shops
from adoptsim.world.network import NeighbourCounter, SocialGraph
from adoptsim.world.population import FLOAT, People
from adoptsim.world.stages import ACTIVE


class BlockStream:
    """A stream of the batch: a draw over every block's consumers (or merchants) in order takes
    each block's stretch from that block's own stream, so each block gets the numbers it would
    draw alone. Draws must walk the whole batch in order (as every step's draws do)."""

    def __init__(self, streams: Sequence[np.random.Generator], sizes: Sequence[int]) -> None:
        self.streams, self.sizes = list(streams), [int(size) for size in sizes]
        self.block = self.offset = 0  # where the next number goes: block, and position in it

    def random(self, size: int | None = None, out: np.ndarray | None = None) -> np.ndarray:
        """`size` uniforms (or as many as `out` holds), each from its block's stream."""
        if out is None:
            out = np.empty(int(size or 0))
        done, block, offset, sizes = 0, self.block, self.offset, self.sizes
        while done < out.size:
            take = min(sizes[block] - offset, out.size - done)
            self.streams[block].random(out=out[done : done + take])
            done += take
            offset += take
            if offset == sizes[block]:
                block, offset = (block + 1) % len(sizes), 0
        self.block, self.offset = block, offset
        return out


class _BlockStreams:
    """The batch's streams by name: only those the batched components draw from."""

    def __init__(self, streams: dict[str, BlockStream]) -> None:
        self._streams = streams

    def __getitem__(self, name: str) -> BlockStream:
        if name not in self._streams:
            raise KeyError(f"stream '{name}' is drawn by each block's own model, not by the batch")
        return self._streams[name]


class _PerConsumer:
    """A behaviour whose BATCHED weights are given per consumer (for the consumers `who`)."""

    def __init__(self, base: Any, arrays: dict[str, np.ndarray], who: np.ndarray | slice) -> None:
        self._base, self._arrays, self._who = base, arrays, who

    def __getattr__(self, name: str) -> Any:
        array = self._arrays.get(name)
        return getattr(self._base, name) if array is None else pick(array, self._who)


class _Shift:
    """The market term of adoption utility, one array over all blocks (each block's context writes its own view)."""

    def __init__(self, shift: np.ndarray) -> None:
        self.shift = shift


def _concatenate_views(parts: Sequence[Any], names: Iterable[str], make: type) -> Any:
    """One structure of arrays holding every part's arrays end to end; each part's arrays become
    views into it."""
    whole = {}
    for name in names:
        arrays = [getattr(part, name) for part in parts]
        whole[name] = np.concatenate(arrays)
        start = 0
        for part, array in zip(parts, arrays, strict=True):
            setattr(part, name, whole[name][start : start + array.size])
            start += array.size
    return make(**whole)


class Blocks:
    """K runs as blocks of one model (module docstring); `models[b]` is block b's own model,
    whose arrays are views into this one's."""

    plan = (snapshot, usefulness, decisions, use, social_proof_of_trust, merchant_uptake)
    """The batched components; market growth, the market context and recording run per block."""

    def __init__(self, models: Sequence[WalletAdoptionModel], step_index: int = 0) -> None:
        """Blocks of models already set up (by `build`) and run to `step_index` (by `keep`)."""
        self.models = list(models)
        first = self.models[0]
        self.spec, self.steps = first.spec, max(m.spec.steps for m in self.models)
        sizes = [m.people.size for m in self.models]
        self.starts = starts = np.cumsum([0, *sizes])
        self.block_of = block_of = np.repeat(np.arange(len(sizes)), sizes)
        self.people = _concatenate_views([m.people for m in self.models], (f.name for f in fields(People)), People)
        shop_sizes = [m.shops.size for m in self.models]
        self.shops = _concatenate_views([m.shops for m in self.models], (f.name for f in fields(Shops)), Shops)
        self.graph = _block_graph([m.graph for m in self.models])
        self.count_active_neighbours = NeighbourCounter(self.graph)
        self.shopping = _block_shopping([m.shopping for m in self.models], shop_sizes)
        self._usefulness = Usefulness(self.shopping, self.people.online, first.spec.merchants.online_acceptance)
        regions = len(first.region_labels)
        self.media_by_region = np.concatenate([m.media_by_region for m in self.models])
        self.media_group = (block_of * regions + self.people.region).astype(np.int32)
        self.behaviour = first.behaviour.model_copy(
            update={name: max(getattr(m.behaviour, name) for m in self.models) for name in FREE_BEHAVIOUR}
        )  # the largest of each: what the thinning bounds read
        self._per_consumer = {
            name: np.repeat([getattr(m.behaviour, name) for m in self.models], sizes)
            for name in BATCHED
            if len({getattr(m.behaviour, name) for m in self.models}) > 1
        }
        self.ease = first.ease
        self.levers = Levers(self.people.size)
        self.rivals = RivalMarket(self)
        self.income_band = np.concatenate([m.income_band for m in self.models])
        self.band_value = first.band_value
        self.market = None
        if first.market is not None:
            self.market = _Shift(np.concatenate([m.market.shift for m in self.models]))
            for m, start, stop in zip(self.models, starts[:-1], starts[1:], strict=True):
                m.market.shift = self.market.shift[start:stop]
        growth = [m.spec.population.market_growth for m in self.models]
        self.growth = np.repeat(growth, sizes) if min(growth) > 0 else None  # else each block's own
        self.streams = _BlockStreams(
            {
                "consumers": BlockStream([m.streams["consumers"] for m in self.models], sizes),
                "market": BlockStream([m.streams["market"] for m in self.models], sizes),
                "merchants-step": BlockStream([m.streams["merchants-step"] for m in self.models], shop_sizes),
            }
        )
        self.draw_buffer = draw_buffer()
        self.work = np.empty((2, CHUNK), dtype=FLOAT)
        self.step_index = step_index

    @classmethod
    def build(cls, scenarios: Sequence[Scenario], seeds: Sequence[int]) -> Blocks:
        """Block b is `WalletAdoptionModel(scenarios[b], seeds[b])`, set up on its own."""
        problems = differences(scenarios)
        if problems:
            raise ValueError("these runs cannot share a model: " + "; ".join(problems))
        models = []
        for scenario, seed in zip(scenarios, seeds, strict=True):
            try:
                models.append(WalletAdoptionModel(scenario, seed=int(seed), agents="lazy"))
            except ModelBuildError as err:
                err.scenario = scenario.name
                raise
        return cls(models)

    def keep(self, which: Sequence[int]) -> Blocks:
        """The blocks `which` (positions) alone, carrying on from this step: their arrays are
        gathered anew, and what is kept from step to step (neighbour counts, usefulness, merchants'
        active customers) is counted again from the state, the same numbers (their counts are exact)."""
        return Blocks([self.models[b] for b in which], self.step_index)

    def behaviour_of(self, who: np.ndarray | slice) -> Any:
        """Each consumer's block's behaviour, for the consumers `who` (BATCHED weights per consumer)."""
        return _PerConsumer(self.behaviour, self._per_consumer, who) if self._per_consumer else self.behaviour

    def usefulness(self) -> np.ndarray:
        """u_i from merchant and online acceptance, as the model's."""
        return self._usefulness(self.shops.accepts)

    make_active = WalletAdoptionModel.make_active

    def step(self, record: Sequence[int] = ()) -> None:
        """One step of every block still running; blocks `record` write their recorder's row."""
        k = self.step_index
        step = StepState()
        regions = self.models[0].media_by_region.size
        if self.growth is not None:  # every block's market grows: one draw over all of them
            draw_below(self.streams["market"], self.people.size, self.growth, self.people.in_market, self.draw_buffer)
        if self.growth is None or self.market is not None:  # what each block's own model does
            for b, model in enumerate(self.models):
                model.step_index = k
                if self.growth is None:
                    market_growth(model, step)
                if self.market is not None:
                    market_context(model, step)
                    self.media_by_region[b * regions : (b + 1) * regions] = model.media_by_region
        for component in self.plan:
            component(self, step)
        self.step_index = k + 1
        record = [b for b in record if k < self.models[b].spec.steps]
        if record:
            aware = np.bincount(self.block_of[step.aware], minlength=len(self.models))
            lapsing = np.bincount(self.block_of[step.lapsing], minlength=len(self.models))
        for b in record:
            model, start, stop = self.models[b], self.starts[b], self.starts[b + 1]
            outcome = StepOutcome(
                int(aware[b]), step.new_adopters[start:stop], int(lapsing[b]), *self._paid(b, step.use[start:stop])
            )
            model.recorder.record(model, k + 1, outcome)

    def _paid(self, b: int, use_now: np.ndarray) -> tuple[float, float, Callable[[slice], np.ndarray]]:
        """Block b's payments this step, their value and its consumers' payments a slice at a time,
        summed as its model alone sums them (the same slices of its own consumers: the same numbers)."""
        model = self.models[b]
        tau = FLOAT(model.behaviour.tau)
        payments = volume = 0.0
        for part in slices(model.people.size):
            who = (model.people.stage[part] == ACTIVE).nonzero()[0]
            if part.start:
                who += part.start
            paid, value = paid_by(model, tau, use_now, who)
            payments += paid
            volume += value
        return payments, volume, payments_of(model, tau, use_now)


def _block_graph(graphs: Sequence[SocialGraph]) -> SocialGraph:
    """The graphs side by side: block b's consumer i is consumer start_b + i, its ties likewise."""
    nodes = np.cumsum([0, *(g.n for g in graphs)])
    ties = np.cumsum([0, *(g.indices.size for g in graphs)])
    indptr = np.concatenate([[0], *(g.indptr[1:] + t for g, t in zip(graphs, ties, strict=False))])
    indices = np.concatenate([g.indices + s for g, s in zip(graphs, nodes, strict=False)])
    return SocialGraph(int(nodes[-1]), indptr.astype(graphs[0].indptr.dtype), indices.astype(graphs[0].indices.dtype))


def _block_shopping(shopping: Sequence[ShoppingGraph], sizes: Sequence[int]) -> ShoppingGraph:
    """The shopping tables side by side, each block's merchants numbered after the blocks before
    it; a visit to no merchant (a block's own count) goes to the batch's count."""
    total = int(sum(sizes))
    dtype = np.uint16 if total < 2**16 - 1 else np.int32
    tables = []
    for graph, start, size in zip(shopping, np.cumsum([0, *sizes]), sizes, strict=False):
        table = graph.table.astype(np.int64) + start
        table[graph.table == size] = total
        tables.append(table.astype(dtype))
    return ShoppingGraph(np.concatenate(tables, axis=1), total)
