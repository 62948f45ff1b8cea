"""Security campaign: promote two-factor authentication, encryption, fraud guarantees.

Each active step a share `reach` of the target is contacted (chosen by `prioritize`):
trust += trust_gain * (1 - trust). After a breach, the trust deficit of everyone contacted so far
comes back at the half-life `behaviour.trust_half_life_answered` instead of `trust_half_life`
while the campaign runs: an extra 1 - 2^(-1/h_answered) / 2^(-1/h) of it each step.
Cost: `cost_per_contact` per contact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.interventions.targeting import Priority, contact
from adoptsim.scenario.schema import Fraction, Money

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext


class SecurityCampaign(Intervention):
    """Raise the trust of those reached."""

    type: Literal["security_campaign"] = "security_campaign"
    reach: Fraction = Field(0.02, description="Share of the target contacted per step.")
    trust_gain: Fraction = Field(0.15, description="Share of the trust gap closed per contact.")
    prioritize: Priority = Field("random", description="Who is contacted first (e.g. lowest_trust).")
    cost_per_contact: Money = Field(1.0, description="Money per contact.")

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        people = model.people
        contacts = contact(run, model, self.in_target(model, run), self.reach, self.cost_per_contact, self.prioritize)
        people.trust[contacts] += self.trust_gain * (1.0 - people.trust[contacts])
        if run.reached is None:
            run.reached = np.zeros(people.size, dtype=bool)
        run.reached[contacts] = True
        if model.trust_recovering:
            answered = np.flatnonzero(run.reached & (people.trust_deficit > 0))
            model.speed_trust_recovery(answered, model.behaviour.trust_half_life_answered)
