"""Market context: what a country pays with, who is online, what happened when (`market:` block).

Inputs are published statistics, not fitted (each market file names its sources). Time t is the
calendar: step k is `launch + k / 52` years. A value is a number or a dated series
`{YYYY or YYYY-MM-DD: value}`, interpolated linearly and held flat beyond its ends, so the
market potential moves with the data. Per consumer, fixed uniforms z_i, w_i, v_i (stream
`market-context`) decide who holds a card (z_i < card_ownership(t)), whose card is contactless
(w_i < contactless_cards(t)) and who is in the market (v_i < potential_i(t)); a rising series
therefore only brings people in. The adoption utility gains (docs/model.md, "Market context")

    U_i += b_adv (advantage_i(t) - 1) + need(t) + b_use usefulness(t)
    advantage_i = 1 (no card); cash_share (card); cash_share (1 - contactless_acceptance) (contactless card)

Without a `market:` block nothing here runs and no draw changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from pydantic import Field, field_validator, model_validator

from adoptsim.scenario.schema import Fraction, Label, NonNegative, StrictModel

if TYPE_CHECKING:
    from adoptsim.scenario.behaviour import Behaviour
    from adoptsim.scenario.spec import Scenario


class MarketModel(Protocol):
    """What the market context reads and moves of a model (the engine's MarketModel is
    one): the world imports nothing of the engine."""

    spec: Scenario
    behaviour: Behaviour
    people: Any
    shops: Any
    streams: Any  # name -> numpy Generator
    age_group_labels: list[str]
    media_by_region: np.ndarray


STEPS_PER_YEAR = 52

Series = float | dict[str, float]
"""A constant, or {date: value} interpolated linearly (a bare year means its 31 December)."""


def year_of(text: str | int | dt.date) -> float:
    """'2015' -> 2015.999 (its end, as surveys report "as of December"), '2015-07-14' -> decimal."""
    if isinstance(text, dt.date):
        when = text
    else:
        text = str(text).strip()
        if text.isdigit() and len(text) == 4:
            when = dt.date(int(text), 12, 31)
        elif len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            when = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        else:
            when = dt.date.fromisoformat(text)
    start = dt.date(when.year, 1, 1)
    return when.year + (when - start).days / (dt.date(when.year + 1, 1, 1) - start).days


def value_at(series: Series, year: float | np.ndarray) -> float | np.ndarray:
    """The series at a decimal year, or at each of an array of years (linear between dates, flat beyond)."""
    if not isinstance(series, dict):
        return float(series) if np.ndim(year) == 0 else np.full(np.shape(year), float(series))
    points = sorted((year_of(k), float(v)) for k, v in series.items())
    value = np.interp(year, [p[0] for p in points], [p[1] for p in points])
    return float(value) if np.ndim(year) == 0 else value


def _check_series(series: Series, low: float = 0.0, high: float = 1.0) -> Series:
    values = series.values() if isinstance(series, dict) else [series]
    if isinstance(series, dict):
        if not series:
            raise ValueError("a series needs at least one date")
        for key in series:
            try:
                year_of(key)
            except ValueError:
                raise ValueError(f"'{key}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    for v in values:
        if not low <= float(v) <= high:
            raise ValueError(f"values must be between {low:g} and {high:g} (got {v})")
    return series


class Incumbent(StrictModel):
    """What people pay with before the wallet (each a number or a dated series)."""

    cash_share: Series = Field(1.0, description="Share of payments made in cash (national payment statistics).")
    card_ownership: Series = Field(0.0, description="Share of adults with a debit or credit card (Findex).")
    contactless_cards: Series = Field(0.0, description="Share of card holders whose card is contactless.")
    contactless_acceptance: Series = Field(
        0.0, description="Share of the card holders' payments at merchants taking contactless."
    )

    @field_validator("*")
    @classmethod
    def _fractions(cls, value: Series) -> Series:
        return _check_series(value)


class Event(StrictModel):
    """A dated shock with no budget (e.g. COVID-19, 2020): acts from `date` to `end` (open if none)."""

    name: Label
    date: dt.date
    end: dt.date | None = None
    need: float = Field(0.0, description="Added to every consumer's adoption utility while it lasts.")
    usefulness: float = Field(0.0, description="Added to u_i in the utility (times b_use) while it lasts.")
    awareness: NonNegative = Field(0.0, description="Added to p_media (weekly chance of hearing) while it lasts.")
    acceptance: Fraction = Field(0.0, description="Share of non-accepting merchants that accept at the date.")
    potential: Fraction = Field(0.0, description="Share of those out of the market who enter it at the date.")

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end is not None and self.end <= self.date:
            raise ValueError(f"end ({self.end}) must be after date ({self.date})")
        return self


class Market(StrictModel):
    """A market's context: launch date, incumbent ways to pay, internet use by age, account
    ownership, dated events; the observed curve is read by calibrations, never by the model."""

    name: Label = Field(description="The market's short name (china, kenya, uk).")
    launch: dt.date = Field(description="Calendar date of step 0 (the wallet's launch).")
    incumbent: Incumbent = Field(default_factory=Incumbent)
    advantage_weight: NonNegative = Field(
        1.0, description="b_adv: utility lost per unit of relative advantage the incumbent already gives."
    )
    internet: dict[str, Series] = Field(
        default_factory=dict,
        description="Smartphone/internet use by age-group label over time; replaces that group's market_potential.",
    )
    account_ownership: Series = Field(1.0, description="Share of adults with an account the wallet needs (Findex).")
    needs_account: bool = Field(False, description="Whether the wallet needs a bank account (M-Pesa did not).")
    events: list[Event] = Field(default_factory=list)
    age_bands: dict[str, tuple[int, int]] = Field(
        default_factory=dict,
        description="Extra ages the recorder reports (share_active_ages_<label>, share_ever_adopted_ages_<label>).",
    )
    observed: dict[str, str | float] = Field(
        default_factory=dict, description="The observed curve (file, column, measure, population): for calibrations."
    )

    @field_validator("internet")
    @classmethod
    def _internet_fractions(cls, value: dict[str, Series]) -> dict[str, Series]:
        return {label: _check_series(series) for label, series in value.items()}

    @field_validator("account_ownership")
    @classmethod
    def _account_fraction(cls, value: Series) -> Series:
        return _check_series(value)

    @model_validator(mode="after")
    def _bands(self) -> Market:
        for label, (low, high) in self.age_bands.items():
            if low > high:
                raise ValueError(f"age_bands.{label}: youngest ({low}) is above oldest ({high})")
        return self


class MarketContext:
    """The market's per-consumer terms at each step (one call per step from the model).

    Every series is read at every step's date once, at set-up (`_tabulate`); a step then redoes
    only what its date changed: the market potentials, who holds which card, the utility shift."""

    def __init__(self, model: MarketModel, market: Market) -> None:
        self.market = market
        people = model.people
        draws = model.streams["market-context"].random((3, people.size))
        self.card_draw, self.contactless_draw, self.market_draw = draws
        pop = model.spec.population
        labels = list(pop.age_groups)
        self.region_potential = np.array([r.market_potential for r in pop.regions.values()])[people.region]
        self.group_series = [market.internet.get(g, pop.age_groups[g].potential) for g in labels]
        self.launch = year_of(market.launch)
        self.base_media = model.media_by_region.copy()
        p_media = model.behaviour.p_media
        self.reach = np.divide(self.base_media, p_media) if p_media > 0 else 1.0
        self.events = [(e, year_of(e.date), None if e.end is None else year_of(e.end)) for e in market.events]
        self.shift = np.zeros(people.size, dtype=people.trust.dtype)
        self.started: set[str] = set()
        self._tabulate(model.spec.steps + 1)
        self._last: dict[str, Any] = {}
        people.in_market[:] = self.market_draw < self.potential(model, 0)

    def _tabulate(self, steps: int) -> None:
        """Every series at the date of steps 0..steps-1 (np.interp on all dates at once: the same
        numbers as at one date)."""
        years = np.array([self.year(k) for k in range(steps)])
        inc, market = self.market.incumbent, self.market
        self.by_group = np.array([value_at(s, years) for s in self.group_series]).T
        account = value_at(market.account_ownership, years) if market.needs_account else np.ones(steps)
        self.account = account.tolist()
        series = (inc.cash_share, inc.card_ownership, inc.contactless_cards, inc.contactless_acceptance)
        self.incumbent = list(zip(*(value_at(s, years).tolist() for s in series), strict=True))

    def year(self, step: int) -> float:
        return self.launch + step / STEPS_PER_YEAR

    def _changed(self, key: str, value: Any) -> bool:
        """Whether `value` differs from the one last seen under `key` (keeps it)."""
        if key in self._last and self._last[key] == value:
            return False
        self._last[key] = value
        return True

    def potential(self, model: MarketModel, step: int) -> np.ndarray:
        """potential_i(t) = internet_g(t) x region potential x account(t) (when the wallet needs one);
        step k must be tabulated (`step` extends the tables first when a run goes past them)."""
        return self.by_group[step][model.people.age_group] * self.region_potential * self.account[step]

    def kinds(self, step: int) -> bool:
        """Each consumer's kind of card at step k (0 none, 1 card, 2 contactless: `self.kind`);
        whether it moved since the last call."""
        _, cards, contactless_cards, _ = self.incumbent[step]
        if not self._changed("cards", (cards, contactless_cards)):
            return False
        card = self.card_draw < cards
        contactless = card & (self.contactless_draw < contactless_cards)
        self.kind = card.view(np.int8) + contactless.view(np.int8)
        return True

    def advantage(self, step: int) -> np.ndarray:
        """advantage(t) of each kind of card: 1 without a card, cash_share with one, x (1 -
        contactless acceptance) if contactless (a consumer's is that of their `kind`)."""
        cash, _, _, acceptance = self.incumbent[step]
        return np.array([1.0, cash, cash * (1.0 - acceptance)])

    def step(self, model: MarketModel, step: int) -> None:
        """Move the market to step k: potentials, events' one-off and running effects, and the utility shift."""
        year = self.year(step)
        people = model.people
        if step >= len(self.account):
            self._tabulate(step + 1)
        if self._changed("potential", (self.by_group[step].tolist(), self.account[step])):
            self.entering = self.market_draw < self.potential(model, step)
        people.in_market |= self.entering
        need = useful = awareness = 0.0
        for event, start, end in self.events:
            if year < start or (end is not None and year >= end):
                continue
            need, useful, awareness = need + event.need, useful + event.usefulness, awareness + event.awareness
            if event.name not in self.started:
                self.started.add(event.name)
                self._start(model, event)
        if self._changed("awareness", awareness):
            model.media_by_region = (self.base_media + awareness * self.reach).astype(self.base_media.dtype)
        moved = self.kinds(step)
        by_kind = self.market.advantage_weight * (self.advantage(step) - 1.0) + need + model.behaviour.b_use * useful
        if self._changed("shift", by_kind.tolist()) or moved:
            self.shift[:] = by_kind.take(self.kind)

    def _start(self, model: MarketModel, event: Event) -> None:
        """An event's one-off effects at its date: merchants start accepting, people enter the market."""
        rng = model.streams[f"event:{event.name}"]
        shops, people = model.shops, model.people
        if event.acceptance > 0 and shops.size:
            shops.accepts |= rng.random(shops.size) < event.acceptance
        if event.potential > 0:
            people.in_market |= rng.random(people.size) < event.potential


def market_context(model: MarketModel) -> MarketContext | None:
    """The model's market context, or None without a `market:` block (nothing changes then)."""
    market = model.spec.market
    return None if market is None else MarketContext(model, market)
