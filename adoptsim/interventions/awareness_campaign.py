"""Awareness campaign: ads and social media that make people hear of the wallet.

Each active step a share of the target is contacted (chosen by `prioritize`): `reach`, or
`reach_by_age_group[g]` for age group g (a channel reaches ages differently: one campaign per
channel). An unaware contact becomes aware with probability `conversion`. While active, the campaign also multiplies the
target's baseline media rate by `media_boost` (m_i in the awareness equation:
1 - (1 - p_media m_i)(1 - q_wom w_i)^A_i). Cost: `cost_per_contact` per contact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.interventions.targeting import Priority, contact, make_aware
from adoptsim.scenario.schema import Fraction, Money, NonNegative

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext
    from adoptsim.scenario.spec import Scenario


class AwarenessCampaign(Intervention):
    """Reach a share of the target each step; unaware contacts become aware with `conversion`."""

    type: Literal["awareness_campaign"] = "awareness_campaign"
    reach: Fraction = Field(0.05, description="Share of the target contacted per step.")
    reach_by_age_group: dict[str, Fraction] = Field(
        default_factory=dict, description="Share contacted per step by age-group label; others use reach."
    )
    conversion: Fraction = Field(0.3, description="Chance an unaware contact becomes aware.")
    prioritize: Priority = Field("random", description="Who is contacted first (e.g. degree: influencers).")
    media_boost: NonNegative = Field(1.0, description="Multiplier on p_media for the target while active (m_i).")
    cost_per_contact: Money = Field(0.5, description="Money per contact.")

    def check_against(self, scenario: Scenario) -> str | None:
        for label in self.reach_by_age_group:
            if label not in scenario.population.age_groups:
                valid = ", ".join(scenario.population.age_groups)
                return f"reach_by_age_group: unknown age group '{label}' (valid: {valid})"
        return super().check_against(scenario)

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        target = self.in_target(model, run)
        if self.media_boost != 1:  # a neutral boost leaves the lever untouched (and unallocated)
            model.levers.media[target] *= self.media_boost
        if not self.reach_by_age_group:
            contacts = contact(run, model, target, self.reach, self.cost_per_contact, self.prioritize)
        else:
            contacts = np.concatenate(
                [
                    contact(
                        run,
                        model,
                        target & (model.people.age_group == g),
                        share,
                        self.cost_per_contact,
                        self.prioritize,
                    )
                    for g, share in enumerate(
                        self.reach_by_age_group.get(label, self.reach) for label in model.age_group_labels
                    )
                ]
            )
        make_aware(model, contacts[run.rng.random(contacts.size) < self.conversion])
