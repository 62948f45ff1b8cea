"""Market growth: out-of-market consumers enter it at `market_growth` a week."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adoptsim.engine import thinning

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def market_growth(model: WalletAdoptionModel, step: StepState) -> None:
    """Out of the market -> in it with `market_growth` a week (its own stream `market`, drawn only
    when set, so a scenario with a fixed ceiling draws exactly as without this component)."""
    growth = model.spec.population.market_growth
    if growth > 0:
        people = model.people
        thinning.draw_below(model.streams["market"], people.size, growth, people.in_market, model.draw_buffer)
