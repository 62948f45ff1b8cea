"""The market context (`market:` block): each input moves adoption the right way, all else equal."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.scenario.loading import load_scenario
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.runner import simulate
from adoptsim.world.market import value_at, year_of

SEED = 7


def scenario(market: dict | None, steps: int = 104, size: int = 2000) -> Scenario:
    base = load_scenario("scenarios/baseline.yaml").model_dump(mode="json")
    base.update(steps=steps, market=market)
    base["population"]["size"] = size
    base["merchants"]["count"] = 100
    return Scenario.model_validate(base)


def run(market: dict | None, **kw) -> object:
    series, _ = simulate(scenario(market, **kw), SEED)
    return series


MARKET = {"name": "test", "launch": "2015-01-01", "incumbent": {"cash_share": 0.5, "card_ownership": 0.9}}


def test_series_are_interpolated_and_a_bare_year_is_its_end() -> None:
    assert year_of("2015") == pytest.approx(2015 + 364 / 365)
    assert year_of("2016-06") == pytest.approx(2016 + 181 / 366)
    series = {"2010": 0.2, "2012": 0.6}
    assert value_at(series, year_of("2011")) == pytest.approx(0.4, abs=1e-3)
    assert value_at(series, 2000.0) == 0.2 and value_at(series, 2030.0) == 0.6
    assert value_at(0.3, 2020.0) == 0.3


def test_more_contactless_cards_slow_the_wallet() -> None:
    cards = {**MARKET["incumbent"], "contactless_acceptance": 0.9}
    few = run({**MARKET, "incumbent": {**cards, "contactless_cards": 0.1}})
    many = run({**MARKET, "incumbent": {**cards, "contactless_cards": 0.9}})
    assert many["share_ever_adopted"].iloc[-1] < few["share_ever_adopted"].iloc[-1] - 0.03


def test_a_higher_cash_share_speeds_the_wallet() -> None:
    card_heavy = run({**MARKET, "incumbent": {"cash_share": 0.1, "card_ownership": 0.95}})
    cash_heavy = run({**MARKET, "incumbent": {"cash_share": 0.9, "card_ownership": 0.95}})
    assert cash_heavy["share_ever_adopted"].iloc[-1] > card_heavy["share_ever_adopted"].iloc[-1] + 0.03


def test_internet_use_over_time_moves_the_market_potential() -> None:
    flat = {g: 0.3 for g in ("18-29", "30-44", "45-59", "60+")}
    rising = {g: {"2015-01-01": 0.3, "2016-12-31": 0.9} for g in flat}
    low = run({**MARKET, "internet": flat})
    high = run({**MARKET, "internet": rising})
    # the same at launch, then the rising market pulls ahead
    assert high["share_ever_adopted"].iloc[10] == pytest.approx(low["share_ever_adopted"].iloc[10], abs=0.02)
    assert high["share_ever_adopted"].iloc[-1] > low["share_ever_adopted"].iloc[-1] + 0.1
    assert low["share_ever_adopted"].iloc[-1] < 0.32


def test_an_event_raises_adoption_from_its_date_only() -> None:
    event = {"name": "covid", "date": "2016-01-01", "need": 1.5, "awareness": 0.05, "acceptance": 0.5}
    without = run(MARKET)
    with_event = run({**MARKET, "events": [event]})
    start = 52  # 2016-01-01 is 52 weeks after 2015-01-01 (step 52 acts on 2015 + 52/52)
    before = slice(0, start + 1)
    np.testing.assert_array_equal(
        with_event["share_ever_adopted"].to_numpy()[before], without["share_ever_adopted"].to_numpy()[before]
    )
    assert with_event["share_ever_adopted"].iloc[start + 20] > without["share_ever_adopted"].iloc[start + 20] + 0.03
    accepting = "share_merchants_accepting"
    assert with_event[accepting].iloc[start + 2] > without[accepting].iloc[start + 2]


def test_age_bands_and_ever_adopted_by_age_group_are_recorded() -> None:
    series = run({**MARKET, "age_bands": {"18-34": [18, 34], "65+": [65, 120]}}, steps=30, size=1000)
    for column in ("share_ever_adopted_age_18-29", "share_active_ages_18-34", "share_ever_adopted_ages_65+"):
        assert column in series
    young, old = series["share_ever_adopted_ages_18-34"].iloc[-1], series["share_ever_adopted_ages_65+"].iloc[-1]
    assert young > old  # the baseline's young adopt faster


def test_no_market_block_records_no_market_columns() -> None:
    series = run(None, steps=5, size=500)
    assert not any(c.startswith("share_ever_adopted_age") for c in series)


def test_market_internet_names_age_groups() -> None:
    with pytest.raises(ValueError, match="market.internet.teens: not an age group"):
        scenario({**MARKET, "internet": {"teens": 0.5}})
