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

import numpy as np

from adoptsim.scenario import TRAIT_NAMES, Population
from adoptsim.stages import Stage

FLOAT = np.float32
"""Dtype of every real-valued trait and state."""


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
                concentration = dist.concentration or spec.concentration
                traits[name][members] = beta_draws(mean, concentration, members.size, rng)
    order = rng.permutation(n)
    for name in TRAIT_NAMES:  # one at a time: the set-up holds one extra trait array, not five
        traits[name] = traits[name][order]
    age, age_group, region = age[order], age_group[order], region[order]
    del order
    competitor = rng.random(n) < spec.competitor_share
    potential = np.array([g.potential for g in groups])[age_group] * np.array([r.market_potential for r in regions])[
        region
    ]
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
