"""Breach (an event): a security incident in the news.

At `start`, the trust of the target (default everyone: the news reaches users and non-users
alike) drops by `drop` (floored at 0), and for `spike_steps` steps the lapse probability of
active users in the target is multiplied by `lapse_spike`. No cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention, InterventionRun
from adoptsim.schema import Fraction, NonNegative, PositiveInt

if TYPE_CHECKING:
    from adoptsim.model import WalletAdoptionModel


class Breach(Intervention):
    """Trust falls at once; lapsing spikes for a few steps."""

    type: Literal["breach"] = "breach"
    drop: Fraction = Field(0.2, description="Subtracted from trust (floored at 0).")
    lapse_spike: NonNegative = Field(3.0, description="Multiplier on the lapse probability during the spike.")
    spike_steps: PositiveInt = Field(4, description="Steps the lapse spike lasts.")

    def apply(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        step = model.step_index
        if step >= self.start + self.spike_steps:
            return
        target = self.in_target(model, run)
        if step == self.start:
            model.people.trust[target] = np.maximum(model.people.trust[target] - self.drop, 0.0)
        model.levers.lapse[target] *= self.lapse_spike
