"""Merchants' uptake: a non-accepting merchant starts accepting with r_m sigmoid(g0 + g1 c_j)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adoptsim.engine import rules
from adoptsim.world.stages import ACTIVE

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def merchant_uptake(model: WalletAdoptionModel, step: StepState) -> None:
    """c_j is the share of merchant j's customers active now; draws from `merchants-step`
    (drawn even without merchants or once all accept, as always)."""
    shops = model.shops
    draw = model.streams["merchants-step"].random(shops.size)
    if shops.size == 0 or shops.accepts.all():
        return
    active = model.people.stage == ACTIVE
    customer_active = model.shopping.customer_share(active, shops.customers)
    shops.accepts |= draw < rules.merchant_acceptance_probability(model.behaviour, customer_active)
