"""The scenario file format: pydantic models and the JSON Schema.

A scenario is plain data. Reading files (`load_scenario`, `extends:`, `--set`, one-line errors)
is in `adoptsim/loading.py`; its names are also importable from here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from adoptsim.behaviour import Behaviour
from adoptsim.economics import Economics
from adoptsim.interventions import InterventionSpec
from adoptsim.interventions.base import SharedBudget
from adoptsim.metrics import KpiSettings
from adoptsim.rivals.spec import Rivals
from adoptsim.schema import (
    Fraction,
    Label,
    NonNegativeInt,
    OpenFraction,
    Positive,
    PositiveInt,
    StrictModel,
    did_you_mean,
)

TRAIT_NAMES = ("trust", "tech_skill", "habit", "income", "online")


MARKET_POTENTIAL_BY_AGE = ((30, 0.97), (45, 0.95), (60, 0.85), (200, 0.60))
"""(middle age below, share in the market): the default ceiling of an age group.

Grounded in China, where mobile payment levelled off near 86.5 % of internet users (CNNIC 47th
report, 2020) and internet use falls with age (over 95 % under 40, under two thirds over 60 in the
same reports); the default is the share of a group with the means to use a wallet at all.
"""


def default_market_potential(middle_age: float) -> float:
    """The default share in the market for an age group with this middle age."""
    return next(share for below, share in MARKET_POTENTIAL_BY_AGE if middle_age < below)


class TraitDistribution(StrictModel):
    """A Beta distribution by its mean and spread: a concentration a + b (higher is narrower)
    or a standard deviation."""

    mean: OpenFraction = Field(description="Mean of the trait in the age group, in (0, 1).")
    concentration: Positive | None = Field(
        None,
        description="Beta concentration a + b; sd = sqrt(mean*(1-mean)/(concentration+1)). "
        "Defaults to population.concentration.",
    )
    sd: Positive | None = Field(None, description="Standard deviation, instead of concentration.")

    @model_validator(mode="after")
    def _spread(self) -> TraitDistribution:
        if self.sd is not None:
            if self.concentration is not None:
                raise ValueError("give concentration or sd, not both")
            ceiling = (self.mean * (1 - self.mean)) ** 0.5
            if self.sd >= ceiling:
                raise ValueError(
                    f"sd: must be below sqrt(mean*(1-mean)) = {ceiling:.3g} for a Beta law (got {self.sd})"
                )
            self.concentration = self.mean * (1 - self.mean) / self.sd**2 - 1
            self.sd = None
        return self


class AgeGroup(StrictModel):
    """An age band with its share of the population and its trait distributions."""

    share: Fraction = Field(description="Share of the population in this age group.")
    ages: tuple[int, int] = Field(description="Youngest and oldest age, inclusive.")
    traits: dict[Literal["trust", "tech_skill", "habit", "income", "online"], TraitDistribution] = Field(
        description="Trait distributions; every trait must be given."
    )
    market_potential: Fraction | None = Field(
        None,
        description="Share of the age group in the market under present conditions (has a smartphone and a "
        "payment account, does not refuse on principle); the rest never adopt unless an intervention brings "
        "them in. Default: by the group's middle age, from CNNIC's internet use by age (see docs/model.md).",
    )

    @property
    def potential(self) -> float:
        """`market_potential`, or the default for the group's middle age."""
        if self.market_potential is not None:
            return self.market_potential
        return default_market_potential((self.ages[0] + self.ages[1]) / 2)

    @model_validator(mode="after")
    def _complete(self) -> AgeGroup:
        missing = [t for t in TRAIT_NAMES if t not in self.traits]
        if missing:
            raise ValueError(f"traits missing: {', '.join(missing)}")
        if self.ages[0] > self.ages[1]:
            raise ValueError(f"ages: youngest ({self.ages[0]}) is above oldest ({self.ages[1]})")
        return self


class Region(StrictModel):
    """A region with its share, shifts of trait means against the age-group means, and media reach."""

    share: Fraction = Field(description="Share of the population living in this region.")
    trait_shift: dict[Literal["trust", "tech_skill", "habit", "income", "online"], float] = Field(
        default_factory=dict, description="Added to each age group's trait mean (clipped to [0.01, 0.99])."
    )
    media_reach: Annotated[float, Field(ge=0)] = Field(
        1.0, description="Multiplier on p_media: how well mass media reach this region."
    )
    market_potential: Fraction = Field(
        1.0,
        description="Multiplier on the age groups' market potential in this region (e.g. 0.88 for rural "
        "China: 79.0 % against 89.9 % urban mobile-payment use in 2020, CNNIC 47th report).",
    )


class Population(StrictModel):
    """Who the consumers are: size, age groups, regions, traits, competitor use."""

    size: PositiveInt = Field(description="Number of consumers.")
    age_groups: dict[str, AgeGroup] = Field(description="Age groups by label, e.g. '18-29'.")
    regions: dict[str, Region] = Field(description="Regions by label, e.g. 'urban', 'rural'.")
    concentration: Positive = Field(10.0, description="Default Beta concentration of every trait.")
    competitor_share: Fraction = Field(0.10, description="Share already using a rival wallet.")
    market_growth: Fraction = Field(
        0.0,
        description="Weekly chance that a consumer out of the market enters it (smartphones, accounts and "
        "acceptance spreading on their own): the ceiling rises towards 1 at this rate; 0 = a fixed ceiling.",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Population:
        for label, groups in (("age_groups", self.age_groups), ("regions", self.regions)):
            if not groups:
                raise ValueError(f"{label}: at least one is needed")
            total = sum(g.share for g in groups.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"{label}: shares must sum to 1 (got {total:g})")
        return self


class Homophily(StrictModel):
    """Share of ties redirected to someone of the same age group / region (0 = none, 1 = all)."""

    age_group: Fraction = Field(0.0, description="Chance a cross-age-group tie is redirected within the age group.")
    region: Fraction = Field(0.0, description="Chance a cross-region tie is redirected within the region.")


GENERATOR_NAMES = (
    "watts_strogatz_graph",
    "newman_watts_strogatz_graph",
    "connected_watts_strogatz_graph",
    "erdos_renyi_graph",
    "gnp_random_graph",
    "fast_gnp_random_graph",
    "gnm_random_graph",
    "barabasi_albert_graph",
    "powerlaw_cluster_graph",
    "random_regular_graph",
    "complete_graph",
    "empty_graph",
)
"""networkx generators a scenario may name (with or without the `_graph` suffix)."""


class Network(StrictModel):
    """The social graph: a generator by name with parameters, or a file."""

    generator: str | None = Field(
        "watts_strogatz_graph", description="networkx generator name (see docs/scenario-format.md)."
    )
    params: dict[str, Any] = Field(
        default_factory=lambda: {"k": 10, "p": 0.1}, description="Generator parameters, n excluded."
    )
    file: str | None = Field(None, description="Edge list (.edgelist, .txt, .csv) or GraphML file.")
    implementation: Literal["auto", "networkx", "fast"] = Field(
        "auto", description="auto: adoptsim's vectorized generator when it has one, else networkx."
    )
    homophily: Homophily = Field(default_factory=Homophily)

    @model_validator(mode="after")
    def _one_source(self) -> Network:
        if self.file is not None:
            self.generator = None
        elif self.generator is None:
            raise ValueError("give either generator or file")
        else:
            name = self.generator if self.generator.endswith("_graph") else f"{self.generator}_graph"
            if name not in GENERATOR_NAMES:
                raise ValueError(
                    f"generator: unknown generator '{self.generator}' ({did_you_mean(self.generator, GENERATOR_NAMES)})"
                )
            self.generator = name
        return self


class Merchants(StrictModel):
    """The merchants consumers pay at, and the wallet's acceptance online."""

    count: NonNegativeInt = Field(400, description="Number of merchants (spread over regions by population).")
    categories: dict[str, Fraction] = Field(
        default_factory=lambda: {"grocery": 0.4, "restaurant": 0.3, "retail": 0.3},
        description="Merchant categories and their shares.",
    )
    per_consumer: PositiveInt = Field(5, description="Merchants each consumer shops at (in their region).")
    initial_acceptance: Fraction = Field(0.15, description="Share of merchants accepting the wallet at the start.")
    online_acceptance: Fraction = Field(0.5, description="Share of online shopping where the wallet is accepted.")

    @model_validator(mode="after")
    def _category_shares(self) -> Merchants:
        total = sum(self.categories.values())
        if self.categories and abs(total - 1.0) > 1e-6:
            raise ValueError(f"categories: shares must sum to 1 (got {total:g})")
        return self


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
        late = [h for h in self.kpis.horizons if h > self.steps]
        if late:
            raise ValueError(f"kpis.horizons: step {late[0]} is after the last step ({self.steps})")
        return self


# ---------------------------------------------------------------- loading (adoptsim/loading.py)

_LOADING = (
    "deep_merge",
    "format_validation_error",
    "load_scenario",
    "parse_override",
    "read_with_extends",
    "read_yaml",
    "scenario_to_yaml",
    "set_path",
    "split_path",
    "validate_scenario",
)


def __getattr__(name: str) -> Any:
    """Loading lives in adoptsim.loading (which imports this module); these names stay here too."""
    if name in _LOADING:
        from adoptsim import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editor autocompletion."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "adoptsim scenario"
    return schema
