"""Security campaign: promote two-factor authentication, encryption, fraud guarantees.

Each active step a share `reach` of the target is contacted (chosen by `prioritize`): trust += trust_gain * (1 - trust).
Cost: `cost_per_contact` per contact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention, InterventionRun, Priority, contact
from adoptsim.schema import Fraction, NonNegative

if TYPE_CHECKING:
    from adoptsim.model import WalletAdoptionModel


class SecurityCampaign(Intervention):
    """Raise the trust of those reached."""

    type: Literal["security_campaign"] = "security_campaign"
    reach: Fraction = Field(0.02, description="Share of the target contacted per step.")
    trust_gain: Fraction = Field(0.15, description="Share of the trust gap closed per contact.")
    prioritize: Priority = Field("random", description="Who is contacted first (e.g. lowest_trust).")
    cost_per_contact: NonNegative = Field(1.0, description="Money per contact.")

    def apply(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        people = model.people
        contacts = contact(run, model, self.in_target(model, run), self.reach, self.cost_per_contact, self.prioritize)
        people.trust[contacts] += self.trust_gain * (1.0 - people.trust[contacts])
