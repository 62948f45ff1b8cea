"""The search drops a lever that does not pay: warm starts on every face of the simplex and
log-scale weights, pinned on a problem whose optimum is known without simulating."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from adoptsim.studies.optimization.search import open_study
from adoptsim.studies.optimization.space import WEIGHT_FLOOR, decode, search_space, warm_starts
from adoptsim.studies.optimization.spec import load_problem
from adoptsim.studies.optimization.stages import REFINE, STAGE, ask_refinement, refined, searched
from tests.conftest import ROOT

BASE = f"""
name: four_and_waste
extends: {ROOT / "scenarios" / "baseline.yaml"}
steps: 30
population: {{size: 800}}
interventions:
  - {{type: seeding, name: a, count: 10, budget: 100}}
  - {{type: seeding, name: b, count: 10, budget: 100}}
  - {{type: seeding, name: c, count: 10, budget: 100}}
  - {{type: seeding, name: d, count: 10, budget: 100}}
  - {{type: security_campaign, name: waste, trust_gain: 0.0, budget: 100}}
"""

PROBLEM = """
name: synthetic
scenario: base.yaml
budget: 1000
split: {interventions: [a, b, c, d, waste]}
decisions:
  interventions[a].start: {range: [0, 20], integer: true}
objectives: [{kpi: final_active_share}]
trials: 40
batch: 4
seed: 2
"""

GAINS = 0.3 * np.array([3.0, 2.0, 3.5, 1.5, 0.0])
"""Diminishing returns sum g_i sqrt(share_i): the best split is share_i = g_i^2 / sum g^2, and
the last lever (no gain) gets nothing. Small gains beside the start's effect and the noise, as
in the ready problems, where a few per cent of the budget moves the objective little."""
NOISE = 0.05


def value(shares: dict[str, float], start: int) -> float:
    return float(GAINS @ np.sqrt(np.array(list(shares.values())))) - 0.02 * start


@pytest.fixture
def problem(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "synthetic.yaml").write_text(PROBLEM)
    return load_problem(tmp_path / "synthetic.yaml")


def test_the_warm_starts_are_the_even_split_and_each_lever_off(problem):
    starts = [decode(problem, params)[0] for params in warm_starts(problem)]
    assert starts[0] == pytest.approx(dict.fromkeys("abcd", 0.2) | {"waste": 0.2})
    for name, shares in zip(["a", "b", "c", "d", "waste"], starts[1:], strict=True):
        assert shares[name] == 0.0  # the floor is off, exactly
        assert sum(shares.values()) == pytest.approx(1.0) and max(shares.values()) == pytest.approx(0.25)


@pytest.mark.slow  # about 5 s of TPE
def test_a_lever_that_does_not_pay_ends_near_zero_and_the_rest_near_their_optimum(problem, tmp_path):
    # The search's own pieces (sampler, warm starts, space, decoding) on a known noisy function,
    # no runs. The search before (weights drawn evenly from [0, 1], the even split its only warm
    # start) left the useless lever 3.8 % of the budget here.
    study = open_study(problem, tmp_path, resume=False)
    space = search_space(problem)
    assert space["weight:waste"].low == WEIGHT_FLOOR and space["weight:waste"].log
    noise = np.random.default_rng(0)
    for _ in range(problem.spec.trials // problem.spec.batch):
        asked = [study.ask(space) for _ in range(problem.spec.batch)]
        for trial in asked:
            shares, values = decode(problem, trial.params)
            study.tell(trial, value(shares, values["interventions[a].start"]) + noise.normal(0, NOISE))
    shares, values = decode(problem, study.best_trial.params)
    optimum = dict(zip("abcd", GAINS[:4] ** 2 / (GAINS**2).sum(), strict=True)) | {"waste": 0.0}
    assert shares["waste"] < 0.03
    assert value(shares, values["interventions[a].start"]) > value(optimum, 0) - 0.08  # 1.57 at best


def _first_stage(problem, trials: int, seed: int = 0) -> optuna.Study:
    """A study holding `trials` finished first-stage trials drawn at random, told the known
    function plus noise (fast: no sampler model, no simulation)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=seed))
    space = search_space(problem)
    noise = np.random.default_rng(seed)
    for _ in range(trials):
        trial = study.ask(space)
        shares, values = decode(problem, trial.params)
        study.tell(trial, value(shares, values["interventions[a].start"]) + noise.normal(0, NOISE))
    return study


def _refine(problem, study: optuna.Study, trials: int, seed: int = 1) -> list[float]:
    """Ask `trials` refinement trials in batches of 4, tell them the noisy function; their true values."""
    noise, truths = np.random.default_rng(seed), []
    for _ in range(trials // 4):
        for trial in [ask_refinement(problem, study) for _ in range(4)]:
            shares, values = decode(problem, trial.params)
            truths.append(value(shares, values["interventions[a].start"]))
            study.tell(trial, truths[-1] + noise.normal(0, NOISE))
    return truths


def test_the_refinement_searches_around_the_best_points_and_beats_them(problem):
    # 40 random trials, then 12 of the refinement (warm-started CMA-ES): its points lie in the
    # first stage's best region, and on the true function they beat the first stage's best tenth.
    study = _first_stage(problem, 40)
    first = searched(study)
    top = [decode(problem, t.params) for t in sorted(first, key=lambda t: -t.value)[:4]]
    truth = [value(shares, values["interventions[a].start"]) for shares, values in top]
    refined_values = _refine(problem, study, 12)
    assert len(refined(study)) == 12 and searched(study) == first
    assert all(t.user_attrs[STAGE] == REFINE for t in refined(study))
    assert np.mean(refined_values) > np.mean(truth)
    assert max(refined_values) > max(truth)


def test_a_refinement_trial_depends_only_on_the_stored_trials(problem):
    # Resume-after-kill and any number of workers: the same stored trials ask the same next trial.
    one, two = _first_stage(problem, 40), _first_stage(problem, 40)
    _refine(problem, one, 8)
    _refine(problem, two, 8)
    assert [t.params for t in refined(one)] == [t.params for t in refined(two)]
    copy = optuna.create_study(direction="maximize")
    copy.add_trials(one.trials)  # a study reopened from its storage: the same trials, a new sampler
    assert ask_refinement(problem, copy).params == ask_refinement(problem, one).params
