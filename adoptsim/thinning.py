"""Random decisions by thinning: the exact rule is evaluated only where the draw falls below a bound.

A draw at or above an upper bound of a probability decides "no" whatever the exact probability
is, so a rule need only be evaluated where the draw falls below the bound: the same decisions
from the same draws, for a fraction of the work (thinning, as in Lewis and Shedler's simulation
of point processes). The bounds sit beside the rules (dynamics.adoption_ceiling and the like).

Everyone still draws, so an intervention never shifts anyone's draw (common random numbers),
but a slice at a time into one small buffer: PCG64 gives the same numbers in slices as in one
call of n, and the buffer stays in cache instead of being a full-size array written and read
once more per rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from adoptsim.dynamics import CHUNK, DENSE_SHARE, slices

Ceiling = float | Callable[[slice], np.ndarray]


def draw_buffer() -> np.ndarray:
    """The buffer `decide` draws each slice into (float64, as the streams always drew)."""
    return np.empty(CHUNK)


def slice_draws(stream: np.random.Generator, n: int, buffer: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    """Each slice of consumers 0..n-1 with its draws from `stream`, in `buffer` (overwritten by
    the next slice): the numbers of one draw for all n."""
    for part in slices(n):
        yield part, stream.random(out=buffer[: part.stop - part.start])


def decide(
    stream: np.random.Generator,
    n: int,
    ceiling: Ceiling,
    eligible: Callable[[slice], np.ndarray],
    probability: Callable[[np.ndarray | slice], np.ndarray],
    buffer: np.ndarray,
) -> np.ndarray:
    """Ascending indices i of the consumers with eligible_i and draw_i < p_i.

    `ceiling` is one bound of p for everyone, or a function giving the bounds of a slice;
    `eligible` gives the eligibility of a slice; `probability(who)` gives p for a slice of
    consumers or for gathered indices. A slice where most are candidates is evaluated as a view;
    otherwise its candidates wait, with their draws, until CHUNK of them are gathered, so the
    rule is called a few times a step and its temporaries stay a chunk long. Every candidate is
    decided on the state at the start of the call: nothing is applied here."""
    chosen: list[np.ndarray] = []
    waiting: list[tuple[np.ndarray, np.ndarray]] = []
    count = 0

    def evaluate_waiting() -> None:
        nonlocal count
        if count:
            who = np.concatenate([who for who, _ in waiting])
            draw = np.concatenate([draw for _, draw in waiting])
            chosen.append(who[draw < probability(who)])
        waiting.clear()
        count = 0

    for part, draw in slice_draws(stream, n, buffer):
        mask = np.less(draw, ceiling if isinstance(ceiling, float) else ceiling(part))
        mask &= eligible(part)
        hits = np.flatnonzero(mask)
        if hits.size > DENSE_SHARE * mask.size:
            evaluate_waiting()
            mask &= draw < probability(part)
            chosen.append(np.flatnonzero(mask) + part.start)
            continue
        waiting.append((hits + part.start, draw[hits]))
        count += hits.size
        if count >= CHUNK:
            evaluate_waiting()
    evaluate_waiting()
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.intp)


def draw_below(stream: np.random.Generator, n: int, p: float, out: np.ndarray, buffer: np.ndarray) -> None:
    """out_i |= draw_i < p for everyone (one probability for all), a slice at a time."""
    for part, draw in slice_draws(stream, n, buffer):
        out[part] |= draw < p
