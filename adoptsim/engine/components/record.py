"""Recording: the Recorder writes row k + 1 and Mesa's DataCollector takes its reporters."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def record(model: WalletAdoptionModel, step: StepState) -> None:
    """Row step_index + 1 of the Recorder, then the DataCollector's row (read from it)."""
    model.recorder.record(model, model.step_index + 1, step.outcome(model))
    model.datacollector.collect(model)
