"""Consumers as arrays: every trait and state declared once, drawn per segment from Beta laws.

Whether a consumer is in the market is drawn last, with probability (age group's potential) x
(region's multiplier), so a scenario without a ceiling draws the same traits as before.

A segment is an age group x region. A trait's mean in a segment is the age group's mean plus
the region's shift (clipped to [0.01, 0.99]); its Beta law has a = mean*c, b = (1 - mean)*c for
concentration c.

Traits are float32 (drawn in float64, stored rounded: 4 bytes a consumer each, the same draws).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Annotated, Literal, get_args

import numpy as np
from pydantic import Field, model_validator

from adoptsim.scenario.schema import Fraction, OpenFraction, Positive, PositiveInt, StrictModel
from adoptsim.world.stages import Stage

FLOAT = np.float32
"""Dtype of every real-valued trait and state."""


# ---------------------------------------------------------------- the `population:` block of a scenario

TraitName = Literal["trust", "tech_skill", "habit", "income", "online"]
TRAIT_NAMES: tuple[str, ...] = get_args(TraitName)
"""The consumer traits drawn from Beta laws, named once."""


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
    or a standard deviation. What the user wrote is kept; `beta_concentration` derives the law."""

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
        return self

    def beta_concentration(self, default: float) -> float:
        """a + b of the Beta law: `concentration`, or from `sd` as c = mean*(1-mean)/sd^2 - 1,
        or the population's `default`."""
        if self.sd is not None:
            return self.mean * (1 - self.mean) / self.sd**2 - 1
        return self.concentration if self.concentration is not None else default


class AgeGroup(StrictModel):
    """An age band with its share of the population and its trait distributions."""

    share: Fraction = Field(description="Share of the population in this age group.")
    ages: tuple[int, int] = Field(description="Youngest and oldest age, inclusive.")
    traits: dict[TraitName, TraitDistribution] = Field(description="Trait distributions; every trait must be given.")
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
    trait_shift: dict[TraitName, float] = Field(
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


@dataclass
class People:
    """Structure of arrays, one entry per consumer (index = consumer id)."""

    age: np.ndarray  # int16, years
    age_group: np.ndarray  # int8, index into the age-group labels
    region: np.ndarray  # int8, index into the region labels
    income: np.ndarray  # spending power, 0..1
    online: np.ndarray  # share of shopping done online, 0..1
    trust: np.ndarray  # belief the wallet is safe, 0..1
    tech_skill: np.ndarray  # ease with smartphones and apps, 0..1
    habit: np.ndarray  # attachment to cash and cards, 0..1
    competitor: np.ndarray  # bool, already uses a rival wallet
    in_market: np.ndarray  # bool, can adopt under present conditions (market potential)
    stage: np.ndarray  # int8, a Stage
    ever_adopted: np.ndarray  # bool, has been active at least once
    wallet_habit: np.ndarray  # habit of paying by wallet, 0..1
    trust_deficit: np.ndarray  # trust lost to breaches and not yet recovered, 0..1

    @property
    def size(self) -> int:
        return int(self.stage.size)

    def __setattr__(self, name: str, value: object) -> None:
        if name not in PEOPLE_FIELDS:
            raise AttributeError(f"People has no state '{name}'; declared: {', '.join(PEOPLE_FIELDS)}")
        super().__setattr__(name, value)


PEOPLE_FIELDS = tuple(f.name for f in fields(People))


def segment_sizes(total: int, shares: list[float], rng: np.random.Generator) -> np.ndarray:
    """Split `total` by `shares` exactly (largest remainders, ties broken at random)."""
    raw = np.asarray(shares, dtype=float) * total
    sizes = np.floor(raw).astype(np.int64)
    short = total - sizes.sum()
    if short:
        remainder = raw - sizes + rng.random(len(shares)) * 1e-9
        sizes[np.argsort(-remainder)[:short]] += 1
    return sizes


def beta_draws(mean: float, concentration: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Beta draws with the given mean and concentration a + b."""
    mean = float(np.clip(mean, 0.01, 0.99))
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


def build_people(spec: Population, rng: np.random.Generator) -> People:
    """Draw every consumer's traits; everyone starts unaware."""
    n = spec.size
    groups = list(spec.age_groups.values())
    regions = list(spec.regions.values())
    age_group = np.repeat(np.arange(len(groups), dtype=np.int8), segment_sizes(n, [g.share for g in groups], rng))
    region = rng.permutation(
        np.repeat(np.arange(len(regions), dtype=np.int8), segment_sizes(n, [r.share for r in regions], rng))
    )
    traits = {name: np.empty(n, dtype=FLOAT) for name in TRAIT_NAMES}
    age = np.empty(n, dtype=np.int16)
    for g, group in enumerate(groups):
        in_group = age_group == g
        age[in_group] = rng.integers(group.ages[0], group.ages[1] + 1, in_group.sum())
        for r, place in enumerate(regions):
            members = np.flatnonzero(in_group & (region == r))
            for name in TRAIT_NAMES:
                dist = group.traits[name]
                mean = dist.mean + place.trait_shift.get(name, 0.0)
                concentration = dist.beta_concentration(spec.concentration)
                traits[name][members] = beta_draws(mean, concentration, members.size, rng)
    order = rng.permutation(n)
    for name in TRAIT_NAMES:  # one at a time: the set-up holds one extra trait array, not five
        traits[name] = traits[name][order]
    age, age_group, region = age[order], age_group[order], region[order]
    del order
    competitor = rng.random(n) < spec.competitor_share
    potential = (
        np.array([g.potential for g in groups])[age_group] * np.array([r.market_potential for r in regions])[region]
    )
    in_market = rng.random(n) < potential
    del potential
    return People(
        age=age,
        age_group=age_group,
        region=region,
        competitor=competitor,
        in_market=in_market,
        trust_deficit=np.zeros(n, dtype=FLOAT),
        stage=np.full(n, Stage.UNAWARE, dtype=np.int8),
        ever_adopted=np.zeros(n, dtype=bool),
        wallet_habit=np.zeros(n, dtype=FLOAT),
        **traits,
    )
