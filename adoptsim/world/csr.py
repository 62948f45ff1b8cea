"""A symmetric graph in CSR form, built from an edge list in linear time, without a global sort.

1. The one-way ties H placed into rows, each row's ties in any order: by a counting sort (COO to
   CSR, told not to sort the rows: `has_canonical_format` set, so `tocsr` skips its per-row sort),
   or, for a ring lattice's ties, by moving each ring position's row of k/2 ties to its seat.
2. H transposed (CSR to CSC, itself a counting sort): scanning rows in order leaves every column's
   entries in ascending order, so the transpose comes out sorted; its repeated ties, now side by
   side, are merged in one pass (`sum_duplicates` on sorted indices sorts nothing).
3. H's own rows sorted one by one (a handful of ties each, in place) and their repeats merged,
   then H and its transpose added: two sorted matrices merge row by row, repeated ties summed;
   self-loops, given a weight of 0, dropped.
Weights are one byte (bool), so the set-up holds the edge list until step 1 is done, then two
one-way copies (5 bytes a tie each) beside the result (5 bytes a tie end): about 1.1 GB at 10M
consumers of degree 10, where sorting 80 blocks of ties a chunk at a time took 2 minutes.
Sorting H's short rows in place (step 3) costs a seventh of transposing it back (0.6 s against
4 s for 50M ties) and no memory.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def symmetric_csr(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers and column indices (int32, ascending within each row) of the undirected graph
    with a tie i-j for each pair (u, v); self-loops and repeated ties dropped: scipy's H + H^T with
    its duplicates summed, without the data array."""
    return symmetric_csr_of([u, v], n)


def symmetric_csr_of(ends: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """symmetric_csr of the ties `ends` = [u, v], emptying the list once the ties are placed so
    that, when it held the only references, the edge list is freed before the transposes."""
    u, v = ends
    loops = u == v
    weights = np.logical_not(loops, out=loops)  # a self-loop weighs 0 and is dropped at the end
    pairs = sp.coo_array((weights, (u, v)), shape=(n, n))
    pairs.has_canonical_format = True  # do not sort the rows: step 3 does, one row at a time
    half = pairs.tocsr()
    del pairs, weights, loops, u, v
    ends.clear()
    return _symmetric(half)


def ring_csr_of(ends: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """symmetric_csr_of for ties in a ring lattice's layer order (`fast_watts_strogatz`, seated or
    not): layer j holds one tie of each ring position, so u is the same n seats layer after layer
    and each seat's k/2 ties are a column of the layers. Step 1 moves each seat's column into its
    row (one random read of k/2 ties per consumer) instead of placing each tie on its own (a random
    write of each tie, its weight and its row's cursor): the same H, for the same CSR."""
    u, v = ends
    seats = u[:n].copy()
    del u
    ends.clear()
    ring_position = np.empty(n, dtype=np.int32)
    ring_position[seats] = np.arange(n, dtype=np.int32)
    del seats
    by_position = np.ascontiguousarray(v.reshape(-1, n).T)  # row i: the far ends of ring position i
    del v
    rows = by_position.take(ring_position, axis=0)  # row p: the far ends of the person seated at p
    del by_position, ring_position
    weights = rows != np.arange(n, dtype=np.int32)[:, None]  # a self-loop weighs 0
    width = rows.shape[1]
    index = np.int32 if n * width < 2**31 else np.int64  # int64 only when needed: scipy widens the indices to match
    starts = np.arange(0, n * width + 1, width, dtype=index)
    half = sp.csr_array((weights.ravel(), rows.ravel(), starts), shape=(n, n))
    del rows, weights
    return _symmetric(half)


def _symmetric(half: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Steps 2 and 3: H + H^T, repeats merged and self-loops (weight 0) dropped, from H's rows in
    any order. H and H^T are both needed until the addition, the set-up's peak."""
    transposed = half.tocsc()  # the CSC of H is the CSR of H^T, in ascending order
    transposed.sum_duplicates()
    half.has_sorted_indices = False  # built in tie order: sort each row (scipy would check first)
    half.sum_duplicates()  # sorts each row in place, then merges its repeats
    whole = half + transposed.T  # H + H^T, both sorted: merged row by row
    del half, transposed
    whole.eliminate_zeros()
    return whole.indptr.astype(np.int32, copy=False), whole.indices.astype(np.int32, copy=False)
