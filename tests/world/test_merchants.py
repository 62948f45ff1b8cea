"""Merchants and the shopping graph: spread over regions, who shops where, both shares of the network effect."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.errors import ScenarioError
from adoptsim.world.merchants import Merchants, build_merchants
from tests.conftest import small_scenario


def build(count: int = 300, per_consumer: int = 4, n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    region = rng.choice(2, size=n, p=[0.7, 0.3]).astype(np.int8)
    spec = Merchants(count=count, per_consumer=per_consumer, initial_acceptance=0.2)
    return region, *build_merchants(spec, region, 2, rng)


def visits(graph, merchants: int) -> np.ndarray:
    """Dense consumer x merchant counts of visits, from the graph's table of each consumer's merchants."""
    n = graph.table.shape[1]
    dense = np.zeros((n, merchants + 1))
    for column in graph.table:
        np.add.at(dense, (np.arange(n), column), 1)
    return dense[:, :merchants]


def test_merchants_follow_consumers_and_consumers_shop_in_their_region():
    region, shops, graph = build()
    share = np.bincount(shops.region, minlength=2) / shops.size
    assert share == pytest.approx(np.bincount(region, minlength=2) / region.size, abs=1 / shops.size)
    rows, cols = visits(graph, shops.size).nonzero()
    assert np.all(shops.region[cols] == region[rows])
    assert np.array_equal(visits(graph, shops.size).sum(axis=1), np.full(region.size, 4.0))
    assert shops.customers.sum() == 4 * region.size
    assert shops.accepts.mean() == pytest.approx(0.2, abs=0.06)


def test_consumer_and_customer_shares_are_means_over_the_graph():
    region, shops, graph = build()
    flags = shops.accepts
    links = visits(graph, shops.size)
    assert graph.consumer_share(flags) == pytest.approx(links @ flags / 4)
    active = np.arange(region.size) % 3 == 0
    expected = np.divide(links.T @ active, shops.customers, out=np.zeros(shops.size), where=shops.customers > 0)
    assert graph.customer_share(active, shops.customers) == pytest.approx(expected)


def test_a_region_without_merchants_leaves_its_consumers_without_links():
    region, shops, graph = build(count=1)
    empty = np.flatnonzero(np.bincount(shops.region, minlength=2) == 0)
    assert empty.size == 1
    assert not visits(graph, shops.size)[region == empty[0]].any()
    assert graph.customer_share(np.ones(region.size, dtype=bool), shops.customers).max() <= 1.0


def test_category_shares_must_sum_to_one():
    with pytest.raises(ScenarioError, match=r"merchants\.categories: shares must sum to 1 \(got 0\.9\)"):
        small_scenario(size=100, steps=1, **{"merchants.categories": "{grocery: 0.5, retail: 0.4}"})
