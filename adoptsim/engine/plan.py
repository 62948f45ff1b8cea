"""The step as an ordered plan of components (as starsim's loop and laser's component list).

A component is a function `component(model, step)`: it reads and changes the model's arrays and
passes what later components need in `step`, a StepState (adoptsim/engine/components/state.py).
`PLAN` lists the components in the order they run; each model runs its own copy, `model.plan`,
so the order is inspectable (`[c.__name__ for c in model.plan]`) and a run may add one.

Adding a mechanism (a market context, events, ...) is one module and one line:
  1. write `adoptsim/engine/components/<name>.py` with
     `def <name>(model: WalletAdoptionModel, step: StepState) -> None`;
     draw only from its own stream (`model.streams["<name>"]`), so no other component's draws
     move (common random numbers); call the rules of adoptsim/engine/rules.py, never restate one;
     if later components read its result, add a field to StepState;
  2. import it below and put it in `PLAN` at its place (its docstring says why there).
`model.step` is not edited. tests/engine/test_plan.py shows a component inserted in a plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adoptsim.engine.components.consumers import decisions, snapshot, usefulness
from adoptsim.engine.components.interventions import apply_interventions, settle_interventions
from adoptsim.engine.components.market import market_context, market_growth
from adoptsim.engine.components.merchants import merchant_uptake
from adoptsim.engine.components.record import record
from adoptsim.engine.components.rivals import rivals
from adoptsim.engine.components.state import Component, StepState
from adoptsim.engine.components.trust import social_proof_of_trust, trust_recovery
from adoptsim.engine.components.use import use

if TYPE_CHECKING:
    from adoptsim.engine.model import WalletAdoptionModel

PLAN: tuple[Component, ...] = (
    snapshot,  # active users at the start, A_i active neighbours
    market_growth,  # out-of-market consumers enter (stream `market`)
    apply_interventions,  # interventions acting at step k set levers, traits, stages
    market_context,  # the `market:` block at the step's date: potentials, events, relative advantage
    usefulness,  # u_i from merchant and online acceptance
    decisions,  # awareness, adoption, lapse on one draw per consumer (stream `consumers`)
    rivals,  # named rivals on the state at the start of the step (their own streams)
    use,  # active users: habits and trust move, payments
    trust_recovery,  # a breach's trust deficit comes back at a half-life
    social_proof_of_trust,  # trust pulled towards the neighbours' mean (mu)
    merchant_uptake,  # merchants start accepting (stream `merchants-step`)
    settle_interventions,  # outcome-based costs
    record,  # the Recorder's row k + 1 and the DataCollector's
)
"""Every step's components in order; the one place the order is written."""

__all__ = ["PLAN", "Component", "StepState", "run_step"]


def run_step(model: WalletAdoptionModel, plan: tuple[Component, ...] | list[Component]) -> StepState:
    """Run each component of `plan` in order on one fresh StepState."""
    step = StepState()
    for component in plan:
        component(model, step)
    return step
