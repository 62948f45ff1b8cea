"""What the components of one step pass on to the later ones (the plan's shared blackboard)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from adoptsim.engine.outcome import StepOutcome

if TYPE_CHECKING:
    from adoptsim.engine.model import WalletAdoptionModel


@dataclass
class StepState:
    """One step's intermediate values: set by a component, read by those after it.

    `active_before`, `active_neighbours` (snapshot), `use` (usefulness at the start), `applied`
    (interventions acting this step), the funnel's flows and who made them (decisions), payments
    and their value (use), `payments_of` (consumers' payments, a slice at a time, for
    outcome-based costs)."""

    active_before: np.ndarray | None = None
    active_neighbours: np.ndarray | None = None
    use: np.ndarray | None = None
    applied: list[tuple[Any, Any]] = field(default_factory=list)
    new_aware: int = 0
    new_adopters: np.ndarray | None = None
    new_lapses: int = 0
    aware: np.ndarray | None = None  # who became aware (indices), for blocks' own counts
    lapsing: np.ndarray | None = None  # who lapsed
    payments: float = 0.0
    volume: float = 0.0
    payments_of: Callable[[slice], np.ndarray] | None = None
    _outcome: StepOutcome | None = None

    def outcome(self, model: WalletAdoptionModel) -> StepOutcome:
        """The step's StepOutcome (made once, when first asked: by the settling, else the recording)."""
        if self._outcome is None:
            adopters = self.new_adopters if self.new_adopters is not None else np.zeros(model.people.size, dtype=bool)
            payments_of = self.payments_of or (lambda part: np.zeros(part.stop - part.start))
            self._outcome = StepOutcome(
                self.new_aware, adopters, self.new_lapses, self.payments, self.volume, payments_of
            )
        return self._outcome


Component = Callable[["WalletAdoptionModel", StepState], None]
"""A step component: reads and changes the model's arrays, passes results on in the StepState."""
