"""Awareness campaign: ads and social media that make people hear of the wallet.

Each active step a share `reach` of the target is contacted; an unaware contact becomes aware
with probability `conversion`. Cost: `cost_per_contact` per contact.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention, InterventionRun, choose
from adoptsim.schema import Fraction, NonNegative
from adoptsim.stages import Stage


class AwarenessCampaign(Intervention):
    """Reach a share of the target each step; unaware contacts become aware with `conversion`."""

    type: Literal["awareness_campaign"] = "awareness_campaign"
    reach: Fraction = Field(0.05, description="Share of the target contacted per step.")
    conversion: Fraction = Field(0.3, description="Chance an unaware contact becomes aware.")
    cost_per_contact: NonNegative = Field(0.5, description="Money per contact.")

    def apply(self, model, run: InterventionRun) -> None:
        people = model.people
        target = self.in_target(model, run)
        wanted = int(round(self.reach * target.sum()))
        contacts = choose(run, model, target, run.affordable(wanted, self.cost_per_contact), "random")
        run.pay(contacts.size * self.cost_per_contact)
        converted = contacts[run.rng.random(contacts.size) < self.conversion]
        converted = converted[people.stage[converted] == Stage.UNAWARE]
        people.stage[converted] = Stage.AWARE
