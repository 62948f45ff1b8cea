"""Social graph: generators, files, homophily, neighbour sums on tiny graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from adoptsim.errors import AdoptsimError
from adoptsim.world.graph_stats import graph_stats
from adoptsim.world.network import build_graph, edges_to_graph, fast_watts_strogatz
from adoptsim.world.network_spec import Homophily, Network


def test_neighbour_sum_on_a_path_graph():
    graph = edges_to_graph(4, np.array([0, 1, 2, 1]), np.array([1, 2, 3, 1]))  # self-loop dropped
    assert graph.degree.tolist() == [1, 2, 2, 1]
    assert graph.neighbour_sum(np.array([1.0, 0.0, 0.0, 1.0])).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_complete_graph_is_implicit():
    rng = np.random.default_rng(0)
    graph = build_graph(Network(generator="complete_graph", params={}), np.zeros(5, np.int8), np.zeros(5, np.int8), rng)
    assert graph.is_complete
    assert graph.neighbour_sum(np.array([1.0, 1.0, 0.0, 0.0, 0.0])).tolist() == [1, 1, 2, 2, 2]


def test_fast_watts_strogatz_has_the_lattice_degree():
    u, v = fast_watts_strogatz(10_000, 10, 0.1, np.random.default_rng(1))
    graph = edges_to_graph(10_000, u, v)
    assert graph.degree.mean() == pytest.approx(10, abs=0.05)
    clustering = nx.average_clustering(graph.to_networkx().subgraph(range(2000)))
    assert clustering > 0.3  # small world: still clustered after 10 % rewiring


def test_networkx_generator_by_name_is_seeded():
    spec = Network(generator="barabasi_albert", params={"m": 3})
    groups = np.zeros(300, np.int8)
    a = build_graph(spec, groups, groups, np.random.default_rng(5))
    b = build_graph(spec, groups, groups, np.random.default_rng(5))
    assert (a.adjacency != b.adjacency).nnz == 0
    assert a.degree.max() > 20  # hubs


def test_bad_generator_parameters_are_a_one_line_error():
    spec = Network(generator="barabasi_albert", params={"mm": 3})
    with pytest.raises(AdoptsimError, match="network.params: barabasi_albert_graph rejected"):
        build_graph(spec, np.zeros(50, np.int8), np.zeros(50, np.int8), np.random.default_rng(0))


def test_edge_list_and_graphml_files(tmp_path):
    edges = tmp_path / "g.edgelist"
    edges.write_text("# a triangle and a tail\n0 1\n1 2\n2 0\n2 3\n")
    zeros = np.zeros(4, np.int8)
    graph = build_graph(Network(file=str(edges)), zeros, zeros, np.random.default_rng(0))
    assert graph.degree.tolist() == [2, 2, 3, 1]
    graphml = tmp_path / "g.graphml"
    nx.write_graphml(nx.path_graph(4), graphml)
    assert build_graph(Network(file=str(graphml)), zeros, zeros, np.random.default_rng(0)).degree.sum() == 6
    with pytest.raises(AdoptsimError, match="names 4 nodes but population.size is 5"):
        build_graph(Network(file=str(edges)), np.zeros(5, np.int8), np.zeros(5, np.int8), np.random.default_rng(0))


@pytest.mark.parametrize("implementation", ["fast", "networkx"])
def test_homophily_seats_like_with_like_and_keeps_the_generators_clustering(implementation):
    rng = np.random.default_rng(3)
    n = 4000
    region = rng.integers(0, 2, n).astype(np.int8)
    age = rng.integers(0, 4, n).astype(np.int8)

    def built(homophily: Homophily):
        spec = Network(generator="watts_strogatz_graph", params={"k": 10, "p": 0.05}, homophily=homophily)
        spec.implementation = implementation
        graph = build_graph(spec, age, region, np.random.default_rng(11))
        return graph_stats(graph, age, region)

    plain = built(Homophily())
    sorted_ = built(Homophily(region=0.9, age_group=0.6))
    assert plain["homophily_region"] == pytest.approx(0.0, abs=0.03)
    assert sorted_["homophily_region"] > 0.3
    assert sorted_["homophily_age_group"] > 0.05
    assert sorted_["same_region_ties"] > plain["same_region_ties"] + 0.15
    # Seating never changes the graph's structure; redirected rewired ties close no triangles.
    assert sorted_["clustering"] == pytest.approx(plain["clustering"], abs=0.02)
    assert sorted_["clustering"] >= 0.5 * plain["clustering"] > 0.25
    assert sorted_["mean_degree"] == pytest.approx(plain["mean_degree"], abs=0.05)


@pytest.mark.parametrize("grid", [None, 2, 64, 5000])
def test_the_seating_order_is_lexsorts_even_when_draws_tie(grid):
    """_segment_order sorts words of (segment, leading bits of the draw, person): draws that share
    their leading bits, or are equal (drawn here from a grid of `grid` values), still come out in
    np.lexsort's order (whole draw, then person)."""
    from adoptsim.world.homophily import _segment_order

    rng = np.random.default_rng(grid or 0)
    for n in (1, 2, 3, 1000, 100_000):
        draws = rng.random(n) if grid is None else rng.integers(0, grid, n) / grid
        age, region = rng.integers(0, 4, n).astype(np.int8), rng.integers(0, 3, n).astype(np.int8)
        assert np.array_equal(_segment_order(draws, age, region), np.lexsort((draws, age, region)))


def test_a_small_world_keeps_its_homophily_while_rewiring_removes_clustering():
    rng = np.random.default_rng(5)
    n = 4000
    region = rng.integers(0, 2, n).astype(np.int8)
    age = rng.integers(0, 4, n).astype(np.int8)
    stats = []
    for p in (0.01, 1.0):
        spec = Network(params={"k": 10, "p": p}, homophily=Homophily(region=0.9, age_group=0.6))
        stats.append(graph_stats(build_graph(spec, age, region, np.random.default_rng(2)), age, region))
    lattice, random_graph = stats
    assert lattice["clustering"] > 0.6 and random_graph["clustering"] < 0.01
    assert random_graph["homophily_region"] == pytest.approx(lattice["homophily_region"], abs=0.05)
    assert random_graph["homophily_age_group"] == pytest.approx(lattice["homophily_age_group"], abs=0.05)


def test_neighbour_counter_tracks_a_changing_state_exactly():
    from adoptsim.world.network import NeighbourCounter

    rng = np.random.default_rng(8)
    graph = edges_to_graph(3000, *fast_watts_strogatz(3000, 8, 0.2, rng))
    counter = NeighbourCounter(graph)
    state = np.zeros(3000, dtype=bool)
    for flips in (0, 5, 40, 1, 300, 0, 17):
        state[rng.integers(0, 3000, flips)] ^= True
        assert np.array_equal(counter(state), graph.neighbour_sum(state.astype(float)))


@pytest.mark.parametrize("seed", [3, 64])
def test_the_graph_is_scipys_symmetric_sum_of_its_ties(seed):
    """csr.symmetric_csr (counting sorts and transposes, no sort) gives scipy's H + H^T, duplicates
    summed, self-loops dropped: the same rows in the same order, with repeated ties, loops and
    empty rows."""
    import scipy.sparse as sp

    from adoptsim.world import csr

    rng = np.random.default_rng(seed)
    for n, m in [(1, 0), (2, 1), (5, 12), (60, 300), (2000, 9000), (50_000, 400_000)]:
        u, v = rng.integers(0, n, m).astype(np.int32), rng.integers(0, n, m).astype(np.int32)
        half = sp.csr_matrix((np.ones(m), (u, v)), shape=(n, n))
        whole = (half + half.T).tocsr()
        whole.setdiag(0)
        whole.eliminate_zeros()
        whole.sort_indices()
        indptr, indices = csr.symmetric_csr(n, u, v)
        assert indptr.tolist() == whole.indptr.tolist() and indices.tolist() == whole.indices.tolist()
        assert indices.dtype == np.int32 and indptr.dtype == np.int32


def test_building_the_graph_frees_its_edge_list_and_sorts_only_within_rows(monkeypatch):
    """The list handed over is emptied (its arrays can be freed before the transposes), and no
    global sort runs: numpy's sorts are never called, only scipy's per-row sort of H's short rows."""
    from adoptsim.world import csr

    def refuse(*args, **kwargs):
        raise AssertionError("sorted")

    monkeypatch.setattr(np, "argsort", refuse)
    monkeypatch.setattr(np, "sort", refuse)
    monkeypatch.setattr(np, "lexsort", refuse)
    rng = np.random.default_rng(5)
    for build in (csr.symmetric_csr_of, csr.ring_csr_of):
        ends = [rng.integers(0, 1000, 8000).astype(np.int32), rng.integers(0, 1000, 8000).astype(np.int32)]
        ends[0][:] = np.tile(rng.permutation(1000).astype(np.int32), 8)  # a ring's layout: the seats, 8 times
        indptr, indices = build(ends, 1000)
        assert ends == [] and indptr[-1] == indices.size > 0


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_a_ring_lattices_rows_moved_whole_give_the_same_graph_as_placing_each_tie(p):
    """ring_csr_of (each seat's k/2 ties moved as one row) equals symmetric_csr_of on the same
    seated, rewired and redirected ties: repeated ties, self-loops and both directions of a tie."""
    from adoptsim.world import csr
    from adoptsim.world.homophily import off_lattice, redirect_within_segment, seat_people

    n, rng = 3000, np.random.default_rng(7)
    age, region = rng.integers(0, 4, n).astype(np.int8), rng.integers(0, 3, n).astype(np.int8)
    spec = Homophily(age_group=0.5, region=0.8)
    u, v = fast_watts_strogatz(n, 8, p, rng)
    v[:50] = u[:50]  # self-loops
    moved = off_lattice(v, n)
    u, v = seat_people((u, v), n, spec, age, region, rng, ring_ordered=True)
    u, v = redirect_within_segment((u, v), moved, spec, age, region, rng)
    general = csr.symmetric_csr_of([u.copy(), v.copy()], n)
    ring = csr.ring_csr_of([u, v], n)
    assert np.array_equal(general[0], ring[0]) and np.array_equal(general[1], ring[1])
    assert ring[0].dtype == ring[1].dtype == np.int32


def test_seating_a_ring_lattice_by_shifting_seats_equals_looking_up_every_tie_end(monkeypatch):
    """The ring's shortcut (seats shifted along the ring, rewired ends looked up) gives the same
    edge list as relabelling every end, and the seating order is np.lexsort's."""
    from adoptsim.world import homophily

    n, rng = 2000, np.random.default_rng(1)
    u, v = fast_watts_strogatz(n, 8, 0.3, rng)
    age, region = rng.integers(0, 4, n).astype(np.int8), rng.integers(0, 3, n).astype(np.int8)
    monkeypatch.setattr(homophily, "locality_order", lambda n, u, v: np.arange(n))  # the ring's own order
    spec = Homophily(age_group=0.5, region=0.8)

    def seated(ring_ordered: bool):
        rng = np.random.default_rng(3)
        return homophily.seat_people((u.copy(), v.copy()), n, spec, age, region, rng, ring_ordered=ring_ordered)

    ring, every = seated(True), seated(False)
    assert np.array_equal(ring[0], every[0]) and np.array_equal(ring[1], every[1])
    assert np.mean(ring[1] != v) > 0.9  # people really moved
    keys = rng.random(n), rng.integers(0, 4, n), rng.integers(0, 3, n)
    assert np.array_equal(homophily._segment_order(*keys), np.lexsort(keys))
    moved = homophily.off_lattice(v, n)
    assert np.array_equal(moved, v != homophily.lattice_ends(n, 8)) and 0.2 < moved.mean() < 0.4
