"""Merchants (the second agent type) and the consumer-merchant shopping graph.

Each consumer shops at `per_consumer` merchants of their own region, drawn uniformly (with
replacement). The shopping graph is kept once, as a table of each consumer's k merchants (k rows
of n merchant indices; a consumer in a region without merchants points k times at a sentinel
that never accepts). It gives both sides of the network effect:
- the share of i's merchants with a flag (acceptance, a deal): sum over i's k merchants / k;
- the number of merchant j's customers who are active, kept up to date from the consumers whose
  active flag changed (work in proportion to change, not to the n x k links).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field, model_validator

from adoptsim.scenario.schema import Fraction, NonNegativeInt, PositiveInt, StrictModel
from adoptsim.world.population import FLOAT, segment_sizes

# ---------------------------------------------------------------- the `merchants:` block of a scenario


class Merchants(StrictModel):
    """The merchants consumers pay at, and the wallet's acceptance online."""

    count: NonNegativeInt = Field(400, description="Number of merchants (spread over regions by population).")
    categories: dict[str, Fraction] = Field(
        default_factory=lambda: {"grocery": 0.4, "restaurant": 0.3, "retail": 0.3},
        description="Merchant categories and their shares.",
    )
    per_consumer: PositiveInt = Field(5, description="Merchants each consumer shops at (in their region).")
    initial_acceptance: Fraction = Field(0.15, description="Share of merchants accepting the wallet at the start.")
    online_acceptance: Fraction = Field(0.5, description="Share of online shopping where the wallet is accepted.")

    @model_validator(mode="after")
    def _category_shares(self) -> Merchants:
        total = sum(self.categories.values())
        if self.categories and abs(total - 1.0) > 1e-6:
            raise ValueError(f"categories: shares must sum to 1 (got {total:g})")
        return self


@dataclass
class Shops:
    """Structure of arrays, one entry per merchant."""

    region: np.ndarray  # int8, index into the region labels
    category: np.ndarray  # int8, index into the category labels
    accepts: np.ndarray  # bool, takes wallet payments
    has_deal: np.ndarray  # bool, runs a wallet deal now
    customers: np.ndarray  # visits per step from consumers (a consumer may count twice)

    @property
    def size(self) -> int:
        return int(self.accepts.size)


GATHER_CHUNK = 1 << 18
"""Consumers per gather: np.take turns the uint16 merchant ids into a 64-bit index array first, which
for 10M consumers is a fresh 80 MB block (mapped, faulted in and unmapped at every call: 9.6 ns a
consumer against 4.3 at 1M); 262,144 at a time it is 2 MB from the allocator's free list (4.3 ns)."""


class ShoppingGraph:
    """Each consumer's k merchants: `table[s, i]` is the merchant of consumer i's visit s."""

    def __init__(self, table: np.ndarray, merchants: int) -> None:
        self.table = table
        self.merchants = merchants
        self.per_consumer = table.shape[0]
        self.active_customers = np.zeros(merchants + 1, dtype=np.int64)
        self._active = np.zeros(table.shape[1], dtype=bool)

    def flag_count(self, merchant_flags: np.ndarray) -> np.ndarray:
        """For each consumer, how many of their k visits go to a merchant with the flag (uint8)."""
        flags = np.zeros(self.merchants + 1, dtype=np.uint8)
        flags[: self.merchants] = merchant_flags
        count = np.zeros(self.table.shape[1], dtype=np.uint8)
        for start in range(0, count.size, GATHER_CHUNK):
            part = count[start : start + GATHER_CHUNK]
            for visits in self.table[:, start : start + GATHER_CHUNK]:
                part += np.take(flags, visits)
        return count

    def update_flag_count(self, count: np.ndarray, gained: np.ndarray, lost: np.ndarray) -> np.ndarray:
        """flag_count after a few merchants gained or lost the flag, updated in place in `count`;
        returns the consumers whose count changed (ascending).

        One comparison of the table with each changed merchant (SIMD over uint16) instead of k
        gathers (1.6 ms against 5.3 for one merchant at 1M consumers)."""
        touched = []
        delta = np.empty(min(GATHER_CHUNK, count.size), dtype=np.int8)
        same = np.empty((self.per_consumer, delta.size), dtype=bool)
        for start in range(0, count.size, GATHER_CHUNK):
            block = self.table[:, start : start + GATHER_CHUNK]
            width = block.shape[1]
            change, hits = delta[:width], same[:, :width]
            change.fill(0)
            for merchants, move in ((gained, np.add), (lost, np.subtract)):
                for merchant in merchants.tolist():
                    np.equal(block, merchant, out=hits)
                    for row in hits:
                        move(change, row.view(np.int8), out=change)
            who = np.flatnonzero(change != 0)  # on a bool: 8x faster than on the int8 itself
            changed = change[who].view(np.uint8)  # a loss wraps round: count + (256 - d) = count - d
            who += start
            count[who] += changed
            touched.append(who)
        return np.concatenate(touched) if touched else np.empty(0, dtype=np.intp)

    def consumer_share(self, merchant_values: np.ndarray) -> np.ndarray:
        """For each consumer, the mean of a merchant 0/1 quantity over their merchants."""
        share = self.flag_count(merchant_values != 0).astype(FLOAT)
        share /= self.per_consumer
        return share

    def customer_share(self, active: np.ndarray, customers: np.ndarray) -> np.ndarray:
        """For each merchant, the share of their customers (visits) who are active (0 if none),
        updated from the consumers whose flag changed since the last call."""
        changed = (active != self._active).nonzero()[0]
        if changed.size:
            gained = active.take(changed)
            signs = np.empty(self.table.shape[0] * changed.size)
            signs.reshape(self.table.shape[0], -1)[:] = gained  # each visit of one who changed: +1 or -1
            signs += signs - 1
            visits = self.table.take(changed, axis=1).ravel()
            self.active_customers += np.bincount(visits, weights=signs, minlength=self.merchants + 1).astype(np.int64)
            self._active[changed] = gained
        counts = self.active_customers[: self.merchants]
        return np.divide(counts, customers, out=np.zeros(self.merchants), where=customers > 0)


def build_merchants(
    spec: Merchants, consumer_region: np.ndarray, n_regions: int, rng: np.random.Generator
) -> tuple[Shops, ShoppingGraph]:
    """Merchants spread over regions in proportion to consumers; who shops where."""
    n, m = consumer_region.size, spec.count
    region_share = np.bincount(consumer_region, minlength=n_regions) / max(n, 1)
    region = np.repeat(np.arange(n_regions, dtype=np.int8), segment_sizes(m, list(region_share), rng))
    category = rng.choice(len(spec.categories), size=m, p=list(spec.categories.values())).astype(np.int8)
    accepts = rng.random(m) < spec.initial_acceptance
    k = spec.per_consumer
    table = np.full((k, n), m, dtype=np.uint16 if m < 2**16 - 1 else np.int32)
    for r in range(n_regions):
        local = np.flatnonzero(region == r).astype(table.dtype)
        members = np.flatnonzero(consumer_region == r)
        if local.size:
            picked = np.take(local, rng.integers(0, local.size, (members.size, k)))  # row i: member i's merchants
            for visit, merchants in zip(table, picked.T, strict=True):  # row by row: faster than table[:, members]
                visit[members] = merchants
    customers = sum(np.bincount(visits, minlength=m + 1) for visits in table)[:m].astype(float)
    shops = Shops(
        region=region, category=category, accepts=accepts, has_deal=np.zeros(m, dtype=bool), customers=customers
    )
    return shops, ShoppingGraph(table, m)
