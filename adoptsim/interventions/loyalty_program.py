"""Loyalty programme: points and membership for frequent use (Google Pay's points, Alipay's
membership levels), so that paying by wallet becomes a habit.

While active, each active user of the target collects points: their wallet habit grows by an
extra `habit_boost * (1 - wallet_habit)` per step and their lapse probability is multiplied by
`lapse_factor`. Cost: `cost_per_active_user` per active user in the target per step (when the
budget cannot pay for all, a random part of them collect points).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention, InterventionRun
from adoptsim.schema import Fraction, NonNegative
from adoptsim.stages import Stage

if TYPE_CHECKING:
    from adoptsim.model import WalletAdoptionModel


class LoyaltyProgram(Intervention):
    """Points for active users: stronger wallet habit, fewer lapses."""

    type: Literal["loyalty_program"] = "loyalty_program"
    habit_boost: Fraction = Field(0.03, description="Extra share of the wallet-habit gap closed per step.")
    lapse_factor: Fraction = Field(0.8, description="Multiplier on members' lapse probability.")
    cost_per_active_user: NonNegative = Field(0.2, description="Money per active member per step (points).")

    def apply(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        people = model.people
        members = np.flatnonzero(self.in_target(model, run) & (people.stage == Stage.ACTIVE))
        affordable = run.affordable(members.size, self.cost_per_active_user)
        if affordable < members.size:  # the budget runs short: a random part of the members
            members = run.rng.choice(members, size=affordable, replace=False)
        run.pay(members.size * self.cost_per_active_user)
        people.wallet_habit[members] += self.habit_boost * (1.0 - people.wallet_habit[members])
        model.levers.lapse[members] *= self.lapse_factor
