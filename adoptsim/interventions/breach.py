"""Breach (an event): a security incident in the news.

At `start`, the trust of the target (default everyone: the news reaches users and non-users
alike) drops by `drop` (floored at 0), and for `spike_steps` steps the lapse probability of
active users in the target is multiplied by `lapse_spike`. What was lost is remembered as a
trust deficit that comes back at the half-life `behaviour.trust_half_life` (faster for those a
security campaign reaches afterwards). No cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.scenario.schema import Fraction, NonNegative, PositiveInt

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext


class Breach(Intervention):
    """Trust falls at once; lapsing spikes for a few steps."""

    type: Literal["breach"] = "breach"
    drop: Fraction = Field(0.2, description="Subtracted from trust (floored at 0).")
    lapse_spike: NonNegative = Field(3.0, description="Multiplier on the lapse probability during the spike.")
    spike_steps: PositiveInt = Field(4, description="Steps the lapse spike lasts.")

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        step = model.step_index
        if step >= run.started_at + self.spike_steps:
            return
        target = self.in_target(model, run)
        if step == run.started_at:
            people = model.people
            lost = np.minimum(people.trust[target], self.drop)
            people.trust[target] -= lost
            people.trust_deficit[target] += lost
            model.trust_recovering = True
        model.levers.lapse[target] *= self.lapse_spike
