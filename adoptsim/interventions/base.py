"""What every intervention shares: its fields, its active window, paying the fixed cost, then acting.

An intervention is data (a pydantic model, one YAML entry) with two methods:
`apply(model, run)` acts at the start of each active step, before the dynamics;
`settle(model, run, outcome)` pays outcome-based costs (per adopter) after them.
`model` is a StepContext (context.py): what an intervention may read and change, not the engine.
Its run-time record (`InterventionRun`: own random stream, spend, who was reached) lives apart,
so one scenario object can serve many replications.

Timing keeps what the user wrote (`end` or `duration`); the last planned step is derived
(`planned_end`), never written back, so a resolved scenario reads exactly as given.
Money (own `budget`, the shared `budget:`) is in budget.py, whom it reaches in targeting.py,
the conditions that start and stop it in triggers.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field, model_validator

from adoptsim.interventions.budget import InterventionRun
from adoptsim.interventions.targeting import Target
from adoptsim.interventions.triggers import Trigger
from adoptsim.scenario.schema import Label, Money, NonNegativeInt, PositiveInt, StrictModel

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext, StepOutcome


def planned_end(start: int, end: int | None, duration: int | None, triggered: bool) -> int | None:
    """The last planned step of a window as written (also read from resolved files by windows.py)."""
    if duration is not None and not triggered:
        return start + duration - 1
    return end


class Intervention(StrictModel):
    """Common fields of every intervention type."""

    type: str
    name: Label | None = Field(None, description="Label in outputs; defaults to '<type>_<position>'.")
    start: NonNegativeInt = Field(0, description="First step (0-based week) it acts.")
    end: NonNegativeInt | None = Field(None, description="Last step it acts, inclusive; default: the run's end.")
    duration: PositiveInt | None = Field(None, description="Number of steps, instead of end.")
    target: Target = Field(default_factory=Target, description="Who it reaches.")
    budget: Money | None = Field(None, description="Total money it may spend; it stops once spent.")
    fixed_cost: Money = Field(0.0, description="Money paid once, at its first step.")
    start_when: Trigger | None = Field(
        None, description="Start on a condition instead of at `start` (then `start` is the earliest week)."
    )
    stop_when: Trigger | None = Field(None, description="Stop for good when a condition holds.")

    @model_validator(mode="after")
    def _timing(self) -> Intervention:
        if self.end is not None and self.duration is not None:
            raise ValueError("give end or duration, not both")
        if self.planned_end is not None and self.start > self.planned_end:
            raise ValueError(f"start: start ({self.start}) is after end ({self.planned_end})")
        return self

    @property
    def planned_end(self) -> int | None:
        """Last step of the planned window: `end`, or start + duration - 1 when it starts at
        `start` (with `start_when`, duration counts from the trigger: see `last_step`); None: the
        run's end."""
        return planned_end(self.start, self.end, self.duration, self.start_when is not None)

    def check_against(self, scenario: Any) -> str | None:
        """A problem with the scenario it sits in (unknown labels or names), or None."""
        labels = list(scenario.population.age_groups), list(scenario.population.regions)
        names = [iv.name for iv in scenario.interventions]
        for field_name in ("start_when", "stop_when"):
            trigger = getattr(self, field_name)
            if trigger is None:
                continue
            for name in trigger.names():
                if name not in names or name == self.name:
                    valid = ", ".join(n for n in names if n != self.name) or "none"
                    return f"{field_name}: no other intervention named '{name}' (valid: {valid})"
            if trigger.segment is not None:
                problem = trigger.segment.check_against(*labels)
                if problem:
                    return f"{field_name}.segment.{problem.removeprefix('target.')}"
        return self.target.check_against(*labels)

    def in_target(self, model: StepContext, run: InterventionRun) -> np.ndarray:
        """Who is in the target now; the fixed part is computed once per run."""
        if "fixed_target" not in run.extra:  # kept only where traits narrow it: a byte a consumer
            run.extra["fixed_target"] = self.target.fixed_mask(model) if self.target.on_traits else None
        return self.target.mask(model, run.extra["fixed_target"])

    def acts_at(self, step: int) -> bool:
        """Whether its planned window (no triggers, budget aside) covers this 0-based step."""
        last = self.planned_end
        return self.start <= step and (last is None or step <= last)

    def is_on(self, model: StepContext, run: InterventionRun) -> bool:
        """Whether it acts at this step: its window, started by `start_when` and cut by
        `stop_when` when given. Records the step it started, fired and stopped in `run`."""
        step = model.step_index
        if run.stopped_at is not None:
            return False
        if self.stop_when is not None and run.started_at is not None and self.stop_when.holds(model):
            run.stopped_at = step
            return False
        if self.start_when is None:
            on = self.acts_at(step)
        else:
            if run.fired_at is None and step >= self.start and self.start_when.holds(model):
                run.fired_at = step
            first = None if run.fired_at is None else run.fired_at + self.start_when.delay
            last = self.last_step(run)
            on = first is not None and first <= step and (last is None or step <= last)
        if on and run.started_at is None:
            run.started_at = step
        return on

    def last_step(self, run: InterventionRun) -> int | None:
        """Its last planned step: `end`, or `duration` steps after a trigger fired (None: the run's end)."""
        if self.start_when is not None and self.duration is not None and run.fired_at is not None:
            first = run.fired_at + self.start_when.delay
            return first + self.duration - 1 if self.end is None else min(self.end, first + self.duration - 1)
        return self.planned_end

    def begin_step(self, model: StepContext, run: InterventionRun) -> None:
        """Pay the fixed cost at the first step, then act."""
        if model.step_index == run.started_at and self.fixed_cost:
            run.pay(self.fixed_cost)
        self.apply(model, run)

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        """Act on the model's arrays and levers for this step."""
        raise NotImplementedError(f"{type(self).__name__} must define apply()")

    def settle(self, model: StepContext, run: InterventionRun, outcome: StepOutcome) -> None:
        """Pay costs that depend on what happened this step; most types pay up front."""
