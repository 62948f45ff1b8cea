"""Training classes: free courses and video tutorials, e.g. for middle-aged and older people.

Each active step `seats` people of the target not yet trained take a class:
tech_skill += skill_gain (capped at 1), trust += trust_gain * (1 - trust), and the unaware
become aware. A trainee out of the market enters it with probability `market_entry`: for older
people the barrier is often not knowing how to pay by phone, which a class removes (an
assumption: CNNIC's surveys of non-users name lack of skills as the main reason, but a class does
not give a smartphone or a bank account to those without). Cost: `cost_per_seat` per trainee.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.interventions.targeting import Priority, choose, make_aware
from adoptsim.scenario.schema import Fraction, Money, NonNegativeInt

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext
    from adoptsim.world.population import People


class Training(Intervention):
    """Classes that raise tech skill (and awareness, optionally trust) of those trained."""

    type: Literal["training"] = "training"
    seats: NonNegativeInt = Field(100, description="People trained per step.")
    skill_gain: Fraction = Field(0.3, description="Added to tech_skill (capped at 1).")
    trust_gain: Fraction = Field(0.0, description="Share of the trust gap closed: trust += gain*(1 - trust).")
    market_entry: Fraction = Field(
        0.3, description="Chance that a trainee out of the market enters it (skills were their barrier)."
    )
    prioritize: Priority = Field("random", description="Who gets a seat first.")
    cost_per_seat: Money = Field(20.0, description="Money per person trained.")

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        people = model.people
        if run.reached is None:
            run.reached = np.zeros(people.size, dtype=bool)
        candidates = self.in_target(model, run) & ~run.reached
        trainees = choose(run, model, candidates, run.affordable(self.seats, self.cost_per_seat), self.prioritize)
        run.pay(trainees.size * self.cost_per_seat)
        run.reached[trainees] = True
        train(people, trainees, self.skill_gain, self.trust_gain)
        bring_into_market(people, trainees, self.market_entry, run.rng)
        make_aware(model, trainees)


def bring_into_market(people: People, who: np.ndarray, chance: float, rng: np.random.Generator) -> None:
    """Those of `who` out of the market enter it with probability `chance` (one draw each)."""
    entering = rng.random(who.size) < chance
    people.in_market[who[entering]] = True


def train(people: People, who: np.ndarray, skill_gain: float, trust_gain: float) -> None:
    """tech_skill += skill_gain (capped at 1); trust += trust_gain * (1 - trust)."""
    people.tech_skill[who] = np.minimum(people.tech_skill[who] + skill_gain, 1.0)
    people.trust[who] += trust_gain * (1.0 - people.trust[who])
