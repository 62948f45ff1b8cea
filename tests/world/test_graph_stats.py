"""Graph statistics agree with networkx's on small graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from adoptsim.world.graph_stats import categorical_assortativity, graph_stats
from adoptsim.world.network import edges_to_graph


def small_graph():
    nx_graph = nx.powerlaw_cluster_graph(600, 3, 0.5, seed=4)
    u, v = np.array(nx_graph.edges()).T
    rng = np.random.default_rng(2)
    age = rng.integers(0, 3, 600).astype(np.int8)
    region = (np.arange(600) < 200).astype(np.int8)  # node order carries structure: BA hubs are low ids
    return nx_graph, edges_to_graph(600, u, v), age, region


def test_statistics_match_networkx():
    nx_graph, graph, age, region = small_graph()
    stats = graph_stats(graph, age, region)
    nx.set_node_attributes(nx_graph, {i: int(age[i]) for i in range(600)}, "age")
    nx.set_node_attributes(nx_graph, {i: int(region[i]) for i in range(600)}, "region")
    assert stats["mean_degree"] == pytest.approx(2 * nx_graph.number_of_edges() / 600)
    assert stats["clustering"] == pytest.approx(nx.average_clustering(nx_graph), abs=1e-9)
    assert stats["degree_assortativity"] == pytest.approx(nx.degree_assortativity_coefficient(nx_graph), abs=1e-9)
    assert stats["homophily_age_group"] == pytest.approx(nx.attribute_assortativity_coefficient(nx_graph, "age"))
    assert stats["homophily_region"] == pytest.approx(nx.attribute_assortativity_coefficient(nx_graph, "region"))


def test_sampled_clustering_is_close_to_the_exact_value():
    _, graph, age, region = small_graph()
    exact = graph_stats(graph, age, region)["clustering"]
    sampled = graph_stats(graph, age, region, sample=300)["clustering"]
    assert sampled == pytest.approx(exact, abs=0.05)


def test_assortativity_by_hand():
    # Two groups, ties (both directions) 0-0, 0-1, 1-1, 1-1: e = [[1/4, 1/8], [1/8, 1/2]], a = (3/8, 5/8).
    ends_from = np.array([0, 0, 1, 1, 1, 1, 0, 1])
    ends_to = np.array([0, 1, 1, 1, 1, 1, 0, 0])
    r, within = categorical_assortativity(ends_from, ends_to, 2)
    a = np.array([3 / 8, 5 / 8])
    assert within == pytest.approx(6 / 8)
    assert r == pytest.approx((6 / 8 - a @ a) / (1 - a @ a))


def test_a_graph_measured_again_is_remembered_but_a_changed_one_is_measured_anew(monkeypatch):
    import adoptsim.world.graph_stats as module

    _, graph, age, region = small_graph()
    first = graph_stats(graph, age, region)
    calls = []
    monkeypatch.setattr(module, "measure", lambda *args: calls.append(args) or {"mean_degree": -1.0})
    assert graph_stats(graph, age, region) == first and not calls  # the same graph: remembered
    relabelled = region.copy()
    relabelled[0] = 1 - relabelled[0]
    assert graph_stats(graph, age, relabelled) == {"mean_degree": -1.0} and len(calls) == 1
    rewired = edges_to_graph(600, *np.array(nx.powerlaw_cluster_graph(600, 3, 0.5, seed=5).edges()).T)
    graph_stats(rewired, age, region)
    assert len(calls) == 2
