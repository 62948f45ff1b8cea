"""Interventions as two components: apply (levers, traits, stages) before the dynamics, settle
(outcome-based costs) after them. Each intervention sees the model only as a StepContext."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def apply_interventions(model: WalletAdoptionModel, step: StepState) -> None:
    """Levers back to neutral; every intervention on at this step and not out of money acts."""
    model.levers.reset()
    step.applied = []
    for spec, run in model.interventions:
        run.step_spend = 0.0
        if spec.is_on(model, run) and not run.exhausted:
            spec.begin_step(model, run)
            step.applied.append((spec, run))


def settle_interventions(model: WalletAdoptionModel, step: StepState) -> None:
    """Those that acted pay their outcome-based costs; the step's spend goes to the outcome."""
    outcome = step.outcome(model)
    for spec, run in step.applied:
        spec.settle(model, run, outcome)
    outcome.spend = {spec.name: run.step_spend for spec, run in model.interventions}
