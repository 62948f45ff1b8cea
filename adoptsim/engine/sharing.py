"""Which runs can share a model as blocks (engine/blocks.py): those whose scenarios differ only in
what each block reads at its own set-up or through its own model, or in the behaviour weights the
batched rules read per consumer. Callers ask `differences` before grouping runs."""

from __future__ import annotations

import math
from collections.abc import Sequence

from adoptsim.scenario.spec import Scenario

BATCHED = ("q_wom", "r_a", "b0", "b_use", "b_ease", "b_trust", "b_social", "b_habit", "b_comp")
"""Behaviour weights that may differ between blocks: the rules read them per consumer."""

FREE = ("name", "description", "seed", "steps", "population", "network", "market", "economics", "kpis", "budget")
"""Scenario fields each block may set its own way: read at set-up or by the block's own model
(its market growth, market context and recorder), never by the batched components."""

FREE_BEHAVIOUR = (*BATCHED, "p_media")
"""p_media differs freely: it enters through each block's media rates, built at its set-up."""

SAME_MERCHANTS = ("online_acceptance", "per_consumer")
"""Merchant fields the batched usefulness reads: the same in every block."""


def differences(scenarios: Sequence[Scenario]) -> list[str]:
    """What keeps `scenarios` from running as blocks of one model (empty: nothing), a line each."""
    problems = []
    first = scenarios[0]
    if first.interventions or first.rivals:
        problems.append("interventions and rivals are not run in blocks")
    dumps = [s.model_dump() for s in scenarios]
    for key, value in dumps[0].items():
        if key in FREE:
            continue
        for other in dumps[1:]:
            if key == "behaviour":
                problems += [
                    f"behaviour.{name} differs"
                    for name in value
                    if name not in FREE_BEHAVIOUR and other[key][name] != value[name]
                ]
            elif key == "merchants":
                problems += [f"merchants.{name} differs" for name in SAME_MERCHANTS if other[key][name] != value[name]]
            elif other[key] != value:
                problems.append(f"{key} differs")
    if len({s.market is None for s in scenarios}) > 1:
        problems.append("some have a market context and some not")
    if any(s.network.generator_name == "complete_graph" for s in scenarios):  # also its alias `complete`
        problems.append("a complete graph is not run in blocks")
    return sorted(set(problems))


MOST_IN_A_BLOCK = 32
"""Runs a worker steps at once as blocks of one model (as a calibration's posterior does)."""

BLOCK_CONSUMERS = 200_000
"""...and at most this many consumers among them: blocks pay off where a step is mostly its fixed
cost (a few thousand consumers); above that they only cost memory (a run of more than half of
this runs alone)."""


def can_be_a_block(scenario: Scenario) -> bool:
    """Whether runs of `scenario` may share a model with others (nothing keeps it, and it is small)."""
    return not differences([scenario]) and scenario.population.size <= BLOCK_CONSUMERS // 2


def block_size(size: int, runs: int, workers: int) -> int:
    """How many of `runs` runs of `size` consumers a worker takes at once: its share of them (so
    that every worker has some), at most MOST_IN_A_BLOCK runs and BLOCK_CONSUMERS consumers."""
    return max(1, min(MOST_IN_A_BLOCK, BLOCK_CONSUMERS // max(size, 1), math.ceil(runs / max(workers, 1))))
