"""Merchant deals: sign supermarkets and restaurants up, with a discount for wallet payments.

Each active step `merchants_per_step` merchants of the chosen categories in the target regions
that have no deal yet sign up: they accept the wallet from now on and carry a deal until the
intervention ends. Wallet payments at a deal merchant get `discount` (money) off. A consumer
weighs the discounts of `perceived_weeks` weeks of use: the money offered for adopting is
discount * perceived_weeks * tau (0.5 + income_i) (1 - online_i) d_i, d_i = share of i's
merchants with a deal (the payments of the transactions rule made at deal merchants), entering
adoption utility through b_inc (1 - rho income) ln(1 + x / money_scale).
Cost: `cost_per_merchant` per signed merchant (sales visits, terminals) plus `discount` per wallet
payment actually made at a deal merchant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from adoptsim.interventions.base import Intervention
from adoptsim.interventions.budget import InterventionRun
from adoptsim.scenario.schema import Money, NonNegative, NonNegativeInt
from adoptsim.world.chunks import slices

if TYPE_CHECKING:
    from adoptsim.interventions.context import StepContext, StepOutcome
    from adoptsim.scenario.spec import Scenario


class MerchantDeal(Intervention):
    """Sign merchants up and give wallet payers a discount there."""

    type: Literal["merchant_deal"] = "merchant_deal"
    merchants_per_step: NonNegativeInt = Field(10, description="Merchants signed per step.")
    categories: list[str] | None = Field(None, description="Merchant categories to sign (default: all).")
    discount: Money = Field(0.5, description="Money off each wallet payment at a deal merchant.")
    perceived_weeks: NonNegative = Field(
        13.0, description="Weeks of discounts a consumer weighs when deciding to adopt (a quarter; an assumption)."
    )
    cost_per_merchant: Money = Field(500.0, description="Money per merchant signed.")

    def check_against(self, scenario: Scenario) -> str | None:
        for category in self.categories or []:
            if category not in scenario.merchants.categories:
                valid = ", ".join(scenario.merchants.categories)
                return f"categories: unknown category '{category}' (valid: {valid})"
        return super().check_against(scenario)

    def _eligible(self, model: StepContext) -> np.ndarray:
        shops = model.shops
        keep = ~shops.has_deal
        if self.categories is not None:
            codes = [model.category_labels.index(c) for c in self.categories]
            keep &= np.isin(shops.category, codes)
        if self.target.regions is not None:
            codes = [model.region_labels.index(r) for r in self.target.regions]
            keep &= np.isin(shops.region, codes)
        return keep

    def apply(self, model: StepContext, run: InterventionRun) -> None:
        shops = model.shops
        if run.reached is None:
            run.reached = np.zeros(shops.size, dtype=bool)
        pool = np.flatnonzero(self._eligible(model))
        count = min(run.affordable(self.merchants_per_step, self.cost_per_merchant), pool.size)
        signed = run.rng.choice(pool, size=count, replace=False) if count else pool[:0]
        run.pay(count * self.cost_per_merchant)
        shops.accepts[signed] = True
        shops.has_deal[signed] = True
        run.reached[signed] = True
        offline_deal = model.merchant_share(run.reached)  # share of i's merchants with a deal ...
        offline_deal *= 1.0 - model.people.online  # ... times the share of i's shopping done offline
        target, incentive = self.in_target(model, run), model.levers.incentive
        for part in slices(target.size):  # a slice at a time: no full-size temporaries
            who = np.flatnonzero(target[part]) + part.start
            weekly_payments = model.transactions(who, offline_deal[who])
            incentive[who] += self.discount * self.perceived_weeks * weekly_payments
        run.extra["offline_deal"] = offline_deal
        if model.step_index == self.last_step(run):
            shops.has_deal[run.reached] = False

    def settle(self, model: StepContext, run: InterventionRun, outcome: StepOutcome) -> None:
        payments = outcome.payments_weighted(run.extra.pop("offline_deal"))
        run.pay(payments * self.discount)
