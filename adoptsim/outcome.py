"""What happened in one step: read by interventions' outcome-based costs and by the Recorder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class StepOutcome:
    """What happened in one step, for interventions' costs and the Recorder."""

    new_aware: int
    new_adopters: np.ndarray  # bool per consumer
    new_lapses: int
    payments: float  # wallet payments this step, everyone
    payment_volume: float  # their value
    payments_of: Callable[[], np.ndarray] = field(repr=False)
    spend: dict[str, float] = field(default_factory=dict)

    @property
    def n_new_adopters(self) -> int:
        return int(np.count_nonzero(self.new_adopters))

    @property
    def transactions(self) -> np.ndarray:
        """Each consumer's wallet payments this step (computed on first use)."""
        if not hasattr(self, "_transactions"):
            self._transactions = self.payments_of()
        return self._transactions
