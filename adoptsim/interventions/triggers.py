"""Conditions that start or stop an intervention (`start_when`, `stop_when`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from adoptsim.interventions.targeting import Target
from adoptsim.scenario.schema import Fraction, NonNegativeInt, StrictModel
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext


class Trigger(StrictModel):
    """A condition checked at the start of every step; the trigger fires the first step it holds.

    Give exactly one condition. `delay` weeks may pass between the condition and the action.
    Interventions are checked in the scenario's order, so one listed after the intervention it
    watches (`after`, `budget_spent`) sees it the same step, one listed before it the next step.
    """

    active_share_above: Fraction | None = Field(
        None, description="Fires when the active share (of `segment`, default everyone) reaches this level."
    )
    segment: Target | None = Field(None, description="Whose active share `active_share_above` watches.")
    merchant_acceptance_above: Fraction | None = Field(
        None, description="Fires when this share of merchants accepts the wallet."
    )
    after: str | None = Field(None, description="Fires when the named intervention (e.g. a breach) starts.")
    budget_spent: str | None = Field(None, description="Fires when the named intervention's budget runs out.")
    delay: NonNegativeInt = Field(0, description="Weeks between the condition holding and the action.")

    @model_validator(mode="after")
    def _one_condition(self) -> Trigger:
        given = [
            name
            for name in ("active_share_above", "merchant_acceptance_above", "after", "budget_spent")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of active_share_above, merchant_acceptance_above, after, budget_spent"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.segment is not None and self.active_share_above is None:
            raise ValueError("segment: only with active_share_above")
        return self

    def holds(self, model: StepContext) -> bool:
        """Whether the condition holds now (at the start of the step)."""
        if self.active_share_above is not None:
            active = model.people.stage == Stage.ACTIVE.value
            if self.segment is not None:
                members = self.segment.mask(model)
                return bool(members.any()) and active[members].mean() >= self.active_share_above
            return active.mean() >= self.active_share_above
        if self.merchant_acceptance_above is not None:
            return model.shops.size > 0 and model.shops.accepts.mean() >= self.merchant_acceptance_above
        other = model.intervention_runs[self.after or self.budget_spent or ""]
        return other.started_at is not None if self.after is not None else other.exhausted

    def names(self) -> list[str]:
        """Interventions this trigger refers to."""
        return [n for n in (self.after, self.budget_spent) if n is not None]
