"""Named rival wallets (adoptsim/engine/rivals/): their funnel, primary wallet, use and merchants,
on the state at the start of the step (after the focal decisions, before the focal use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def rivals(model: WalletAdoptionModel, step: StepState) -> None:
    """Every rival steps (nothing without rivals)."""
    model.rivals.step(model, step.active_before, step.use, step.active_neighbours)
