"""Homophily on a generated graph: people seated on its nodes so neighbours tend to be alike,
and rewired ties redirected within the segment (docs/model.md, "Homophily")."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from adoptsim.world.network_spec import Homophily
from adoptsim.world.streams import uniform_below

Edges = tuple[np.ndarray, np.ndarray]
"""Tie ends (u, v), one entry per tie."""


def locality_order(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Nodes in an order that keeps neighbours close (reverse Cuthill-McKee, one pass over ties)."""
    from scipy.sparse import csgraph  # pulls in scipy.sparse.linalg (0.3 s): only for generators without a ring

    matrix = sp.csr_matrix((np.ones(u.size, dtype=np.int8), (u, v)), shape=(n, n))
    return np.asarray(csgraph.reverse_cuthill_mckee((matrix + matrix.T).tocsr(), symmetric_mode=True))


def seat_people(
    edges: Edges,
    n: int,
    homophily: Homophily,
    age_group: np.ndarray,
    region: np.ndarray,
    rng: np.random.Generator,
    ring_ordered: bool = False,
) -> Edges:
    """Seat consumers on the graph's nodes so that neighbours tend to be alike.

    The generator's structure (degrees, clustering, path lengths) is left exactly as it is; only who
    sits where changes. Each consumer keeps their own region as a sorting key with probability
    h_region (else a random region), and likewise their age group with h_age_group; consumers
    sorted by (region key, age-group key, random) take the nodes in locality order (the ring for
    lattice generators, reverse Cuthill-McKee otherwise), so like sit next to like.
    """
    u, v = edges
    if homophily.region == 0 and homophily.age_group == 0:
        return u, v
    nodes = None if ring_ordered else locality_order(n, u, v)  # None: the ring's own order
    region_key = _own_or_random(region, homophily.region, rng)
    age_key = _own_or_random(age_group, homophily.age_group, rng)
    people = _segment_order(rng.random(n), age_key, region_key)
    del region_key, age_key
    if ring_ordered:
        return _seat_ring(u, v, people)
    seat = np.empty(n, dtype=np.int32)
    seat[nodes] = people
    del nodes, people
    for ends in (u, v):  # in place, a slice at a time: no second copy of the edge list
        for start in range(0, ends.size, 1 << 20):
            part = ends[start : start + (1 << 20)]
            part[:] = seat[part]
    return u, v


def _own_or_random(labels: np.ndarray, keep: float, rng: np.random.Generator) -> np.ndarray:
    """Each consumer's own label with probability `keep`, else a label drawn at random (in the
    labels' small dtype; drawn as int64, so the same numbers)."""
    own = rng.random(labels.size) < keep
    return np.where(own, labels, rng.integers(0, int(labels.max()) + 1, labels.size).astype(labels.dtype))


def _seat_ring(u: np.ndarray, v: np.ndarray, seat: np.ndarray) -> Edges:
    """seat[u], seat[v] in place for ties in `fast_watts_strogatz`'s order (layer j: i -> i+j+1):
    the lattice's ends are the seats shifted along the ring, read in order; only rewired far ends
    are looked up one by one (the same numbers as the general loop, without its random reads)."""
    n = seat.size
    ring = np.arange(n, dtype=np.int32)
    for layer in range(u.size // n):
        part = slice(layer * n, (layer + 1) * n)
        far = v[part]
        moved = np.flatnonzero(far != np.roll(ring, -(layer + 1)))
        landed = seat[far[moved]]
        far[:] = np.roll(seat, -(layer + 1))
        far[moved] = landed
        u[part] = seat
    return u, v


def _segment_order(tie_break: np.ndarray, age_key: np.ndarray, region_key: np.ndarray) -> np.ndarray:
    """np.lexsort((tie_break, age_key, region_key)) (int32): people by segment (region key, then
    age-group key), each segment in the order of its random draws (uniform doubles, 53 bits).

    One in-place sort of 64-bit words, numpy's vectorized sort, instead of argsorts (about a
    fifth of their time at 10M): a word is the segment, then the draw's leading bits, then the
    person (the bits it needs). People whose words share a segment and leading bits with a
    neighbour's (a few hundred at 10M, 37 leading bits) are then ordered by their whole draws."""
    n = tie_break.size
    person_bits = max(1, (n - 1).bit_length())
    segment = region_key.astype(np.int16) * (int(age_key.max()) + 1) + age_key.astype(np.int16)
    segment_bits = max(1, int(segment.max()).bit_length())
    draw_bits = min(53, 64 - segment_bits - person_bits)
    words = np.empty(n, dtype=np.uint64)
    for start in range(0, n, 1 << 20):  # a slice at a time: no full-size temporaries
        part = slice(start, start + (1 << 20))
        word = words[part]
        np.multiply(tie_break[part], 2.0**53, out=word, casting="unsafe")  # the draw's 53 bits, exactly
        word >>= np.uint64(53 - draw_bits)
        word |= segment[part].astype(np.uint64) << np.uint64(draw_bits)
        word <<= np.uint64(person_bits)
        word |= np.arange(start, start + word.size, dtype=np.uint64)
    del segment
    words.sort()
    people = (words & np.uint64((1 << person_bits) - 1)).astype(np.int32)
    heads = words[1:] ^ words[:-1]
    heads >>= np.uint64(person_bits)
    tied = np.flatnonzero(heads == 0)  # same segment and leading bits as the next word
    del heads
    if tied.size:
        at = np.union1d(tied, tied + 1)
        who = people[at]
        people[at] = who[np.lexsort((who, tie_break[who], words[at] >> np.uint64(person_bits)))]
    return people


def lattice_ends(n: int, k: int) -> np.ndarray:
    """The far end of each tie of `fast_watts_strogatz` before rewiring, in its tie order."""
    v = np.empty((k // 2, n), dtype=np.int32)
    v[:] = np.arange(n, dtype=np.int32)
    v += np.arange(1, k // 2 + 1, dtype=np.int32)[:, None]
    np.subtract(v, n, out=v, where=v >= n)
    return v.ravel()


def off_lattice(v: np.ndarray, n: int) -> np.ndarray:
    """v != lattice_ends(n, k), a layer at a time (no second edge list)."""
    ring = np.arange(n, dtype=np.int32)
    moved = np.empty(v.size, dtype=bool)
    for layer in range(v.size // n):
        part = slice(layer * n, (layer + 1) * n)
        np.not_equal(v[part], np.roll(ring, -(layer + 1)), out=moved[part])
    return moved


def redirect_within_segment(
    edges: Edges,
    moved: np.ndarray,
    homophily: Homophily,
    age_group: np.ndarray,
    region: np.ndarray,
    rng: np.random.Generator,
) -> Edges:
    """Give rewired ties homophily too: the far end of a `moved` tie is redrawn among people of
    u's region with probability h_region^2 (and of u's age group with h_age_group^2), keeping v's
    other attribute. Seating gives lattice ties an assortativity of about h^2 (both ends must have
    kept their own key), so rewired ties get the same; they close no triangles, so clustering is
    untouched, and a small world keeps its homophily at any rewiring probability."""
    u, v = edges
    moved = np.flatnonzero(moved)  # labels looked up for rewired ties only (the draws cover all ties)
    near, far = u[moved], v[moved]
    fix_region = (region[near] != region[far]) & uniform_below(rng, u.size, homophily.region**2)[moved]
    fix_age = (age_group[near] != age_group[far]) & uniform_below(rng, u.size, homophily.age_group**2)[moved]
    move = fix_region | fix_age
    if not move.any():
        return u, v
    n_regions = int(region.max()) + 1
    segment = age_group.astype(np.int16) * n_regions + region  # small integers: a linear radix sort
    order = np.argsort(segment, kind="stable")
    starts = np.searchsorted(segment[order], np.arange(segment.max() + 2))
    wanted = (
        np.where(fix_age, age_group[near], age_group[far])[move].astype(np.int64) * n_regions
        + np.where(fix_region, region[near], region[far])[move]
    )
    picks = starts[wanted] + (rng.random(wanted.size) * (starts[wanted + 1] - starts[wanted])).astype(np.int64)
    v[moved[move]] = order[picks]
    return u, v
