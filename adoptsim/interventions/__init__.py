"""Intervention types and their registry, keyed by `type`.

A new type is one new module defining an `Intervention` subclass with a `Literal` type tag,
added to `TYPES` below (one line).
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from adoptsim.interventions.awareness_campaign import AwarenessCampaign
from adoptsim.interventions.base import Intervention
from adoptsim.interventions.breach import Breach
from adoptsim.interventions.budget import InterventionRun
from adoptsim.interventions.community_event import CommunityEvent
from adoptsim.interventions.customer_support import CustomerSupport
from adoptsim.interventions.loyalty_program import LoyaltyProgram
from adoptsim.interventions.merchant_deal import MerchantDeal
from adoptsim.interventions.referral import Referral
from adoptsim.interventions.security_campaign import SecurityCampaign
from adoptsim.interventions.seeding import Seeding
from adoptsim.interventions.signup_bonus import SignupBonus
from adoptsim.interventions.targeting import Target
from adoptsim.interventions.training import Training
from adoptsim.interventions.ux_improvement import UxImprovement

TYPES: tuple[type[Intervention], ...] = (
    AwarenessCampaign,
    Training,
    Referral,
    MerchantDeal,
    SecurityCampaign,
    SignupBonus,
    CommunityEvent,
    CustomerSupport,
    LoyaltyProgram,
    UxImprovement,
    Seeding,
    Breach,
)
"""Every intervention type, in the order the docs list them: the one registry line of a new type."""

INTERVENTION_TYPES: dict[str, type[Intervention]] = {cls.model_fields["type"].default: cls for cls in TYPES}

InterventionSpec = Annotated[Union[TYPES], Field(discriminator="type")]  # noqa: UP007 - a union built from the registry
"""One entry of a scenario's `interventions:` list, chosen by its `type`."""

__all__ = ["INTERVENTION_TYPES", "Intervention", "InterventionRun", "InterventionSpec", "Target"]
