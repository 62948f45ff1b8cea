"""What a run's social graph looks like: mean degree, clustering, assortativity, homophily.

Measured on the frozen CSR, so it describes the graph the model actually ran on. Clustering is
the mean local clustering coefficient C_i = t_i / (d_i (d_i - 1) / 2) (0 where d_i < 2, as in
networkx), exact up to `sample` consumers and estimated on a uniform sample above; degree
assortativity is Pearson's r of the degrees at the two ends of every tie; homophily by an
attribute is Newman's (2003) assortativity coefficient r = (sum_k e_kk - sum_k a_k^2) /
(1 - sum_k a_k^2), e the share of tie ends joining groups, a_k its row sums: 0 for random mixing,
1 when every tie stays within its group.

Up to EXACT_ENDS tie ends every tie is used; above, TIE_SAMPLE ties drawn uniformly (with
replacement, each taken in both directions) stand for them, so memory and time follow the sample,
not the graph (a 10M-consumer graph has 100M tie ends: gathering labels at both ends of each took
4 GB). Each statistic comes with its standard error (`<name>_se`, 0 where exact): the
delete-a-group jackknife over BATCHES groups of sampled ties, and for clustering s / sqrt(m) with
the finite-population correction sqrt(1 - m/n), s the spread of C_i over the m consumers measured.
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.sparse as sp

from adoptsim.world.network import SocialGraph

SAMPLED = (
    "clustering",
    "degree_assortativity",
    "homophily_age_group",
    "homophily_region",
    "same_age_group_ties",
    "same_region_ties",
)
STAT_NAMES = (
    "mean_degree",
    *SAMPLED,
    *(f"{name}_se" for name in SAMPLED),
    "consumers_measured",
    "ties_measured",
)
EXACT_ENDS = 1 << 22
"""Tie ends (two a tie) up to which every tie is measured: about 400,000 consumers at degree 10."""
TIE_SAMPLE = 1 << 19
"""Ties drawn above EXACT_ENDS: standard errors of about 1/sqrt(TIE_SAMPLE) = 0.0014 on an r."""
BATCHES = 32
"""Groups of sampled ties the jackknife leaves out one at a time."""


def categorical_assortativity(labels_from: np.ndarray, labels_to: np.ndarray, groups: int) -> tuple[float, float]:
    """Newman's r for a categorical attribute, and the share of ties within a group."""
    if labels_from.size == 0:
        return float("nan"), float("nan")
    mixing = np.bincount(labels_from * groups + labels_to, minlength=groups * groups).reshape(groups, groups)
    return _newman(mixing / labels_from.size)


def _newman(mixing: np.ndarray) -> tuple[float, float]:
    """(r, share within a group) of a mixing matrix of shares."""
    within = float(np.trace(mixing))
    expected = float(mixing.sum(axis=1) @ mixing.sum(axis=0))
    r = (within - expected) / (1.0 - expected) if expected < 1.0 else float("nan")
    return r, within


_MEASURED: dict[bytes, dict[str, float]] = {}
"""Statistics of graphs this process has measured, by a digest of the graph and its labels: a
sweep's points share their replications' graphs (common random numbers), so replication r's
graph is measured once per worker, not once per point. Only graphs measured exactly are kept:
hashing a sampled one would cost more than sampling it again."""
_KEEP = 256


def graph_stats(
    graph: SocialGraph, age_group: np.ndarray, region: np.ndarray, sample: int = 5000, seed: int = 0
) -> dict[str, float]:
    """The graph's statistics by STAT_NAMES (its own random sample: never a model stream)."""
    if graph.indices is not None and graph.indices.size > EXACT_ENDS:
        return measure(graph, age_group, region, sample, seed)
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
    if graph.indptr is None:
        same_age = float(np.bincount(age_group).astype(float) @ (np.bincount(age_group) - 1) / max(n * (n - 1), 1))
        same_region = float(np.bincount(region).astype(float) @ (np.bincount(region) - 1) / max(n * (n - 1), 1))
        exact = (n - 1.0, 1.0, float("nan"), 0.0, 0.0, same_age, same_region)
        values = (*exact, *[0.0] * len(SAMPLED), n, n * (n - 1) / 2)
        return dict(zip(STAT_NAMES, values, strict=True))
    rng = np.random.default_rng(seed)
    nodes = np.arange(n) if n <= sample else rng.choice(n, sample, replace=False)
    coefficients = local_clustering(graph, nodes)
    clustering = float(np.mean(coefficients))
    clustering_se = (
        0.0
        if nodes.size == n
        else float(np.std(coefficients, ddof=1) / np.sqrt(nodes.size) * np.sqrt(1 - nodes.size / n))
    )
    labels = (age_group, int(age_group.max()) + 1), (region, int(region.max()) + 1)
    if graph.indices.size <= EXACT_ENDS:
        ties, errors = exact_tie_stats(graph, labels), [0.0] * 5
        measured = graph.indices.size / 2
    else:
        ties, errors = sampled_tie_stats(graph, labels, rng)
        measured = TIE_SAMPLE
    mean_degree = graph.indices.size / n
    values = (mean_degree, clustering, *ties, clustering_se, *errors, nodes.size, measured)
    return dict(zip(STAT_NAMES, values, strict=True))


def local_clustering(graph: SocialGraph, nodes: np.ndarray) -> np.ndarray:
    """C_i of `nodes`, from their rows and their neighbours' rows only: t_i = (1/2) sum over
    neighbours j of |N(i) & N(j)|, as rows R (nodes x n) times the neighbours' rows, masked by R."""
    degree = graph.degree_of(nodes).astype(np.int64)
    rows = _rows(graph, nodes, degree, graph.n)
    near = np.unique(rows.indices)
    columns = np.searchsorted(near, rows.indices)
    to_near = sp.csr_matrix((rows.data, columns, rows.indptr), shape=(nodes.size, near.size))
    second = _rows(graph, near, graph.degree_of(near).astype(np.int64), graph.n)
    triangles = np.asarray((to_near @ second).multiply(rows).sum(axis=1), dtype=float).ravel() / 2.0
    pairs = degree * (degree - 1) / 2.0
    return np.divide(triangles, pairs, out=np.zeros_like(triangles), where=pairs > 0)


def _rows(graph: SocialGraph, nodes: np.ndarray, degree: np.ndarray, width: int) -> sp.csr_matrix:
    indptr = np.zeros(nodes.size + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    ends = graph.ties_of(nodes)
    return sp.csr_matrix((np.ones(ends.size, dtype=np.float32), ends, indptr), shape=(nodes.size, width))


def exact_tie_stats(graph: SocialGraph, labels) -> tuple[float, ...]:
    """Degree assortativity, then (r, share within) per label, over both ends of every tie."""
    degree = graph.degree
    start, end = np.repeat(np.arange(graph.n), degree), graph.indices
    if start.size and np.std(degree[start]) > 0:
        assortativity = float(np.corrcoef(degree[start], degree[end])[0, 1])
    else:
        assortativity = float("nan")
    per_label = [categorical_assortativity(lab[start].astype(np.int64), lab[end], k) for lab, k in labels]
    return assortativity, per_label[0][0], per_label[1][0], per_label[0][1], per_label[1][1]


def sampled_tie_stats(graph: SocialGraph, labels, rng: np.random.Generator) -> tuple[tuple[float, ...], list[float]]:
    """exact_tie_stats estimated on TIE_SAMPLE ties drawn uniformly, and their jackknife errors.

    Each batch of draws keeps its sufficient statistics (degree sums, the mixing counts per label)
    so that the statistic without batch b is the total minus batch b's part."""
    pos = rng.integers(0, graph.indices.size, TIE_SAMPLE)
    start = np.searchsorted(graph.indptr, pos, side="right") - 1
    end = graph.indices[pos].astype(np.int64)
    batch = np.arange(TIE_SAMPLE) * BATCHES // TIE_SAMPLE
    x, y = graph.degree_of(start).astype(float), graph.degree_of(end).astype(float)
    moments = np.stack([np.bincount(batch, w, BATCHES) for w in (np.ones_like(x), x + y, x * x + y * y, 2 * x * y)])
    mixings = []
    for lab, k in labels:
        a, b = lab[start].astype(np.int64), lab[end].astype(np.int64)
        counts = np.bincount(batch * k * k + a * k + b, minlength=BATCHES * k * k).reshape(BATCHES, k, k)
        mixings.append(counts + counts.transpose(0, 2, 1))  # each tie both ways, as exact_tie_stats sees it
    whole = _from_sums(moments.sum(axis=1), [m.sum(axis=0) for m in mixings])
    left_out = np.array(
        [
            _from_sums(moments.sum(axis=1) - moments[:, b], [m.sum(axis=0) - m[b] for m in mixings])
            for b in range(BATCHES)
        ]
    )
    spread = np.sqrt((BATCHES - 1) / BATCHES * ((left_out - left_out.mean(axis=0)) ** 2).sum(axis=0))
    return whole, [float(e) for e in spread]


def _from_sums(moments: np.ndarray, mixings: list[np.ndarray]) -> tuple[float, ...]:
    """Pearson's r of the two ends' degrees from (pairs, sum x+y, sum x^2+y^2, sum 2xy) over both
    directions, and Newman's r and the share within for each mixing matrix of counts."""
    count, total, squares, cross = moments[0] * 2, moments[1], moments[2], moments[3]
    mean = total / count
    variance = squares / count - mean**2
    assortativity = (cross / count - mean**2) / variance if variance > 0 else float("nan")
    (r_age, same_age), (r_region, same_region) = (_newman(m / m.sum()) for m in mixings)
    return float(assortativity), r_age, r_region, same_age, same_region
