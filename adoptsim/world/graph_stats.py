"""What a run's social graph looks like: mean degree, clustering, assortativity, homophily.

Measured on the frozen CSR, so it describes the graph the model actually ran on. Clustering is
the mean local clustering coefficient C_i = t_i / (d_i (d_i - 1) / 2) (0 where d_i < 2, as in
networkx), exact up to `sample` consumers and estimated on a uniform sample above; degree
assortativity is Pearson's r of the degrees at the two ends of every tie; homophily by an
attribute is Newman's (2003) assortativity coefficient r = (sum_k e_kk - sum_k a_k^2) /
(1 - sum_k a_k^2), e the share of tie ends joining groups, a_k its row sums: 0 for random mixing,
1 when every tie stays within its group.
"""

from __future__ import annotations

import hashlib

import numpy as np

from adoptsim.world.network import SocialGraph

STAT_NAMES = (
    "mean_degree",
    "clustering",
    "degree_assortativity",
    "homophily_age_group",
    "homophily_region",
    "same_age_group_ties",
    "same_region_ties",
)


def categorical_assortativity(labels_from: np.ndarray, labels_to: np.ndarray, groups: int) -> tuple[float, float]:
    """Newman's r for a categorical attribute, and the share of ties within a group."""
    if labels_from.size == 0:
        return float("nan"), float("nan")
    mixing = np.bincount(labels_from * groups + labels_to, minlength=groups * groups).reshape(groups, groups)
    mixing = mixing / labels_from.size
    within = float(np.trace(mixing))
    expected = float(mixing.sum(axis=1) @ mixing.sum(axis=0))
    r = (within - expected) / (1.0 - expected) if expected < 1.0 else float("nan")
    return r, within


_MEASURED: dict[bytes, dict[str, float]] = {}
"""Statistics of graphs this process has measured, by a digest of the graph and its labels: a
sweep's points share their replications' graphs (common random numbers), so replication r's
graph is measured once per worker, not once per point."""
_KEEP = 256


def graph_stats(
    graph: SocialGraph, age_group: np.ndarray, region: np.ndarray, sample: int = 5000, seed: int = 0
) -> dict[str, float]:
    """The graph's statistics by STAT_NAMES (its own random sample: never a model stream)."""
    digest = hashlib.blake2b(f"{graph.n} {sample} {seed}".encode(), digest_size=20)
    for array in (graph.indptr, graph.indices, age_group, region):
        if array is not None:
            digest.update(np.ascontiguousarray(array).view(np.uint8))
    key = digest.digest()
    if key not in _MEASURED:
        if len(_MEASURED) >= _KEEP:
            del _MEASURED[next(iter(_MEASURED))]
        _MEASURED[key] = measure(graph, age_group, region, sample, seed)
    return dict(_MEASURED[key])


def measure(graph: SocialGraph, age_group: np.ndarray, region: np.ndarray, sample: int, seed: int) -> dict[str, float]:
    """graph_stats without the memo."""
    n = graph.n
    if graph.adjacency is None:
        same_age = float(np.bincount(age_group).astype(float) @ (np.bincount(age_group) - 1) / max(n * (n - 1), 1))
        same_region = float(np.bincount(region).astype(float) @ (np.bincount(region) - 1) / max(n * (n - 1), 1))
        return dict(zip(STAT_NAMES, (n - 1.0, 1.0, float("nan"), 0.0, 0.0, same_age, same_region), strict=True))
    adjacency, degree = graph.adjacency, graph.degree
    nodes = np.arange(n) if n <= sample else np.random.default_rng(seed).choice(n, sample, replace=False)
    rows = adjacency[nodes]
    triangles = np.asarray((rows @ adjacency).multiply(rows).sum(axis=1), dtype=float).ravel() / 2.0
    pairs = degree[nodes].astype(float) * (degree[nodes] - 1) / 2.0
    clustering = float(np.mean(np.divide(triangles, pairs, out=np.zeros_like(triangles), where=pairs > 0)))
    ends = adjacency.tocoo()
    start, end = ends.row, ends.col
    if start.size and np.std(degree[start]) > 0:
        assortativity = float(np.corrcoef(degree[start], degree[end])[0, 1])
    else:
        assortativity = float("nan")
    ages = int(age_group.max()) + 1
    regions = int(region.max()) + 1
    r_age, same_age = categorical_assortativity(age_group[start].astype(np.int64), age_group[end], ages)
    r_region, same_region = categorical_assortativity(region[start].astype(np.int64), region[end], regions)
    values = (float(degree.mean()), clustering, assortativity, r_age, r_region, same_age, same_region)
    return dict(zip(STAT_NAMES, values, strict=True))
