"""Sign-up bonus: cashback for new users' first payment (Alipay's and WeChat's red packets).

While active, aware consumers of the target who never used the wallet are offered `amount`
(money) for adopting; it enters adoption utility through the money response
b_inc (1 - rho income) ln(1 + amount / money_scale). Cost: `amount` for each of them who adopts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.scenario.schema import Money
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext, StepOutcome


class SignupBonus(Intervention):
    """Money for first-time adopters, paid on adoption."""

    type: Literal["signup_bonus"] = "signup_bonus"
    amount: Money = Field(10.0, description="Money paid to each first-time adopter.")

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        people = model.people
        eligible = self.in_target(model, run) & ~people.ever_adopted & (people.stage != Stage.ACTIVE.value)
        model.levers.incentive[eligible] += self.amount
        run.extra["eligible"] = eligible

    def settle(self, model: StepContext, run: InterventionRun, outcome: StepOutcome) -> None:
        adopters = int((outcome.new_adopters & run.extra.pop("eligible")).sum())
        run.pay(adopters * self.amount)
