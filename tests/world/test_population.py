"""Consumers drawn from the `population:` block: exact segment sizes, Beta traits, market potential."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.world.population import TRAIT_NAMES, People, TraitDistribution, build_people, segment_sizes
from tests.conftest import small_scenario


def test_segment_sizes_split_a_total_exactly_by_largest_remainders():
    rng = np.random.default_rng(0)
    sizes = segment_sizes(1000, [0.333, 0.333, 0.334], rng)
    assert sizes.sum() == 1000 and sizes.tolist() == [333, 333, 334]
    for total in (1, 7, 999, 10_001):
        shares = [0.1, 0.25, 0.65]
        sizes = segment_sizes(total, shares, rng)
        assert sizes.sum() == total
        assert np.all(np.abs(sizes - np.array(shares) * total) < 1)


def test_people_have_their_age_group_shares_ages_and_trait_means():
    scenario = small_scenario(size=20_000, steps=1)
    spec = scenario.population
    people = build_people(spec, np.random.default_rng(1))
    for g, (label, group) in enumerate(spec.age_groups.items()):
        members = people.age_group == g
        assert members.sum() == pytest.approx(group.share * spec.size, abs=1), label
        assert people.age[members].min() >= group.ages[0] and people.age[members].max() <= group.ages[1]
        shift = sum(r.share * r.trait_shift.get("trust", 0.0) for r in spec.regions.values())
        assert people.trust[members].mean() == pytest.approx(group.traits["trust"].mean + shift, abs=0.02), label
    assert all(getattr(people, name).min() > 0 and getattr(people, name).max() < 1 for name in TRAIT_NAMES)
    assert people.competitor.mean() == pytest.approx(spec.competitor_share, abs=0.01)


def test_a_trait_given_by_sd_has_that_sd():
    trust = {"population.age_groups.60+.traits.trust": "{mean: 0.3, sd: 0.05}"}
    scenario = small_scenario(size=40_000, steps=1, **trust)
    spec = scenario.population
    people = build_people(spec, np.random.default_rng(2))
    old = people.age_group == list(spec.age_groups).index("60+")
    region_shifts = {r: p.trait_shift.get("trust", 0.0) for r, p in enumerate(spec.regions.values())}
    for r, shift in region_shifts.items():
        values = people.trust[old & (people.region == r)]
        assert values.mean() == pytest.approx(0.3 + shift, abs=0.005)
        assert values.std() == pytest.approx(0.05, rel=0.08)


def test_beta_concentration_from_sd_concentration_or_the_default():
    assert TraitDistribution(mean=0.5, sd=0.1).beta_concentration(10.0) == pytest.approx(0.25 / 0.01 - 1)
    assert TraitDistribution(mean=0.5, concentration=4.0).beta_concentration(10.0) == 4.0
    assert TraitDistribution(mean=0.5).beta_concentration(10.0) == 10.0


def test_market_potential_sets_who_is_in_the_market():
    scenario = small_scenario(size=20_000, steps=1)
    spec = scenario.population
    people = build_people(spec, np.random.default_rng(3))
    groups, regions = list(spec.age_groups.values()), list(spec.regions.values())
    potential = np.array([[g.potential * r.market_potential for r in regions] for g in groups])
    expected = potential[people.age_group, people.region].mean()
    assert people.in_market.mean() == pytest.approx(expected, abs=0.01)


def test_people_refuse_an_undeclared_state():
    people = build_people(small_scenario(size=50, steps=1).population, np.random.default_rng(0))
    with pytest.raises(AttributeError, match="People has no state 'trsut'"):
        people.trsut = np.zeros(50)
    assert isinstance(people, People) and people.size == 50
