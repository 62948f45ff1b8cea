"""UX improvement: simpler flows, regular updates; the product gets easier for everyone.

From `start` on, product ease (the `ease` factor of b_ease * tech_skill * ease) rises by
`ease_gain`, spread linearly over `ramp_steps` steps; it stays raised after the intervention
ends. Cost: `fixed_cost`, paid at `start`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.scenario.schema import Money, NonNegative, PositiveInt

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext


class UxImprovement(Intervention):
    """Raise product ease for all, once and for good."""

    type: Literal["ux_improvement"] = "ux_improvement"
    ease_gain: NonNegative = Field(0.3, description="Total rise of product ease.")
    ramp_steps: PositiveInt = Field(1, description="Steps over which the rise is spread.")
    fixed_cost: Money = Field(50000.0, description="Money paid once at start.")

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        if model.step_index < run.started_at + self.ramp_steps:
            model.ease += self.ease_gain / self.ramp_steps
