"""Customer support: a 24/7 help line and security help desk that keep users from giving up.

While active, the lapse probability of the target is multiplied by `factor`.
Cost: `cost_per_step`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.scenario.schema import Fraction, Money

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext


class CustomerSupport(Intervention):
    """Lower the lapse probability of the target by a factor."""

    type: Literal["customer_support"] = "customer_support"
    factor: Fraction = Field(0.7, description="Multiplier on the lapse probability.")
    cost_per_step: Money = Field(5000.0, description="Money per step of support.")

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        if run.affordable(1, self.cost_per_step) < 1:
            return
        run.pay(self.cost_per_step)
        model.levers.lapse[self.in_target(model, run)] *= self.factor
