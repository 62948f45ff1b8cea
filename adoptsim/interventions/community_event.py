"""Community events: face-to-face, hyper-local sessions of small banks (one region).

Every `every` steps while active, an event reaches a share `reach` of the target's residents of
`region`: the unaware become aware with `conversion`, and those reached gain a small training
effect (tech_skill += skill_gain, trust += trust_gain * (1 - trust)); an attendee out of the
market enters it with `market_entry` (a local bank helps open an account and set the wallet up,
e.g. rural branches' outreach; an assumption). Cost: `cost_per_event`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.interventions.targeting import fraction_of, make_aware
from adoptsim.interventions.training import bring_into_market, train
from adoptsim.scenario.schema import Fraction, Money, PositiveInt

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext
    from adoptsim.scenario.spec import Scenario


class CommunityEvent(Intervention):
    """A periodic local event in one region: awareness plus a little training."""

    type: Literal["community_event"] = "community_event"
    region: str = Field(description="The region where events are held.")
    every: PositiveInt = Field(4, description="Steps between events.")
    reach: Fraction = Field(0.02, description="Share of the region's target residents attending each event.")
    conversion: Fraction = Field(0.6, description="Chance an unaware attendee becomes aware.")
    skill_gain: Fraction = Field(0.1, description="Added to attendees' tech_skill (capped at 1).")
    trust_gain: Fraction = Field(0.05, description="Share of attendees' trust gap closed.")
    market_entry: Fraction = Field(0.1, description="Chance that an attendee out of the market enters it.")
    cost_per_event: Money = Field(2000.0, description="Money per event.")

    def check_against(self, scenario: Scenario) -> str | None:
        if self.region not in scenario.population.regions:
            valid = ", ".join(scenario.population.regions)
            return f"region: unknown region '{self.region}' (valid: {valid})"
        return super().check_against(scenario)

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        if (model.step_index - run.started_at) % self.every or run.affordable(1, self.cost_per_event) < 1:
            return
        people = model.people
        run.pay(self.cost_per_event)
        local = self.in_target(model, run) & (people.region == model.region_labels.index(self.region))
        attendees = np.flatnonzero(fraction_of(run, local, self.reach))
        train(people, attendees, self.skill_gain, self.trust_gain)
        bring_into_market(people, attendees, self.market_entry, run.rng)
        make_aware(model, attendees[run.rng.random(attendees.size) < self.conversion])
