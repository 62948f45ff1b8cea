"""The app's network view: a connected sample of consumers and its layout, drawn once per build."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from adoptsim.engine.model import WalletAdoptionModel

NETWORK_SAMPLE = 300
"""Consumers drawn in the network view: enough to see clusters, few enough to stay legible."""


@dataclass
class NetworkSample:
    """A connected sample of consumers (breadth first from one consumer) and its fixed layout."""

    nodes: np.ndarray  # consumer indices
    edges: np.ndarray  # (m, 2) positions into `nodes`
    positions: np.ndarray  # (len(nodes), 2)


def network_sample(model: WalletAdoptionModel, size: int = NETWORK_SAMPLE, seed: int = 0) -> NetworkSample:
    """Sample once per model build; the spring layout is computed here, never in the step."""
    n = model.people.size
    rng = np.random.default_rng(seed)
    start = int(rng.integers(n))
    order, seen = [start], {start}
    position = 0
    while len(order) < min(size, n):
        if position == len(order):  # a finished component: jump to an unseen consumer
            remaining = np.setdiff1d(np.arange(n), order)
            nxt = int(rng.choice(remaining))
            order.append(nxt)
            seen.add(nxt)
        for neighbour in model.graph_neighbours(order[position]):
            if len(order) >= size:
                break
            if int(neighbour) not in seen:
                seen.add(int(neighbour))
                order.append(int(neighbour))
        position += 1
    nodes = np.array(order)
    local = {int(node): i for i, node in enumerate(nodes)}
    if model.graph.is_complete:  # every pair is a tie: drawing them says nothing
        edges = np.zeros((0, 2), dtype=int)
    else:
        pairs = [
            (i, local[int(j)])
            for i, node in enumerate(nodes)
            for j in model.graph_neighbours(node)
            if local.get(int(j), -1) > i
        ]
        edges = np.array(pairs, dtype=int).reshape(-1, 2)
    graph = nx.Graph()
    graph.add_nodes_from(range(nodes.size))
    graph.add_edges_from(map(tuple, edges))
    layout = nx.spring_layout(graph, seed=seed, iterations=60)
    return NetworkSample(nodes, edges, np.array([layout[i] for i in range(nodes.size)]))
