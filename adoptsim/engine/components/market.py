"""The market: out-of-market consumers enter it at `market_growth` a week; the market context
(a scenario's `market:` block, adoptsim/world/market.py) moves potentials, events and the wallet's
relative advantage to the step's date."""

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


def market_context(model: WalletAdoptionModel, step: StepState) -> None:
    """The market context at step k (adoptsim/world/market.py): potentials from internet use by age
    at the step's date, dated events from their date on, and the utility shift of the wallet's
    relative advantage that adoption adds. After the interventions, so their levers are set; before
    usefulness and the decisions, which read it. Nothing without a `market:` block."""
    if model.market is not None:
        model.market.step(model, model.step_index)
