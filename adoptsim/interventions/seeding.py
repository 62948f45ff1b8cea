"""Seeding: give the wallet to chosen people (staff, ambassadors, influencers) at `start`.

Once, at `start`, `count` consumers of the target who are not active are made active
(and ever-adopted), chosen by `prioritize` (default: most connected first).
Cost: `cost_per_person`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.interventions.targeting import Priority, choose
from adoptsim.scenario.schema import Money, NonNegativeInt
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext


class Seeding(Intervention):
    """Make `count` chosen people active users at once."""

    type: Literal["seeding"] = "seeding"
    count: NonNegativeInt = Field(100, description="People given the wallet.")
    prioritize: Priority = Field("degree", description="Who is chosen first.")
    cost_per_person: Money = Field(20.0, description="Money per seeded person.")

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        if model.step_index != run.started_at:
            return
        people = model.people
        candidates = self.in_target(model, run) & (people.stage != Stage.ACTIVE.value)
        seeded = choose(run, model, candidates, run.affordable(self.count, self.cost_per_person), self.prioritize)
        run.pay(seeded.size * self.cost_per_person)
        model.make_active(seeded)
