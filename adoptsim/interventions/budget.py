"""Money: what interventions may spend and what they paid.

An intervention may have its own `budget` (a cap), and a scenario may have one shared
`budget:` that interventions draw from, by `shares` (intervention i may spend s_i x total) or by
`priority` (one pool; each step the listed interventions act and pay first, the others after, in
file order, until the pool is empty). What an intervention can spend is the smaller of what its
own cap and the pool leave (with shares, an unlisted intervention is outside the shared budget).
Spend is what was paid. An intervention has run out from the first step at which it could not
pay for all it wanted; it no longer acts after that step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from adoptsim.scenario.schema import Fraction, Money, StrictModel


class SharedBudget(StrictModel):
    """One budget for the whole scenario, drawn on by its interventions."""

    total: Money = Field(description="Money all interventions together may spend.")
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
