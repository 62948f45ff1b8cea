"""Consumers' components: the snapshot at the start of the step, and the decisions (awareness,
adoption, lapse) on one draw per consumer from the stream `consumers` (adoptsim/engine/phases.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from adoptsim.engine import phases, thinning
from adoptsim.world.stages import ACTIVE, AWARE, LAPSED

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def snapshot(model: WalletAdoptionModel, step: StepState) -> None:
    """Active users at the start of the step and their count among each one's neighbours, A_i
    (updated from those who changed since the last step)."""
    step.active_before = model.people.stage == ACTIVE
    step.active_neighbours = model.count_active_neighbours(step.active_before)


def usefulness(model: WalletAdoptionModel, step: StepState) -> None:
    """u_i from merchant and online acceptance, after this step's interventions (deals) acted."""
    step.use = model.usefulness()


def decisions(model: WalletAdoptionModel, step: StepState) -> None:
    """Awareness, adoption and lapse, all decided on the state at the start, then applied."""
    people = model.people
    aware, adopting, lapsing = thinning.decide(
        model.streams["consumers"],
        people.size,
        phases.decisions(model, step.active_before, step.use, step.active_neighbours),
        model.draw_buffer,
    )
    people.stage[aware] = AWARE
    people.stage[lapsing] = LAPSED
    model.make_active(adopting)
    step.new_adopters = np.zeros(people.size, dtype=bool)
    step.new_adopters[adopting] = True
    step.new_aware, step.new_lapses = aware.size, lapsing.size
    step.aware, step.lapsing = aware, lapsing
