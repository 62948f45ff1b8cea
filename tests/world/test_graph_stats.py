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


def large_graph(n: int = 400_000):
    from adoptsim.world.network import fast_watts_strogatz

    rng = np.random.default_rng(7)
    u, v = fast_watts_strogatz(n, 10, 0.2, rng)
    age = rng.integers(0, 5, n).astype(np.int8)
    region = np.where(rng.random(n) < 0.7, np.arange(n) * 4 // n, rng.integers(0, 4, n)).astype(np.int8)  # ring blocks
    return edges_to_graph(n, u, v), age, region


@pytest.fixture
def small_thresholds(monkeypatch):
    import adoptsim.world.graph_stats as module

    monkeypatch.setattr(module, "EXACT_ENDS", 1 << 16)
    monkeypatch.setattr(module, "TIE_SAMPLE", 1 << 15)
    return module


def test_statistics_from_a_sample_of_ties_agree_with_every_tie_within_their_stated_error(small_thresholds):
    graph, age, region = large_graph()
    exact = small_thresholds.measure(graph, age, region, 2000, 0)
    small_thresholds.EXACT_ENDS = 1 << 30
    every_tie = small_thresholds.measure(graph, age, region, 2000, 0)
    assert every_tie["degree_assortativity_se"] == 0 and every_tie["ties_measured"] == graph.indices.size / 2
    small_thresholds.EXACT_ENDS = 1 << 16
    estimates = [small_thresholds.measure(graph, age, region, 2000, seed) for seed in range(12)]
    assert exact["ties_measured"] == 1 << 15 and exact["consumers_measured"] == 2000
    for name in ("degree_assortativity", "homophily_age_group", "homophily_region", "same_region_ties"):
        errors = np.array([e[f"{name}_se"] for e in estimates])
        values = np.array([e[name] for e in estimates])
        assert 0.002 < errors.mean() < 0.03, name  # about 1/sqrt(2^15) for an r
        assert np.all(np.abs(values - every_tie[name]) < 4 * errors), name
        assert 0.5 < values.std(ddof=1) / errors.mean() < 1.8, name  # the stated error is the real spread
    assert every_tie["homophily_region"] > 0.2  # labels that matter: not a test of zeros
    clustering = np.array([e["clustering"] for e in estimates])
    assert 0.5 < clustering.std(ddof=1) / np.mean([e["clustering_se"] for e in estimates]) < 1.8


def test_a_sampled_measure_holds_memory_in_proportion_to_the_sample_not_the_graph(small_thresholds):
    import tracemalloc

    graph, age, region = large_graph()
    tracemalloc.start()
    small_thresholds.measure(graph, age, region, 2000, 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < graph.indices.nbytes / 2  # every tie's two labels, as before, took 5x the indices
