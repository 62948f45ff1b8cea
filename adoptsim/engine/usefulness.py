"""Usefulness u_i = acc_i + online_i (oa - acc_i) (rules.usefulness), with acc_i the share of consumer i's merchants
that accept the wallet: kept from step to step, updated from the merchants that changed.

A step where one to a few merchants start accepting (most steps) touches only their customers:
one comparison of the shopping table with each of them (ShoppingGraph.update_flag_count), not
k gathers for every consumer. Each consumer's u_i is computed by the same operations either
way, so the values do not depend on the route.
"""

from __future__ import annotations

import numpy as np

from adoptsim.engine import rules
from adoptsim.world.merchants import ShoppingGraph
from adoptsim.world.population import FLOAT

FEW_MERCHANTS = 4
"""Up to this many merchants changing acceptance in a step, only their customers are updated."""


class Usefulness:
    """u_i for every consumer, with the acceptance it was computed from."""

    def __init__(self, shopping: ShoppingGraph, online: np.ndarray, online_acceptance: float) -> None:
        self.shopping = shopping
        self.online = online
        self.online_acceptance = FLOAT(online_acceptance)
        self.values = np.zeros(online.size, dtype=FLOAT)
        self._accepting: np.ndarray | None = None
        self._count: np.ndarray | None = None  # uint8: how many of each consumer's k visits accept

    def __call__(self, accepts: np.ndarray) -> np.ndarray:
        """u for merchant acceptance `accepts` (updated only where it changed since the last call)."""
        if self._accepting is not None and (accepts == self._accepting).all():
            return self.values
        if self._accepting is None:
            self._count = self.shopping.flag_count(accepts) if accepts.size else None
            self._set(slice(None))
        else:
            gained, lost = np.flatnonzero(accepts & ~self._accepting), np.flatnonzero(self._accepting & ~accepts)
            if gained.size + lost.size <= FEW_MERCHANTS:
                self._set(self.shopping.update_flag_count(self._count, gained, lost))
            else:
                self._count = self.shopping.flag_count(accepts)
                self._set(slice(None))
        self._accepting = accepts.copy()
        return self.values

    def _set(self, who: np.ndarray | slice) -> None:
        if self._count is None:
            share = np.zeros(self.values.size, dtype=FLOAT)[who]
        else:
            share = self._count[who].astype(FLOAT)
            share /= self.shopping.per_consumer
        self.values[who] = rules.usefulness(self.online[who], share, self.online_acceptance)
