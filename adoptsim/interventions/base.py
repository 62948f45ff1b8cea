"""What every intervention shares: timing, targeting, budget, spend, choosing whom to reach.

An intervention is data (a pydantic model, one YAML entry) with two methods:
`apply(model, run)` acts at the start of each active step, before the dynamics;
`settle(model, run, outcome)` pays outcome-based costs (per adopter) after them.
Its run-time record (`InterventionRun`: own random stream, spend, who was reached) lives apart,
so one scenario object can serve many replications.

Money: an intervention may have its own `budget` (a cap), and a scenario may have one shared
`budget:` that interventions draw from, by `shares` (intervention i may spend s_i x total) or by
`priority` (one pool; each step the listed interventions act and pay first, the others after, in
file order, until the pool is empty). What an intervention can spend is the smaller of what its
own cap and the pool leave (with shares, an unlisted intervention is outside the shared budget).
Spend is what was paid. An intervention has run out from the first step at which it could not
pay for all it wanted; it no longer acts after that step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from adoptsim.schema import Fraction, Label, NonNegative, NonNegativeInt, PositiveInt, StrictModel
from adoptsim.stages import Stage

if TYPE_CHECKING:
    from adoptsim.model import StepOutcome, WalletAdoptionModel

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

    def mask(self, model: WalletAdoptionModel, fixed: np.ndarray | None = None) -> np.ndarray:
        """Boolean array over consumers: who is in the target now.

        `fixed` is `fixed_mask(model)` when the caller has it cached; only stages change.
        """
        keep = self.fixed_mask(model) if fixed is None else fixed.copy()
        if self.stages is not None:
            codes = [Stage[s.upper()] for s in self.stages]
            keep &= np.isin(model.people.stage, codes)
        return keep

    def fixed_mask(self, model: WalletAdoptionModel) -> np.ndarray:
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

    def holds(self, model: WalletAdoptionModel) -> bool:
        """Whether the condition holds now (at the start of the step)."""
        if self.active_share_above is not None:
            active = model.people.stage == Stage.ACTIVE
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


class SharedBudget(StrictModel):
    """One budget for the whole scenario, drawn on by its interventions."""

    total: NonNegative = Field(description="Money all interventions together may spend.")
    allocation: Literal["shares", "priority"] = Field(
        "priority", description="shares: each gets its share of the total; priority: one pool, first served first."
    )
    shares: dict[str, Fraction] = Field(
        default_factory=dict,
        description="shares: intervention name -> share of the total (unlisted ones keep only their own budget).",
    )
    priority: list[str] = Field(
        default_factory=list, description="priority: intervention names served first, in order (others follow)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> SharedBudget:
        if self.allocation == "shares" and sum(self.shares.values()) > 1 + 1e-9:
            raise ValueError(f"shares: must sum to at most 1 (got {sum(self.shares.values()):g})")
        if self.allocation == "shares" and self.priority:
            raise ValueError("priority: only with allocation: priority")
        if self.allocation == "priority" and self.shares:
            raise ValueError("shares: only with allocation: shares")
        return self

    def check_names(self, names: list[str]) -> str | None:
        """A problem with intervention names the scenario does not have, or None."""
        for label, given in (("shares", list(self.shares)), ("priority", self.priority)):
            for name in given:
                if name not in names:
                    return f"budget.{label}: no intervention named '{name}' (valid: {', '.join(names) or 'none'})"
        return None


@dataclass
class Pool:
    """Money left in a shared budget (priority allocation)."""

    total: float
    spent: float = 0.0

    @property
    def remaining(self) -> float:
        return max(self.total - self.spent, 0.0)


@dataclass
class InterventionRun:
    """Run-time record of one intervention in one model: stream, spend, who was reached, and
    when it started and stopped (its actual window, which triggers and budgets decide)."""

    rng: np.random.Generator
    budget: float | None
    pool: Pool | None = None
    spent: float = 0.0
    step_spend: float = 0.0
    ran_out: bool = False
    reached: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    started_at: int | None = None
    stopped_at: int | None = None
    fired_at: int | None = None

    @property
    def remaining(self) -> float:
        own = float("inf") if self.budget is None else max(self.budget - self.spent, 0.0)
        return own if self.pool is None else min(own, self.pool.remaining)

    @property
    def limited(self) -> bool:
        return self.budget is not None or self.pool is not None

    @property
    def exhausted(self) -> bool:
        """Out of money: it could not pay for all it wanted, or its own cap is spent."""
        return self.ran_out or (self.budget is not None and self.budget - self.spent <= 1e-9)

    def affordable(self, wanted: int, unit_cost: float) -> int:
        """How many of `wanted` units the remaining budget pays for."""
        if unit_cost <= 0 or not self.limited:
            return wanted
        can = int(min(wanted, np.floor(self.remaining / unit_cost + 1e-9)))
        self.ran_out |= can < wanted
        return can

    def pay(self, amount: float) -> float:
        """Spend up to the remaining budget; returns what was actually paid."""
        paid = min(float(amount), self.remaining)
        self.ran_out |= paid < float(amount) - 1e-9
        self.spent += paid
        self.step_spend += paid
        if self.pool is not None:
            self.pool.spent += paid
        return paid


def fund(interventions: list, budget: SharedBudget | None, stream) -> list[tuple[Any, InterventionRun]]:
    """Each intervention with its run-time record, in the order they act and pay.

    `stream(name)` gives an intervention's random stream. Shares become caps (the smaller of the
    share and the intervention's own budget); priority puts the listed interventions first on one pool.
    """
    if budget is None:
        return [(spec, InterventionRun(rng=stream(spec.name), budget=spec.budget)) for spec in interventions]
    if budget.allocation == "shares":
        runs = []
        for spec in interventions:
            cap = spec.budget
            if spec.name in budget.shares:
                share = budget.shares[spec.name] * budget.total
                cap = share if cap is None else min(cap, share)
            runs.append((spec, InterventionRun(rng=stream(spec.name), budget=cap)))
        return runs
    pool = Pool(budget.total)
    rank = {name: i for i, name in enumerate(budget.priority)}
    ordered = sorted(interventions, key=lambda spec: rank.get(spec.name, len(rank)))
    return [(spec, InterventionRun(rng=stream(spec.name), budget=spec.budget, pool=pool)) for spec in ordered]


def choose(
    run: InterventionRun,
    model: WalletAdoptionModel,
    candidates: np.ndarray,
    count: int,
    prioritize: str,
) -> np.ndarray:
    """Pick `count` consumer indices among `candidates` (a bool mask), in priority order."""
    pool = np.flatnonzero(candidates)
    count = min(count, pool.size)
    if count <= 0:
        return pool[:0]
    if prioritize == "random":
        return run.rng.choice(pool, size=count, replace=False)
    if prioritize == "degree":  # most connected first; equal degrees in random order
        key = -model.graph.degree[pool] + 0.5 * run.rng.random(pool.size)
    else:
        key = (model.people.tech_skill if prioritize == "lowest_skill" else model.people.trust)[pool]
    first = np.argpartition(key, count - 1)[:count] if count < pool.size else np.arange(pool.size)
    return pool[first[np.argsort(key[first], kind="stable")]]


def fraction_of(run: InterventionRun, mask: np.ndarray, share: float) -> np.ndarray:
    """A random `share` of the consumers in `mask` (each reached independently)."""
    return mask & (run.rng.random(mask.size) < share)


def contact(
    run: InterventionRun,
    model: WalletAdoptionModel,
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


def make_aware(model: WalletAdoptionModel, who: np.ndarray) -> None:
    """The unaware among `who` become aware (others keep their stage)."""
    stage = model.people.stage
    stage[who[stage[who] == Stage.UNAWARE]] = Stage.AWARE


class Intervention(StrictModel):
    """Common fields of every intervention type."""

    type: str
    name: Label | None = Field(None, description="Label in outputs; defaults to '<type>_<position>'.")
    start: NonNegativeInt = Field(0, description="First step (0-based week) it acts.")
    end: NonNegativeInt | None = Field(None, description="Last step it acts, inclusive; default: the run's end.")
    duration: PositiveInt | None = Field(None, description="Number of steps, instead of end.")
    target: Target = Field(default_factory=Target, description="Who it reaches.")
    budget: NonNegative | None = Field(None, description="Total money it may spend; it stops once spent.")
    fixed_cost: NonNegative = Field(0.0, description="Money paid once, at its first step.")
    start_when: Trigger | None = Field(
        None, description="Start on a condition instead of at `start` (then `start` is the earliest week)."
    )
    stop_when: Trigger | None = Field(None, description="Stop for good when a condition holds.")

    @model_validator(mode="after")
    def _timing(self) -> Intervention:
        if self.end is not None and self.duration is not None:
            raise ValueError("give end or duration, not both")
        if self.duration is not None and self.start_when is None:
            self.end = self.start + self.duration - 1
            self.duration = None
        if self.end is not None and self.start > self.end:
            raise ValueError(f"start: start ({self.start}) is after end ({self.end})")
        return self

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

    def in_target(self, model: WalletAdoptionModel, run: InterventionRun) -> np.ndarray:
        """Who is in the target now; the fixed part is computed once per run."""
        if "fixed_target" not in run.extra:
            run.extra["fixed_target"] = self.target.fixed_mask(model)
        return self.target.mask(model, run.extra["fixed_target"])

    def acts_at(self, step: int) -> bool:
        """Whether its planned window (no triggers, budget aside) covers this 0-based step."""
        return self.start <= step and (self.end is None or step <= self.end)

    def is_on(self, model: WalletAdoptionModel, run: InterventionRun) -> bool:
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
        return self.end

    def begin_step(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        """Pay the fixed cost at the first step, then act."""
        if model.step_index == run.started_at and self.fixed_cost:
            run.pay(self.fixed_cost)
        self.apply(model, run)

    def apply(self, model: WalletAdoptionModel, run: InterventionRun) -> None:
        """Act on the model's arrays and levers for this step."""
        raise NotImplementedError(f"{type(self).__name__} must define apply()")

    def settle(self, model: WalletAdoptionModel, run: InterventionRun, outcome: StepOutcome) -> None:
        """Pay costs that depend on what happened this step; most types pay up front."""
