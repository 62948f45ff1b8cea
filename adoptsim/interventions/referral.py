"""Referral rewards: existing users bring new ones (PayPal's $20 + $20).

While active, word of mouth reaching the target is multiplied by `boost` (w_i in the awareness
equation), and aware non-users of the target with at least one active neighbour see `reward` as
an incentive (the incentive_i term of adoption utility). Cost: `cost_per_referral` for every
such referred consumer who adopts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention, InterventionRun
from adoptsim.schema import NonNegative

if TYPE_CHECKING:
    from adoptsim.model import StepOutcome, WalletAdoptionModel


class Referral(Intervention):
    """Stronger word of mouth and a reward for referred adopters."""

    type: Literal["referral"] = "referral"
    boost: NonNegative = Field(2.0, description="Multiplier on word of mouth (w_i) for the target.")
    reward: NonNegative = Field(0.5, description="Incentive (utility units) for a referred consumer.")
    cost_per_referral: NonNegative = Field(20.0, description="Money per referred adopter (both sides' rewards).")

    def apply(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        target = self.in_target(model, run)
        model.levers.wom[target] *= self.boost
        referred = target & model.has_active_neighbour
        model.levers.incentive[referred] += self.reward
        run.extra["referred"] = referred

    def settle(self, model: WalletAdoptionModel, run: InterventionRun, outcome: StepOutcome) -> None:
        adopters = int((outcome.new_adopters & run.extra.pop("referred")).sum())
        run.pay(adopters * self.cost_per_referral)
