"""Sign-up bonus: cashback or points for new users' first payment.

While active, aware consumers of the target who never used the wallet see `amount` as an
incentive. Cost: `cost_per_adopter` for each of them who adopts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention, InterventionRun
from adoptsim.schema import NonNegative
from adoptsim.stages import Stage

if TYPE_CHECKING:
    from adoptsim.model import StepOutcome, WalletAdoptionModel


class SignupBonus(Intervention):
    """An incentive for first-time adopters, paid on adoption."""

    type: Literal["signup_bonus"] = "signup_bonus"
    amount: NonNegative = Field(1.0, description="Incentive (utility units) for aware non-users.")
    cost_per_adopter: NonNegative = Field(10.0, description="Money per new adopter who takes the bonus.")

    def apply(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        people = model.people
        eligible = self.in_target(model, run) & ~people.ever_adopted & (people.stage != Stage.ACTIVE)
        model.levers.incentive[eligible] += self.amount
        run.extra["eligible"] = eligible

    def settle(self, model: WalletAdoptionModel, run: InterventionRun, outcome: StepOutcome) -> None:
        adopters = int((outcome.new_adopters & run.extra.pop("eligible")).sum())
        run.pay(adopters * self.cost_per_adopter)
