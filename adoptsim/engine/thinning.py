"""Random decisions by thinning: the exact rule is evaluated only where the draw falls below a bound.

A draw at or above an upper bound of a probability decides "no" whatever the exact probability
is, so a rule need only be evaluated where the draw falls below the bound: the same decisions
from the same draws, for a fraction of the work (thinning, as in Lewis and Shedler's simulation
of point processes). The bounds sit beside the rules (rules.adoption_ceiling and the like).

Everyone draws one number a step, whatever rules apply to them, so an intervention never shifts
anyone's draw (common random numbers). Rules whose candidates are disjoint (the unaware, the
aware and lapsed, the active) share that number: each consumer is a candidate of one of them
at most. A consumer chosen with draw u < p keeps u / p, again uniform on [0, 1) and independent
of the decision, for a decision that follows from this one in the same step (inverse-transform
recycling: given u < p, u / p is uniform). The draws come a slice at a time into one small
buffer: PCG64 gives the same numbers in slices as in one call of n, and the buffer stays in
cache instead of being a full-size array written and read once more per rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from adoptsim.engine.rules import CHUNK, DENSE_SHARE, slices

Ceiling = float | Callable[[np.ndarray | slice], np.ndarray]


@dataclass(frozen=True)
class Rule:
    """One random decision: an upper bound of its probability (one for everyone, or a function
    giving the bounds of a slice or of gathered indices), who may take it (for a slice), and its
    probability (for a slice of consumers or for gathered indices).

    `then` names a later rule, by its position, that those chosen here take next in the same
    step, on the rest of their draw, where `then_eligible` (of gathered indices) holds (None:
    all of them)."""

    ceiling: Ceiling
    eligible: Callable[[slice], np.ndarray]
    probability: Callable[[np.ndarray | slice], np.ndarray]
    then: int | None = None
    then_eligible: Callable[[np.ndarray], np.ndarray] | None = None


def bound(ceiling: Ceiling, who: np.ndarray | slice) -> float | np.ndarray:
    """The ceiling for the consumers `who`: the one bound for everyone, or theirs."""
    return ceiling if isinstance(ceiling, float) else ceiling(who)


def draw_buffer() -> np.ndarray:
    """The buffer `decide` draws each slice into (float64, as the streams always drew)."""
    return np.empty(CHUNK)


def slice_draws(stream: np.random.Generator, n: int, buffer: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    """Each slice of consumers 0..n-1 with its draws from `stream`, in `buffer` (overwritten by
    the next slice): the numbers of one draw for all n."""
    for part in slices(n):
        yield part, stream.random(out=buffer[: part.stop - part.start])


@dataclass
class _Pending:
    """A rule's decisions so far, and its sparse candidates waiting, with their draws, to be
    evaluated CHUNK at a time (so the rule is called a few times a step and its temporaries
    stay a chunk long)."""

    rule: Rule
    then: _Pending | None = None
    who: list[np.ndarray] = field(default_factory=list)
    waiting: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    count: int = 0

    def choose(self, who: np.ndarray | slice, draw: np.ndarray, start: int = 0) -> None:
        """Keep the candidates `who` whose `draw` falls below their probability; pass those
        chosen on to the next rule, with the rest of their draw."""
        p = self.rule.probability(who)
        hit = (draw < p).nonzero()[0]
        chosen = (hit + start) if isinstance(who, slice) else who.take(hit)
        self.who.append(chosen)
        if self.then is not None and chosen.size:
            rest = draw.take(hit) / p.take(hit)
            going = np.less(rest, bound(self.then.rule.ceiling, chosen))
            if self.rule.then_eligible is not None:
                going &= self.rule.then_eligible(chosen)
            self.then.wait(chosen[going], rest[going])

    def wait(self, who: np.ndarray, draw: np.ndarray) -> None:
        self.waiting.append((who, draw))
        self.count += who.size
        if self.count >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if len(self.waiting) == 1:
            self.choose(*self.waiting[0])
        elif self.waiting:
            self.choose(np.concatenate([w for w, _ in self.waiting]), np.concatenate([d for _, d in self.waiting]))
        self.waiting.clear()
        self.count = 0

    def decision(self) -> np.ndarray:
        """Who the rule chose (ascending where no earlier rule passes anyone on to it)."""
        self.flush()
        if len(self.who) == 1:
            return self.who[0]
        return np.concatenate(self.who) if self.who else np.empty(0, dtype=np.intp)


def decide(stream: np.random.Generator, n: int, rules: Sequence[Rule], buffer: np.ndarray) -> list[np.ndarray]:
    """For each rule, the consumers i with eligible_i and draw_i < p_i, all rules on one draw each
    (and those who come to a rule from an earlier one, on the rest of their draw).

    The rules' eligible sets must be disjoint (one draw serves one decision). A slice where most
    are a rule's candidates is evaluated as a view; otherwise its candidates wait. Every candidate
    is decided on the state at the start of the call: nothing is applied here."""
    pending = [_Pending(rule) for rule in rules]
    for position, (rule, slot) in enumerate(zip(rules, pending, strict=True)):
        if rule.then is not None:
            if rule.then <= position:
                raise ValueError("a rule can pass those it chose only to a later rule")
            slot.then = pending[rule.then]
    for part, draw in slice_draws(stream, n, buffer):
        for rule, slot in zip(rules, pending, strict=True):
            mask = np.less(draw, bound(rule.ceiling, part))
            mask &= rule.eligible(part)
            hits = mask.nonzero()[0]
            if hits.size > DENSE_SHARE * mask.size:
                slot.flush()
                slot.choose(part, np.where(mask, draw, 2.0), part.start)
            elif hits.size:
                drawn = draw.take(hits)
                if part.start:
                    hits += part.start
                slot.wait(hits, drawn)
    return [slot.decision() for slot in pending]


def draw_below(stream: np.random.Generator, n: int, p: float | np.ndarray, out: np.ndarray, buffer: np.ndarray) -> None:
    """out_i |= draw_i < p for everyone (one probability for all, or p_i), a slice at a time."""
    for part, draw in slice_draws(stream, n, buffer):
        out[part] |= draw < (p if isinstance(p, float) else p[part])
