"""Awareness campaign: ads and social media that make people hear of the wallet.

Each active step a share `reach` of the target is contacted; an unaware contact becomes aware
with probability `conversion`. Cost: `cost_per_contact` per contact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention, InterventionRun, contact, make_aware
from adoptsim.schema import Fraction, NonNegative

if TYPE_CHECKING:
    from adoptsim.model import WalletAdoptionModel


class AwarenessCampaign(Intervention):
    """Reach a share of the target each step; unaware contacts become aware with `conversion`."""

    type: Literal["awareness_campaign"] = "awareness_campaign"
    reach: Fraction = Field(0.05, description="Share of the target contacted per step.")
    conversion: Fraction = Field(0.3, description="Chance an unaware contact becomes aware.")
    cost_per_contact: NonNegative = Field(0.5, description="Money per contact.")

    def apply(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        contacts = contact(run, model, self.in_target(model, run), self.reach, self.cost_per_contact)
        make_aware(model, contacts[run.rng.random(contacts.size) < self.conversion])
