"""Named random streams and replication seeds: the basis of common random numbers."""

from __future__ import annotations

import numpy as np

from adoptsim.world.streams import RandomStreams, replication_seed, seed_of, stream
from tests.conftest import small_scenario


def test_a_stream_is_fixed_by_its_seed_and_name_alone():
    first = RandomStreams(7)
    first["adoption"].random(5)
    lone = stream(7, "awareness").random(100)
    assert np.array_equal(first["awareness"].random(100), lone)  # another stream's draws change nothing
    assert not np.array_equal(stream(8, "awareness").random(100), lone)
    assert not np.array_equal(stream(7, "awareness-2").random(100), lone)


def test_replication_seeds_are_distinct_and_repeatable():
    seeds = [replication_seed(3, r) for r in range(1000)]
    assert len(set(seeds)) == 1000
    assert seeds == [replication_seed(3, r) for r in range(1000)]
    assert replication_seed(4, 0) != seeds[0]


def test_the_seed_given_wins_over_the_scenario_seed():
    scenario = small_scenario(size=100, steps=2, seed=11)
    assert (seed_of(scenario), seed_of(scenario, 5), seed_of(scenario, 0)) == (11, 5, 0)
