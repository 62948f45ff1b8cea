"""The scenario file format: `Scenario`, its cross-block checks, and the JSON Schema.

A scenario is plain data. Each block is declared by the module that owns it: `population:` in
population.py, `network:` in network_spec.py, `merchants:` in merchants.py, `behaviour:`,
`economics:`, `kpis:` (kpi_settings.py) and `interventions:` in theirs. Reading files (`load_scenario`,
`extends:`, `--set`, one-line errors) is in loading.py, dotted paths in paths.py.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from adoptsim.interventions import InterventionSpec
from adoptsim.interventions.budget import SharedBudget
from adoptsim.results.economics import Economics
from adoptsim.scenario.behaviour import Behaviour
from adoptsim.scenario.kpi_settings import KpiSettings
from adoptsim.scenario.rivals import Rivals
from adoptsim.scenario.schema import Label, NonNegativeInt, PositiveInt, StrictModel
from adoptsim.world.market import Market
from adoptsim.world.merchants import Merchants
from adoptsim.world.network_spec import Network
from adoptsim.world.population import Population


class Scenario(StrictModel):
    """One scenario: population, network, merchants, behaviour and interventions."""

    name: Label = Field(description="Short name; results go to results/<name>/ by default.")
    description: str = Field("", description="What the scenario represents.")
    seed: NonNegativeInt = Field(0, description="Seed of every random stream.")
    steps: PositiveInt = Field(104, description="Number of steps (weeks) to run.")
    population: Population
    network: Network = Field(default_factory=Network)
    merchants: Merchants = Field(default_factory=Merchants)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    interventions: list[InterventionSpec] = Field(default_factory=list)
    budget: SharedBudget | None = Field(None, description="One budget the interventions draw from.")
    economics: Economics = Field(
        default_factory=Economics, description="Prices of payments, fees, margin, discounting."
    )
    kpis: KpiSettings = Field(default_factory=KpiSettings, description="Time-to-target shares and horizon steps.")
    rivals: Rivals = Field(default_factory=list, description="Rival wallets competing with this one (docs/rivals.md).")
    market: Market | None = Field(
        None, description="Market context from published statistics (docs/model.md); none: today's model."
    )

    @model_validator(mode="after")
    def _interventions_fit(self) -> Scenario:
        names: set[str] = set()
        for i, iv in enumerate(self.interventions):
            if iv.name is None:
                iv.name = f"{iv.type}_{i}"
            if iv.name in names:
                raise ValueError(f"interventions[{i}].name: '{iv.name}' is used twice")
            names.add(iv.name)
            problem = iv.check_against(self)
            if problem:
                raise ValueError(f"interventions[{i}].{problem}")
        problem = self.budget.check_names([iv.name for iv in self.interventions]) if self.budget else None
        if problem:
            raise ValueError(problem)
        unknown = [g for g in (self.market.internet if self.market else {}) if g not in self.population.age_groups]
        if unknown:
            groups = ", ".join(self.population.age_groups)
            raise ValueError(f"market.internet.{unknown[0]}: not an age group ({groups})")
        late = [h for h in self.kpis.horizons if h > self.steps]
        if late:
            raise ValueError(f"kpis.horizons: step {late[0]} is after the last step ({self.steps})")
        return self


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editor autocompletion."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "adoptsim scenario"
    return schema
