"""Merchants (the second agent type) and the consumer-merchant shopping graph.

Each consumer shops at `per_consumer` merchants of their own region, drawn uniformly (with
replacement). The bipartite graph B (consumers x merchants) gives both sides of the network
effect: the share of i's merchants that accept, (B @ accepts) / k, and the share of merchant j's
customers who are active, (B^T @ active) / customers_j.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from pydantic import Field, model_validator

from adoptsim.population import segment_sizes
from adoptsim.schema import Fraction, NonNegativeInt, PositiveInt, StrictModel

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


@dataclass
class ShoppingGraph:
    """B (consumers x merchants, k entries per row) and its transpose, both CSR."""

    links: sp.csr_matrix
    links_t: sp.csr_matrix
    per_consumer: int

    def consumer_share(self, merchant_values: np.ndarray) -> np.ndarray:
        """For each consumer, the mean of a merchant quantity over their merchants."""
        return (self.links @ merchant_values.astype(np.float32)) / self.per_consumer

    def customer_share(self, consumer_values: np.ndarray, customers: np.ndarray) -> np.ndarray:
        """For each merchant, the mean of a consumer quantity over their customers (0 if none)."""
        totals = self.links_t @ consumer_values.astype(np.float32)
        return np.divide(totals, customers, out=np.zeros(totals.size), where=customers > 0)


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
    cols = np.zeros((n, k), dtype=np.int64)
    has_shops = np.zeros(n, dtype=bool)
    for r in range(n_regions):
        local = np.flatnonzero(region == r)
        members = np.flatnonzero(consumer_region == r)
        if local.size:
            cols[members] = local[rng.integers(0, local.size, (members.size, k))]
            has_shops[members] = True
    rows = np.repeat(np.arange(n), k)[np.repeat(has_shops, k)]
    cols = cols[has_shops].ravel()
    links = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, m))
    customers = np.asarray(links.sum(axis=0)).ravel()
    shops = Shops(
        region=region, category=category, accepts=accepts, has_deal=np.zeros(m, dtype=bool), customers=customers
    )
    return shops, ShoppingGraph(links=links, links_t=links.T.tocsr(), per_consumer=k)
