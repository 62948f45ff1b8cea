"""Thinning and incremental usefulness are ways of computing, not changes of the model.

A rule is evaluated only where the draw falls below an upper bound of its probability
(adoptsim/engine/thinning.py), and usefulness is updated for the customers of the merchants that changed
(adoptsim/engine/usefulness.py): the bounds must hold for any coefficients, and the runs must give the
numbers of evaluating every candidate and recomputing everyone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adoptsim.engine import rules as dynamics
from adoptsim.engine import thinning, usefulness
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.scenario.behaviour import Behaviour
from adoptsim.scenario.loading import load_scenario
from adoptsim.world.merchants import ShoppingGraph
from adoptsim.world.population import FLOAT

ROOT = Path(__file__).resolve().parents[2]
coefficient = st.floats(-20, 20)
share = st.floats(0, 1)


def traits(seed: int, n: int = 4000) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.random(n).astype(FLOAT) for _ in range(6)]


@settings(max_examples=60, deadline=None)
@given(r_a=share, b0=coefficient, b_use=coefficient, b_trust=coefficient, b_habit=coefficient, seed=st.integers(0, 99))
def test_no_adoption_probability_exceeds_its_ceiling(r_a, b0, b_use, b_trust, b_habit, seed):
    b = Behaviour(r_a=r_a, b0=b0, b_use=b_use, b_trust=b_trust, b_habit=b_habit)
    use, skill, trust, social, habit, income = traits(seed)
    incentive = (income * 200).astype(FLOAT)
    rival = np.zeros_like(use)
    utility = dynamics.adoption_utility(b, use, skill, FLOAT(1), trust, social, habit, rival, incentive, income)
    p = dynamics.adoption_probability(b, utility)
    assert p.max() <= dynamics.adoption_ceiling(b)


@settings(max_examples=60, deadline=None)
@given(r_l=share, l0=coefficient, l_habit=coefficient, factor=st.floats(0, 30), seed=st.integers(0, 99))
def test_no_lapse_probability_exceeds_its_ceiling(r_l, l0, l_habit, factor, seed):
    b = Behaviour(r_l=r_l, l0=l0, l_habit=l_habit)
    wallet_habit, trust, use, habit, lever, _ = traits(seed)
    lever *= FLOAT(factor)
    p = dynamics.lapse_probability(b, wallet_habit, trust, use, habit, lever)
    assert p.max() <= dynamics.lapse_ceiling(b, float(lever.max()))


@settings(max_examples=60, deadline=None)
@given(media=share, q=share, seed=st.integers(0, 99))
@example(media=0.0, q=3.875222127027162e-07, seed=0)  # 1 - q in float32 is 8 % off q: found by hypothesis
def test_no_awareness_probability_exceeds_its_ceiling(media, q, seed):
    rng = np.random.default_rng(seed)
    count = rng.integers(0, 60, 4000).astype(np.int32)
    media_rate = (rng.random(4000) * media).astype(FLOAT)
    p = 1 - (1 - media_rate.astype(np.float64)) * (1 - np.float64(FLOAT(q))) ** count
    p32 = (1 - (1 - media_rate) * np.power(FLOAT(1) - FLOAT(q), count.astype(FLOAT))).astype(np.float64)
    stay = np.exp(count.astype(FLOAT) * np.log1p(-FLOAT(min(q, 0.999999))))  # the model's route for q < 1
    p_exp = (1 - (1 - media_rate) * stay).astype(np.float64)
    bound = dynamics.awareness_ceiling(float(media_rate.max()), q, count)
    assert np.all(p <= bound) and np.all(p32 <= bound) and np.all(p_exp <= bound)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 3 * dynamics.CHUNK + 7),
    ceiling=st.floats(0, 1.5),
    dense_from=st.floats(0, 1),
    seed=st.integers(0, 99),
)
def test_decisions_drawn_a_slice_at_a_time_are_those_of_one_draw_for_everyone(n, ceiling, dense_from, seed):
    """Three rules on disjoint candidates share one draw each; slices dense and sparse in
    candidates, bounds above p (one for all, or per slice): the indices of draw < p. Rule 0
    passes those it chose, where `onward` holds, to rule 2 with the rest of their draw, draw / p."""
    p = np.random.default_rng(seed).random(n).astype(FLOAT)
    p[: int(dense_from * n)] *= 0.05  # few candidates where p is small, most where it is not
    q = np.random.default_rng(seed + 3).random(n).astype(FLOAT)  # rule 2's probability
    rule_of = np.random.default_rng(seed + 1).integers(0, 4, n)  # 3: a candidate of no rule
    rule_of[: n // 3] = 0  # a long run of one rule's candidates: dense slices
    onward = np.random.default_rng(seed + 4).random(n) < 0.7
    bound = max(ceiling, float(p.max(initial=0)) * 1.001)
    draw = np.random.default_rng(seed + 2).random(n)
    asked = [0, 0, 0]

    def probability(who, r):
        asked[r] += p[who].size
        return (q if r == 2 else p)[who]

    rules = [
        thinning.Rule(
            bound if r != 1 else (lambda part: np.full(part.stop - part.start, bound)),
            lambda part, r=r: rule_of[part] == r,
            lambda who, r=r: probability(who, r),
            then=2 if r == 0 else None,
            then_eligible=(lambda who: onward[who]) if r == 0 else None,
        )
        for r in range(3)
    ]
    rules[2] = thinning.Rule(1.001, rules[2].eligible, rules[2].probability)
    got = thinning.decide(np.random.default_rng(seed + 2), n, rules, thinning.draw_buffer())
    chosen = [(rule_of == r) & (draw < (q if r == 2 else p)) for r in range(3)]
    assert np.array_equal(got[0], np.flatnonzero(chosen[0]))
    assert np.array_equal(got[1], np.flatnonzero(chosen[1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        onward_chosen = chosen[0] & onward & (draw / p < q)
    assert np.array_equal(np.sort(got[2]), np.flatnonzero(chosen[2] | onward_chosen))
    assert got[2].size == np.unique(got[2]).size
    assert max(asked[:2]) <= n  # each rule evaluated at most once for each of its own candidates


def test_the_rest_of_a_draw_is_a_fresh_uniform():
    """Given u < p, u / p is uniform on [0, 1) whatever p, so a decision that follows in the same
    step (adopting on hearing) is independent of the first: the share passing a follow-up of
    probability q is q, for a rare first decision (p = 0.05) as for a common one (p = 0.6). With
    u itself it would be min(q / p, 1)."""
    n = 400_000
    p = np.where(np.arange(n) % 2 == 0, FLOAT(0.05), FLOAT(0.6))
    q = ((np.arange(n) // 2) % 5 * 0.2 + 0.1).astype(FLOAT)  # 0.1, 0.3, ..., 0.9

    def everyone(part):
        return np.ones(part.stop - part.start, dtype=bool)

    first = thinning.Rule(1.0, everyone, lambda who: p[who], then=1)
    follow = thinning.Rule(1.0, lambda part: np.zeros(part.stop - part.start, dtype=bool), lambda who: q[who])
    heard, went_on = thinning.decide(np.random.default_rng(4), n, [first, follow], thinning.draw_buffer())
    passed = np.zeros(n, dtype=bool)
    passed[went_on] = True
    for rare in (0, 1):
        for level in np.unique(q):
            group = heard[(heard % 2 == rare) & (q[heard] == level)]
            share, size = passed[group].mean(), group.size
            assert abs(share - level) < 4 * np.sqrt(level * (1 - level) / size), (rare, level, share, size)


def run_table(path: Path, seed: int):
    scenario = load_scenario(path, ["population.size=4000", "steps=60"])
    model = WalletAdoptionModel(scenario, seed=seed, agents="lazy")
    model.run_for(60)
    return model.recorder.table()


FILES = ["scenarios/baseline.yaml", "benchmarks/all_interventions.yaml", "scenarios/bank_entry.yaml"]


@pytest.mark.parametrize("file", FILES)
def test_thinned_rules_and_incremental_usefulness_give_the_numbers_of_the_full_rules(monkeypatch, file):
    fast = run_table(ROOT / file, seed=3)
    monkeypatch.setattr(dynamics, "adoption_ceiling", lambda b: 2.0)
    monkeypatch.setattr(dynamics, "lapse_ceiling", lambda b, factor: 2.0)
    monkeypatch.setattr(dynamics, "awareness_ceiling", lambda media, wom, count: np.full(count.size, 2.0))
    monkeypatch.setattr(usefulness, "FEW_MERCHANTS", -1)  # recompute everyone at every change
    full = run_table(ROOT / file, seed=3)
    assert fast["share_active"].iloc[-1] > 0.02
    assert fast.equals(full)


def test_a_ceiling_below_the_probability_changes_the_run(monkeypatch):
    """The equality above is not vacuous: a bound that is too low loses adopters."""
    fast = run_table(ROOT / "scenarios/baseline.yaml", seed=3)
    monkeypatch.setattr(dynamics, "adoption_ceiling", lambda b: 0.01)
    low = run_table(ROOT / "scenarios/baseline.yaml", seed=3)
    assert low["n_ever_adopted"].iloc[-1] < 0.5 * fast["n_ever_adopted"].iloc[-1]


def test_flag_counts_updated_from_a_few_merchants_equal_counts_from_scratch():
    rng = np.random.default_rng(5)
    merchants, n = 50, 5000
    graph = ShoppingGraph(rng.integers(0, merchants + 1, (4, n)).astype(np.uint16), merchants)
    flags = rng.random(merchants) < 0.3
    count = graph.flag_count(flags)
    for _ in range(20):
        after = flags.copy()
        after[rng.choice(merchants, rng.integers(1, 4), replace=False)] ^= True
        gained, lost = np.flatnonzero(after & ~flags), np.flatnonzero(flags & ~after)
        before = count.copy()
        touched = graph.update_flag_count(count, gained, lost)
        assert np.array_equal(count, graph.flag_count(after))
        assert np.array_equal(touched, np.flatnonzero(count != before))
        flags = after
