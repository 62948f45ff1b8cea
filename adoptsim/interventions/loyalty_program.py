"""Loyalty programme: points and membership for frequent use (Google Pay's points, Alipay's
membership levels), so that paying by wallet becomes a habit.

While active, each active user of the target collects `points` (money) a week. Members weigh
`perceived_weeks` weeks of points, x = points * perceived_weeks, through the money response
v_i = b_inc (1 - rho income_i) ln(1 + x / money_scale): their lapse probability is multiplied by
e^-v_i and their wallet habit grows by an extra habit_boost (1 - e^-v_i)(1 - wallet_habit) per
step. No points, no effect. Cost: `points` per member per step (when the budget cannot pay for
all, a random part of them collect points).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.scenario.schema import Fraction, Money, NonNegative
from adoptsim.world.chunks import CHUNK
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext


class LoyaltyProgram(Intervention):
    """Points for active users: stronger wallet habit, fewer lapses."""

    type: Literal["loyalty_program"] = "loyalty_program"
    points: Money = Field(0.5, description="Money in points per active member per step.")
    perceived_weeks: NonNegative = Field(
        13.0, description="Weeks of points a member weighs (a quarter; an assumption)."
    )
    habit_boost: Fraction = Field(
        0.1, description="Largest extra share of the wallet-habit gap closed per step (at a very large reward)."
    )

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        people = model.people
        members = np.flatnonzero(self.in_target(model, run) & (people.stage == Stage.ACTIVE.value))
        affordable = run.affordable(members.size, self.points)
        if affordable < members.size:  # the budget runs short: a random part of the members
            members = run.rng.choice(members, size=affordable, replace=False)
        run.pay(members.size * self.points)
        lapse = model.levers.lapse
        for start in range(0, members.size, CHUNK):  # most active users are members: a chunk at a time
            part = members[start : start + CHUNK]
            weighed = np.full(part.size, self.points * self.perceived_weeks)
            kept = np.exp(-model.money_utility(weighed, part))
            people.wallet_habit[part] += self.habit_boost * (1.0 - kept) * (1.0 - people.wallet_habit[part])
            lapse[part] *= kept
