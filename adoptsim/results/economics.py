"""Money from wallet use: payment volume, the wallet's revenue and margin, customer value.

A scenario's `economics:` block prices what the model counts. Active user i makes x_i(t) payments
in step t (docs/model.md, use); each is worth v_b, the average payment of i's income band b
(adoptsim/world/segments.py). Per step:

    payment volume  V(t) = sum_i x_i(t) v_b(i)
    revenue         R(t) = f V(t) + c sum_i x_i(t)          (fee share f, fee per payment c)
    margin          M(t) = m R(t)                           (share m kept after processing costs)

Over a run of T steps with weekly discount rate d (money in step t is worth 1/(1+d)^t today):

    in-run value   W = sum_{t=1..T} M(t) / (1+d)^t
    discounted spend S = sum_{t=1..T} spend(t) / (1+d)^t

Users still active at T keep paying after the run. Over the last w weeks (window W_w = rows
T-w+1..T) the model's own lapse hazard and margin per active user-week are

    h = sum_{W_w} new_lapses(t) / sum_{W_w} A(t-1),    mu = sum_{W_w} M(t) / sum_{W_w} A(t)

and an active user at T is still active k weeks later with probability (1-h)^k, so

    terminal_value = A(T) mu / (1+d)^T * sum_{k>=1} ((1-h)/(1+d))^k
                   = A(T) mu (1-h) / ((d+h) (1+d)^T)
    customer_value = W + terminal_value,  net_value = customer_value - S,  roi = net_value / S

(undefined without spend). It counts no adopter gained after T (conservative) and is undefined
when d = h = 0 (an unbounded life). `lifetime: false` drops it (terminal_value = 0).

Default values are assumptions (round figures for a card-like wallet fee), not measurements:
change them in the scenario for a real market.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

from adoptsim.scenario.schema import Fraction, Label, Money, PositiveInt, StrictModel
from adoptsim.world.segments import INCOME_BANDS, income_band


class PaymentValue(StrictModel):
    """Average value of one wallet payment by income band (currency units)."""

    low: Money = Field(12.0, description="Income below 1/3.")
    middle: Money = Field(20.0, description="Income from 1/3 to 2/3.")
    high: Money = Field(35.0, description="Income above 2/3.")


class Economics(StrictModel):
    """Prices that turn payments into money; every default is an assumption."""

    currency: Label = Field("EUR", description="Currency label of every money figure in outputs.")
    payment_value: PaymentValue = Field(default_factory=PaymentValue)
    fee_share: Fraction = Field(0.01, description="Share of each payment's value the wallet earns (f).")
    fee_per_payment: Money = Field(0.0, description="Money earned on each payment besides the fee share (c).")
    margin: Fraction = Field(0.4, description="Share of revenue kept after processing costs (m).")
    discount_rate: Fraction = Field(0.0015, description="Weekly discount rate d (0.0015 is about 8 % a year).")
    lifetime: bool = Field(
        True, description="Count the discounted value of users still active at the end (terminal_value)."
    )
    hazard_window: PositiveInt = Field(
        26, description="Last weeks of the run over which the lapse hazard and margin per user-week are measured."
    )

    def payment_values(self, income: np.ndarray) -> np.ndarray:
        """v_b(i): the average payment value of each consumer's income band."""
        return self.band_values()[income_band(income)]

    def band_values(self) -> np.ndarray:
        """v_b for each income band, in the order of INCOME_BANDS."""
        return np.array([getattr(self.payment_value, band) for band in INCOME_BANDS])

    def revenue(self, volume: float | np.ndarray, payments: float | np.ndarray) -> float | np.ndarray:
        """R = f V + c x."""
        return self.fee_share * volume + self.fee_per_payment * payments


def currency_of(scenario: Mapping[str, Any]) -> str:
    """The currency a resolved scenario mapping's `economics:` block names, or '' (money unnamed)."""
    economics = scenario.get("economics") or {}
    return str(economics.get("currency") or "") if isinstance(economics, Mapping) else ""


def discount_factors(steps: int, rate: float) -> np.ndarray:
    """1/(1+d)^t for rows t = 0..steps-1 (row t holds what happened in step t)."""
    return (1.0 + rate) ** -np.arange(steps, dtype=float)


def npv(flows: np.ndarray, rate: float) -> float:
    """sum_t flows[t] / (1+rate)^t, with flows indexed by row (row 0 is the start)."""
    flows = np.asarray(flows, dtype=float)
    return float(flows @ discount_factors(flows.size, rate))


def terminal_value(active: np.ndarray, lapses: np.ndarray, margin: np.ndarray, rate: float, window: int) -> float:
    """A(T) mu (1-h) / ((d+h)(1+d)^T): the discounted margin of users active at the last row T.

    Rows are 0..T; h and mu are measured over rows T-w+1..T (row 0 has no flows).
    """
    active, lapses, margin = (np.asarray(x, dtype=float) for x in (active, lapses, margin))
    last = active.size - 1
    if last < 1 or active[-1] <= 0:
        return 0.0
    rows = slice(max(1, last - window + 1), last + 1)
    exposed, users = active[rows.start - 1 : last].sum(), active[rows].sum()
    hazard = min(lapses[rows].sum() / exposed, 1.0) if exposed > 0 else 0.0
    per_user_week = margin[rows].sum() / users if users > 0 else 0.0
    if rate + hazard <= 0:
        return float("nan")
    return float(active[-1] * per_user_week * (1 - hazard) / ((rate + hazard) * (1 + rate) ** last))


def money_kpis(margin: np.ndarray, spend: np.ndarray, rate: float, terminal: float = 0.0) -> dict[str, float]:
    """customer_value (in-run NPV plus `terminal`), terminal_value, net_value and roi."""
    value, cost = npv(margin, rate) + terminal, npv(spend, rate)
    net = value - cost
    return {
        "customer_value": value,
        "terminal_value": terminal,
        "net_value": net,
        "roi": net / cost if cost > 0 else float("nan"),
    }
