"""Exact early rejection in the ABC-SMC (abc_model.py) on two tiny markets: the same particles
are accepted and rejected as by the full simulation, each run stops at the first observation
where sqrt(partial loss) exceeds the tolerance (not later, not sooner), and the posterior is the
same with it as without, and whatever the number of workers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from adoptsim.studies.calibration import abc_model
from adoptsim.studies.calibration.abc_model import AbcModel
from adoptsim.studies.calibration.loading import load_calibration
from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.posterior import run_posterior
from tests.studies.test_calibration_markets import joint_file


@pytest.fixture(scope="module")
def problem(tmp_path_factory) -> Problem:
    """Two tiny markets; a posterior of 2 generations of 8 (the second has a tolerance that rejects)."""
    posterior = "{population: 8, generations: 2, max_simulations: 32, draws: 3}"
    return Problem(load_calibration(joint_file(tmp_path_factory.mktemp("joint"), posterior)))


@pytest.fixture(scope="module")
def serial_posterior(problem, tmp_path_factory) -> tuple:
    """The posterior in this process, with early rejection, and the distances at which runs were cut
    short: what both posterior tests compare against (run once: the run is seeded, and both tests
    compare their other run to it for equality)."""
    stops: list[float] = []
    raise_it = abc_model.RejectedError.__init__
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(abc_model.RejectedError, "__init__", lambda self, d: (stops.append(d), raise_it(self, d))[1])
        posterior = run_posterior(problem, tmp_path_factory.mktemp("serial"), None)
    return posterior, stops


def where_it_stops(model: AbcModel, terms: np.ndarray, steps: np.ndarray, eps: float) -> tuple[int, int] | None:
    """By hand, from a full run's terms: (markets started, observation steps reached in the last)
    when sqrt(running loss) first exceeds eps, None when it never does."""
    running: list[float] = []
    for started, index in enumerate(model.order, start=1):
        rows = model.problem.rows[index]
        for reached, step in enumerate(sorted({int(steps[i]) for i in rows}), start=1):
            running += [terms[i] for i in rows if steps[i] == step]
            if math.sqrt(math.fsum(running)) > eps:
                return started, reached
    return None


@pytest.mark.slow
def test_early_rejection_decides_as_the_full_run_and_stops_at_the_first_observation_over(problem, monkeypatch):
    model = AbcModel(problem)
    np.random.seed(5)
    particles = [model.prior().rvs() for _ in range(10)]
    full = [model.integrated_simulate(pars, math.inf) for pars in particles]
    assert all(r.accepted for r in full) and model.markets_run == 2 * len(particles)
    distances = np.array([r.distance for r in full])
    eps = float(np.median(distances))
    cases = [(pars, r, eps) for pars, r in zip(particles, full, strict=True)]
    # on the edge: a tolerance equal to a full distance accepts it (pyabc keeps distance <= eps)
    cases.append((particles[0], full[0], float(distances[0])))
    # on the edge inside a run: exactly the loss after some observation stops it only at the next one
    terms0, steps0 = problem.terms(full[0].sum_stat["y"]), problem.steps(model.values(particles[0]))
    first = problem.rows[model.order[0]]
    step = sorted({int(steps0[i]) for i in first})[3]
    cases.append((particles[0], full[0], math.sqrt(math.fsum(terms0[first][steps0[first] <= step].tolist()))))
    model.markets_run = 0
    for pars, whole, tolerance in cases:
        early = model.integrated_simulate(pars, tolerance)
        assert early.accepted == (whole.distance <= tolerance)
        stop = where_it_stops(model, problem.terms(whole.sum_stat["y"]), problem.steps(model.values(pars)), tolerance)
        if early.accepted:
            assert stop is None and early.distance == whole.distance
            assert early.sum_stat["y"].tolist() == whole.sum_stat["y"].tolist()
        else:
            assert stop == (len(model.watches), model.watches[-1].checked)
            assert early.distance <= whole.distance
    assert 0 < sum(r.distance > eps for r in full) < len(full)  # both outcomes were tried
    assert model.markets_run < 2 * len(cases)  # fewer market runs than the full simulation's
    # in blocks (the sampler's way): every result as one by one, rejected runs not run in the next market
    built, build = [], abc_model.Blocks.build
    monkeypatch.setattr(abc_model.Blocks, "build", lambda *a: built.append(len(a[0])) or build(*a))
    model.markets_run = 0
    many = model.simulate_many([(model.values(pars), tolerance) for pars, _, tolerance in cases])
    alone = [model.integrated_simulate(pars, tolerance) for pars, _, tolerance in cases]
    for a, b in zip(many, alone, strict=True):
        assert (a.accepted, a.distance) == (b.accepted, b.distance)
        assert not a.accepted or a.sum_stat["y"].tolist() == b.sum_stat["y"].tolist()
    assert len(cases) == built[0] > built[1]  # one model a market, and the rejected left out of the second


@pytest.mark.slow
def test_the_posterior_is_the_same_with_early_rejection_as_without(problem, serial_posterior, tmp_path, monkeypatch):
    with_it, stops = serial_posterior
    assert stops  # runs were cut short, and the posterior is still the same
    monkeypatch.setattr(abc_model.Watch, "check", lambda self, model: None)  # never stops a run
    without = run_posterior(problem, tmp_path, None)
    assert with_it.to_dict("list") == without.to_dict("list")


@pytest.mark.slow
def test_the_posterior_is_the_same_in_blocks_as_one_by_one(problem, serial_posterior, tmp_path, monkeypatch):
    in_blocks, _ = serial_posterior
    monkeypatch.setattr(abc_model, "in_blocks", lambda jobs: jobs())  # each job simulates its particle alone
    one_by_one = run_posterior(problem, tmp_path, None)
    assert in_blocks.to_dict("list") == one_by_one.to_dict("list")


@pytest.mark.slow
def test_the_posterior_is_the_same_whatever_the_number_of_workers(problem, serial_posterior, tmp_path):
    from adoptsim.studies.executors import make_executor

    one, _ = serial_posterior
    with make_executor(workers=2) as executor:
        two = run_posterior(problem, tmp_path, executor)
    assert len(one) == problem.spec.method.posterior.population
    assert one.to_dict("list") == two.to_dict("list")
