"""What happened in one step: read by interventions' outcome-based costs and by the Recorder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from adoptsim.engine.rules import slices


@dataclass
class StepOutcome:
    """What happened in one step, for interventions' costs and the Recorder."""

    new_aware: int
    new_adopters: np.ndarray  # bool per consumer
    new_lapses: int
    payments: float  # wallet payments this step, everyone
    payment_volume: float  # their value
    payments_of: Callable[[slice], np.ndarray] = field(repr=False)  # consumers' payments, a slice at a time
    spend: dict[str, float] = field(default_factory=dict)

    @property
    def n_new_adopters(self) -> int:
        return int(np.count_nonzero(self.new_adopters))

    def payments_weighted(self, weights: np.ndarray) -> float:
        """sum_i x_i w_i over consumers' payments x_i this step, a slice at a time (no full array)."""
        return sum(float(np.dot(self.payments_of(part), weights[part])) for part in slices(weights.size))
