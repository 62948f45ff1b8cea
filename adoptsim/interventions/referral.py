"""Referral rewards: existing users bring new ones, both sides paid (PayPal's $20 + $20).

While active, a consumer of the target with at least one active neighbour is offered `reward`
(money) for adopting: it enters adoption utility through the money response
b_inc (1 - rho income) ln(1 + x / money_scale). Users talk more when paid for it: word of mouth
reaching the target is multiplied by w_i = 1 + b_inc ln(1 + referrer_reward / money_scale).
Cost: reward + referrer_reward for every referred consumer who adopts, and nothing else, so a
referral programme with no reward costs nothing and does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.scenario.schema import Money

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext, StepOutcome


class Referral(Intervention):
    """Money for referred adopters and their referrers."""

    type: Literal["referral"] = "referral"
    reward: Money = Field(20.0, description="Money paid to a referred consumer who adopts.")
    referrer_reward: Money | None = Field(
        None, description="Money paid to the user who referred them (default: the same as reward)."
    )

    @property
    def paid_to_referrer(self) -> float:
        return self.reward if self.referrer_reward is None else self.referrer_reward

    def wom_boost(self, model: StepContext) -> float:
        """w_i = 1 + b_inc ln(1 + referrer_reward / money_scale): users paid to talk talk more."""
        b = model.behaviour
        return 1.0 + b.b_inc * float(np.log1p(self.paid_to_referrer / b.money_scale))

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        target = self.in_target(model, run)
        model.levers.wom[target] *= self.wom_boost(model)
        referred = target & model.has_active_neighbour
        model.levers.incentive[referred] += self.reward
        run.extra["referred"] = referred

    def settle(self, model: StepContext, run: InterventionRun, outcome: StepOutcome) -> None:
        adopters = int((outcome.new_adopters & run.extra.pop("referred")).sum())
        run.pay(adopters * (self.reward + self.paid_to_referrer))
