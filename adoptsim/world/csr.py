"""A symmetric graph in CSR form, built from an edge list with little memory beyond its result.

scipy's route (the one-way ties H from COO, then H + H^T) holds H, H^T and their sum at once:
about 112 bytes a consumer at degree 10, for a result of 44, the peak of a large run's memory.
For large graphs each tie's two ends are placed straight into the rows of the result by a counting
sort, a chunk of ties at a time, then each block of rows is sorted, cleared of self-loops and
repeated ties and compacted in place: the set-up holds the edge list, the result and two arrays of
row pointers (about 90 bytes at degree 10). Small graphs take scipy's route, several times faster
(a sweep builds thousands of them); both give the same arrays.
"""

from __future__ import annotations

import numpy as np

CHUNK = 1 << 17
"""Tie ends per pass: bounds the temporaries (a few bytes each) whatever the graph's size."""
SCIPY_BELOW = 1 << 22
"""Tie ends (two a tie) under which scipy builds the graph: 40 MB of ends at most, where its extra
copies cost less than the counting sort's time (10x slower at 10,000 consumers)."""


def symmetric_csr(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers and column indices (int32, ascending within each row) of the undirected graph
    with a tie i-j for each pair (u, v); self-loops and repeated ties dropped: scipy's H + H^T with
    its duplicates summed, without the data array."""
    if 2 * u.size < SCIPY_BELOW:
        return _by_scipy(n, u, v)
    indptr = np.zeros(n + 1, dtype=np.int32 if 2 * u.size < 2**31 else np.int64)
    np.cumsum(np.bincount(u, minlength=n) + np.bincount(v, minlength=n), out=indptr[1:], dtype=indptr.dtype)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    cursor = indptr[:-1].copy()
    for start in range(0, u.size, CHUNK):
        part = slice(start, start + CHUNK)
        _place(indices, cursor, u[part], v[part])
        _place(indices, cursor, v[part], u[part])
    counts = cursor  # reused: each row's number of distinct neighbours
    firsts = np.searchsorted(indptr, np.arange(0, indptr[-1], CHUNK), side="right") - 1  # ~CHUNK ends a block
    bounds = np.unique(np.concatenate([[0], firsts]))
    write = 0
    for a, b in zip(bounds, [*bounds[1:], n], strict=True):
        lo, hi = int(indptr[a]), int(indptr[b])
        rows = np.repeat(np.arange(a, b, dtype=np.int64), np.diff(indptr[a : b + 1]))
        key = rows * n + indices[lo:hi]
        key.sort()  # within each row: rows stay where they were
        col = key - rows * n
        kept = rows != col  # no self-loop, and no repeat of the tie before it:
        kept[1:] &= key[1:] != key[:-1]
        col, row = col[kept], rows[kept]
        indices[write : write + col.size] = col  # write <= lo: rows only shrink
        counts[a:b] = np.bincount(row - a, minlength=b - a)
        write += col.size
    indices.resize(write, refcheck=False)
    np.cumsum(counts, out=indptr[1:])
    return indptr, indices


def _place(indices: np.ndarray, cursor: np.ndarray, src: np.ndarray, dst: np.ndarray) -> None:
    """Write each dst into the next free slot of row src (a counting sort of one chunk)."""
    if src.size == 0:
        return
    order = np.argsort(src, kind="stable")
    rows = src[order]
    first = np.empty(rows.size, dtype=bool)
    first[0] = True
    np.not_equal(rows[1:], rows[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    runs = np.diff(np.append(starts, rows.size))
    indices[cursor[rows] + (np.arange(rows.size) - np.repeat(starts, runs))] = dst[order]
    cursor[rows[starts]] += runs


def _by_scipy(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """H + H^T with one-byte weights, H the one-way ties without self-loops or repeats."""
    import scipy.sparse as sp

    real = u != v
    if not real.all():
        u, v = u[real], v[real]
    half = sp.csr_matrix((np.ones(u.size, dtype=np.uint8), (u, v)), shape=(n, n))
    half.sum_duplicates()
    half.data[:] = 1
    whole = half + half.T.tocsr()
    whole.sum_duplicates()
    return whole.indptr.astype(np.int32, copy=False), whole.indices.astype(np.int32, copy=False)
