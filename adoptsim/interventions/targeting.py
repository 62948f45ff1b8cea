"""Whom an intervention reaches: a segment filter (`target:`) and the ways of choosing within it.

Choosing draws from the intervention's own stream (`run.rng`), so adding or removing one
intervention never shifts another's draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.scenario.schema import Fraction, StrictModel
from adoptsim.world.chunks import CHUNK, slices
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.interventions.budget import InterventionRun
    from adoptsim.interventions.context import StepContext

StageName = Literal["unaware", "aware", "active", "lapsed"]
Priority = Literal["random", "degree", "lowest_skill", "lowest_trust"]


class Target(StrictModel):
    """A segment filter; every condition given must hold (an empty target is everyone)."""

    age: tuple[int, int] | None = Field(None, description="Age range [min, max], inclusive.")
    age_groups: list[str] | None = Field(None, description="Age-group labels.")
    regions: list[str] | None = Field(None, description="Region labels.")
    income: tuple[Fraction, Fraction] | None = Field(None, description="Income range [min, max].")
    online: tuple[Fraction, Fraction] | None = Field(None, description="Online-shopping range [min, max].")
    stages: list[StageName] | None = Field(None, description="Funnel stages.")

    def mask(self, model: StepContext, fixed: np.ndarray | None = None) -> np.ndarray:
        """Boolean array over consumers: who is in the target now.

        `fixed` is `fixed_mask(model)` when the caller has it cached; only stages change.
        """
        keep = self.fixed_mask(model) if fixed is None else fixed.copy()
        if self.stages is not None:
            codes = [Stage[s.upper()] for s in self.stages]
            keep &= np.isin(model.people.stage, codes)
        return keep

    @property
    def on_traits(self) -> bool:
        """Whether a condition on traits (not only on stages) narrows the target."""
        return any(v is not None for v in (self.age, self.age_groups, self.regions, self.income, self.online))

    def fixed_mask(self, model: StepContext) -> np.ndarray:
        """The conditions on traits that never change (age, group, region, income, online)."""
        people = model.people
        keep = np.ones(people.size, dtype=bool)
        if self.age is not None:
            keep &= (people.age >= self.age[0]) & (people.age <= self.age[1])
        if self.age_groups is not None:
            codes = [model.age_group_labels.index(g) for g in self.age_groups]
            keep &= np.isin(people.age_group, codes)
        if self.regions is not None:
            codes = [model.region_labels.index(r) for r in self.regions]
            keep &= np.isin(people.region, codes)
        if self.income is not None:
            keep &= (people.income >= self.income[0]) & (people.income <= self.income[1])
        if self.online is not None:
            keep &= (people.online >= self.online[0]) & (people.online <= self.online[1])
        return keep

    def check_against(self, age_groups: list[str], regions: list[str]) -> str | None:
        """A problem with labels the population does not have, or None."""
        for label, given, valid in (("age_groups", self.age_groups, age_groups), ("regions", self.regions, regions)):
            for value in given or []:
                if value not in valid:
                    return f"target.{label}: unknown label '{value}' (valid: {', '.join(valid)})"
        return None


def choose(
    run: InterventionRun,
    model: StepContext,
    candidates: np.ndarray,
    count: int,
    prioritize: str,
) -> np.ndarray:
    """Pick `count` consumer indices among `candidates` (a bool mask), in priority order.

    Works a slice of consumers at a time (the lowest `count` keys of each slice, then the lowest
    of those), so choosing among everyone holds no array of every candidate."""
    count = min(count, int(np.count_nonzero(candidates)))
    if count <= 0:
        return np.zeros(0, dtype=np.intp)
    if prioritize == "random":  # the draws of choice(pool, ...), without the pool
        return nth_true(candidates, run.rng.choice(int(np.count_nonzero(candidates)), size=count, replace=False))
    kept, keys = [], []
    for part in slices(candidates.size):
        who = np.flatnonzero(candidates[part]) + part.start
        if prioritize == "degree":  # most connected first; equal degrees in random order
            key = -model.graph.degree_of(who) + 0.5 * run.rng.random(who.size)
        else:
            key = (model.people.tech_skill if prioritize == "lowest_skill" else model.people.trust)[who]
        if who.size > count:
            lowest = np.argpartition(key, count - 1)[:count]
            who, key = who[lowest], key[lowest]
        kept.append(who)
        keys.append(key)
    pool, key = np.concatenate(kept), np.concatenate(keys)
    first = np.argpartition(key, count - 1)[:count] if count < pool.size else np.arange(pool.size)
    return pool[first[np.argsort(key[first], kind="stable")]]


def nth_true(mask: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The positions of the ranks[k]-th True of `mask`, in the order of `ranks`: flatnonzero(mask)[ranks]
    without a position for every True, one slice of the mask at a time."""
    if mask.size <= CHUNK:  # one slice: its positions are no bigger than the mask
        return mask.nonzero()[0].take(ranks)
    order = np.argsort(ranks, kind="stable")
    wanted = ranks[order]
    positions = np.empty(ranks.size, dtype=np.intp)
    before = done = 0
    for part in slices(mask.size):
        if done == wanted.size:
            break
        here = int(np.count_nonzero(mask[part]))
        upto = int(np.searchsorted(wanted, before + here))
        if upto > done:
            positions[done:upto] = np.flatnonzero(mask[part])[wanted[done:upto] - before] + part.start
            done = upto
        before += here
    result = np.empty_like(positions)
    result[order] = positions
    return result


def fraction_of(run: InterventionRun, mask: np.ndarray, share: float) -> np.ndarray:
    """A random `share` of the consumers in `mask` (each reached independently; drawn a slice at a
    time, the same numbers as one draw for everyone)."""
    reached = np.empty_like(mask)
    for part in slices(mask.size):
        np.logical_and(mask[part], run.rng.random(part.stop - part.start) < share, out=reached[part])
    return reached


def contact(
    run: InterventionRun,
    model: StepContext,
    target: np.ndarray,
    share: float,
    cost_per_contact: float,
    prioritize: str = "random",
) -> np.ndarray:
    """Contact a `share` of the target (chosen by `prioritize`), as many as the budget pays for,
    and pay for them."""
    wanted = int(round(share * target.sum()))
    contacts = choose(run, model, target, run.affordable(wanted, cost_per_contact), prioritize)
    run.pay(contacts.size * cost_per_contact)
    return contacts


def make_aware(model: StepContext, who: np.ndarray) -> None:
    """The unaware among `who` become aware (others keep their stage)."""
    stage = model.people.stage
    stage[who[stage[who] == Stage.UNAWARE.value]] = Stage.AWARE
