"""The calibration's pieces on tiny problems, in this process (no optimiser, no ABC-SMC run):
the objective, the simulated observations, the ensemble's tables, the calibrated scenario, the
posterior's draws and intervals, and a market left out and predicted from the others.
The whole command is tested end to end (slowly) in test_calibration.py and test_calibration_markets.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adoptsim.errors import AdoptsimError
from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.calibration.abc_model import AbcModel
from adoptsim.studies.calibration.loading import load_calibration
from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.outputs import (
    band_warning,
    calibrated_yaml,
    fit_table,
    forecast_table,
    parameters_table,
    run_ensemble,
    statistics,
)
from adoptsim.studies.calibration.posterior import draw, weighted_interval
from adoptsim.studies.calibration.transfer import from_prior, others, predict, uninformed
from tests.conftest import BASELINE

OBSERVED = {"step": [4, 8, 12, 16], "value": [0.01, 0.03, 0.06, 0.10]}
TINY = f"""
name: tiny
scenario: {BASELINE}
fixed: {{population.size: 150, merchants.count: 10, behaviour.p_media: 0.01}}
target: {{file: curve.csv, measure: ever_adopted_share}}
parameters:
  behaviour.q_wom: {{low: 0.003, high: 0.3, log: true}}
replications: 2
holdout: 1
method: {{trials: 3, batch: 1, posterior: {{population: 4, generations: 2, max_simulations: 12, draws: 2}}}}
"""


def tiny(folder: Path, text: str = TINY) -> Problem:
    pd.DataFrame(OBSERVED).to_csv(folder / "curve.csv", index=False)
    (folder / "tiny.yaml").write_text(text, encoding="utf-8")
    return Problem(load_calibration(folder / "tiny.yaml"))


@pytest.fixture(scope="module")
def problem(tmp_path_factory) -> Problem:
    return tiny(tmp_path_factory.mktemp("tiny"))


def test_the_objective_is_the_weighted_squared_error_on_the_fitted_points_only(problem, tmp_path):
    shares = problem.observations["share"].to_numpy(dtype=float)
    assert list(problem.fitted) == [True, True, True, False]  # holdout: 1 keeps the last point out
    assert problem.loss(shares) == 0.0
    off = shares + np.array([0.01, 0.02, 0.0, 0.5])  # the held-out point's error does not count
    assert problem.loss(off) == pytest.approx(0.01**2 + 0.02**2)

    relative = tiny(tmp_path, TINY.replace("replications: 2", "replications: 2\nobjective: relative_sse"))
    assert relative.loss(off) == pytest.approx((0.01 / 0.01) ** 2 + (0.02 / 0.03) ** 2)


def test_louder_word_of_mouth_lifts_the_simulated_points_on_the_same_random_numbers(problem):
    quiet, loud = {"behaviour.q_wom": 0.003}, {"behaviour.q_wom": 0.3}
    assert problem.scenario(loud).steps == 16 and problem.scenario(loud, extra_steps=5).steps == 21
    runs = problem.evaluate([quiet, loud, quiet], None)
    simulated = [problem.simulated(point, series) for point, series in zip([quiet, loud, quiet], runs, strict=True)]
    assert simulated[0].shape == (2, 4)  # a row per replication, a column per observation
    np.testing.assert_array_equal(simulated[0], simulated[2])  # common random numbers: the same point repeats
    assert (simulated[1].mean(axis=0) >= simulated[0].mean(axis=0)).all()
    assert simulated[1].mean(axis=0)[-1] > simulated[0].mean(axis=0)[-1]
    losses = problem.losses([quiet, loud], None)
    assert losses == [problem.loss(s.mean(axis=0)) for s in simulated[:2]]


def test_the_objective_runs_stop_at_the_last_scored_observation_with_the_same_values(problem):
    """Trials and ABC particles run to step 12, the last fitted point, not to the held-out 16: the
    first k steps of a run do not depend on how many follow."""
    point = {"behaviour.q_wom": 0.05}
    assert problem.scenario(point, scored_only=True).steps == 12 and problem.scenario(point).steps == 16
    full, cut = (problem.evaluate([point], None, scored_only=s)[0] for s in (False, True))
    assert cut[0]["step"].max() == 12
    whole = full[0][full[0]["step"] <= 12].reset_index(drop=True)
    pd.testing.assert_frame_equal(cut[0].reset_index(drop=True), whole)
    short, long = problem.simulated(point, cut), problem.simulated(point, full)
    assert np.isnan(short[:, 3]).all()  # the held-out point is after the cut run's end
    np.testing.assert_array_equal(short[:, :3], long[:, :3])
    assert problem.losses([point], None) == [problem.loss(long.mean(axis=0))]


def test_the_ensembles_tables_band_the_best_run_and_forecast_past_the_data(problem):
    best = {"behaviour.q_wom": 0.05}
    draws = [{"behaviour.q_wom": 0.02}, {"behaviour.q_wom": 0.1}]
    ensemble = run_ensemble(problem, best, draws, None, horizon=0.25)
    assert ensemble.extra_steps == 13  # a quarter of 52 weeks

    fit = fit_table(problem, ensemble)
    assert list(fit["step"]) == OBSERVED["step"] and list(fit["heldout"]) == [False, False, False, True]
    assert list(fit["observed"]) == OBSERVED["value"]
    assert (fit["lower"] <= fit["median"]).all() and (fit["median"] <= fit["upper"]).all()
    best_mean = problem.simulated(best, ensemble.best_series).mean(axis=0)
    np.testing.assert_allclose(fit["simulated"], best_mean)

    stats = statistics(fit)
    assert (stats["points"], stats["heldout"]) == (3, 1) and 0 <= stats["covered"] <= 3
    assert stats["rmse"] == pytest.approx(np.sqrt(np.mean((fit["observed"] - fit["simulated"])[:3] ** 2)))
    assert stats["heldout_rmse"] == pytest.approx(abs(fit["observed"].iat[3] - fit["simulated"].iat[3]))

    forecast = forecast_table(problem, ensemble)
    assert forecast["step"].max() == 16 + 13 and (forecast["time"] == forecast["step"]).all()  # no launch: steps
    assert (forecast["lower"] <= forecast["upper"]).all() and forecast["mean"].is_monotonic_increasing
    at_fitted = forecast.set_index("step").loc[OBSERVED["step"], "mean"].to_numpy()
    np.testing.assert_allclose(at_fitted, best_mean)  # the forecast continues the fitted curve


def test_a_best_fit_that_leaves_its_band_is_warned_of_with_how_often_and_how_far(problem):
    """The band is the posterior's; with few trials or particles the best fit's mean (what
    calibrated.yaml runs) can lie outside it, which the figures alone leave to the eye."""
    fit = pd.DataFrame(
        {
            "step": [4, 8, 12, 16],
            "simulated": [0.02, 0.05, 0.20, 0.50],  # the third above its band by 0.05; the fourth held out
            "lower": [0.01, 0.04, 0.10, 0.10],
            "upper": [0.03, 0.06, 0.15, 0.20],
            "heldout": [False, False, False, True],
            "series": "target",
            "market": "",
        }
    )
    steps = np.arange(20)
    forecast = pd.DataFrame({"step": steps, "lower": 0.1, "upper": 0.2, "market": ""})
    forecast["mean"] = np.where(steps < 17, 0.15, 0.08)  # the last three below the band, by up to 0.02
    warning = band_warning(fit, forecast, problem.parts[0])
    assert warning.startswith("warning: the best fit's mean (what calibrated.yaml runs) leaves the 95 % band")
    assert "at 1 of 3 fitted points (by up to 0.05)" in warning
    assert "3 of 20 forecast.csv steps (by up to 0.02), a share" in warning
    inside = forecast.assign(mean=0.15)
    assert band_warning(fit.assign(simulated=[0.02, 0.05, 0.12, 0.5]), inside, problem.parts[0]) is None


def test_the_calibrated_scenario_is_whole_and_runs_the_best_values_to_the_horizon(problem, tmp_path):
    text = calibrated_yaml(problem, problem.parts[0], {"behaviour.q_wom": 0.05}, 13, "tiny.yaml")
    assert text.startswith("# Made by `adoptsim calibrate tiny.yaml`") and "\nextends:" not in text
    path = tmp_path / "calibrated.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "tiny_calibrated" and scenario.behaviour.q_wom == 0.05 and scenario.steps == 29
    assert scenario.population.size == 150 and scenario.seed == problem.loaded.seed


def test_a_posterior_interval_says_when_the_data_taught_little_or_the_best_lies_outside(problem):
    rng = np.random.default_rng(1)
    narrow = pd.DataFrame({"behaviour.q_wom": rng.uniform(0.04, 0.06, 200), "weight": np.full(200, 1 / 200)})
    row = parameters_table(problem, {"behaviour.q_wom": 0.05}, narrow).iloc[0]
    assert row["lower"] >= 0.04 and row["upper"] <= 0.06 and row["warning"] == ""
    share = (np.log(row["upper"]) - np.log(row["lower"])) / np.log(0.3 / 0.003)  # on the log scale searched
    assert row["interval_share"] == pytest.approx(share)
    assert row["interval"] == "95 % credible (ABC-SMC posterior, 200 particles, 200.0 effective)"

    wide = pd.DataFrame({"behaviour.q_wom": np.geomspace(0.003, 0.3, 200), "weight": np.full(200, 1 / 200)})
    warning = parameters_table(problem, {"behaviour.q_wom": 0.0031}, wide).iloc[0]["warning"]
    assert "the data taught little" in warning and "the best point lies outside its interval" in warning
    unknown = parameters_table(problem, {"behaviour.q_wom": 0.05}, None).iloc[0]
    assert unknown["interval"] == "none" and np.isnan(unknown["lower"])

    # weights on a few particles: a narrow interval that rests on 4 effective particles says so
    few = narrow.assign(weight=np.where(np.arange(200) < 4, 0.25, 0.0))
    row = parameters_table(problem, {"behaviour.q_wom": 0.05}, few).iloc[0]
    assert row["interval_share"] < 0.1 and "4.0 effective particles: too few for a 95 % interval" in row["warning"]
    assert row["interval"].endswith("200 particles, 4.0 effective)")
    # a parameter no fitted point depends on: its posterior is its prior, whatever the particles say
    inert = parameters_table(problem, {"behaviour.q_wom": 0.05}, narrow, ["behaviour.q_wom"]).iloc[0]
    assert (inert["lower"], inert["upper"], inert["interval_share"]) == (0.003, 0.3, pytest.approx(1.0))
    assert "posterior = prior" in inert["warning"] and "taught little" not in inert["warning"]


def test_draws_follow_the_particles_weights_and_intervals_are_weighted():
    particles = pd.DataFrame({"a": [1.0, 2.0, 3.0], "weight": [0.0, 0.0, 1.0]})
    assert draw(particles, ["a"], 4, seed=5) == [{"a": 3.0}] * 4
    even = pd.DataFrame({"a": [1.0, 2.0], "weight": [0.5, 0.5]})
    assert draw(even, ["a"], 50, seed=5) == draw(even, ["a"], 50, seed=5)  # seeded
    assert {d["a"] for d in draw(even, ["a"], 50, seed=5)} == {1.0, 2.0}

    values = np.arange(1, 101, dtype=float)
    assert weighted_interval(values, np.ones(100)) == (3.0, 98.0)
    heavy = np.where(values > 50, 1.0, 0.0)
    assert weighted_interval(values, heavy)[0] > 50


def test_the_abc_model_reads_log_parameters_in_log10_repeats_a_particle_and_scores_by_the_objective(problem):
    model = AbcModel(problem)
    assert model.values({"p0": -2.0}) == {"behaviour.q_wom": pytest.approx(0.01)}
    simulated = model({"p0": -1.0})
    assert simulated["y"].shape == (4,)
    np.testing.assert_array_equal(model({"p0": -1.0})["y"], simulated["y"])
    assert np.isnan(simulated["y"][3])  # held out: its run stops at the last fitted point
    assert model.distance(simulated, {}) == pytest.approx(np.sqrt(problem.loss(simulated["y"])))


def market(folder: Path, name: str, media: float, incumbent: str = "{cash_share: 1.0}") -> None:
    text = f"""extends: {BASELINE}
name: {name}
behaviour: {{p_media: {media}}}
market:
  name: {name}
  launch: 2010-01-01
  incumbent: {incumbent}
  observed: {{file: {name}.csv, column: value, measure: ever_adopted_share}}
"""
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    pd.DataFrame(OBSERVED).to_csv(folder / f"{name}.csv", index=False)


@pytest.mark.slow
def test_a_left_out_market_is_predicted_with_the_core_and_the_others_own_parameters(tmp_path):
    for name, media in (("north", 0.005), ("south", 0.02), ("west", 0.01)):
        market(tmp_path, name, media)
    (tmp_path / "joint.yaml").write_text(
        """name: joint
markets: {north: north.yaml, south: south.yaml, west: west.yaml}
fixed: {population.size: 150, merchants.count: 10}
parameters:
  behaviour.q_wom: {low: 0.003, high: 0.3, log: true}
per_market:
  behaviour.p_media: {low: 0.001, high: 0.05, log: true}
replications: 2
""",
        encoding="utf-8",
    )
    loaded = load_calibration(tmp_path / "joint.yaml")
    with pytest.raises(AdoptsimError, match=r"^--leave-out east: not a market of .*\(north, south, west\)$"):
        others(loaded, "east")
    fitted = Problem(others(loaded, "west"))
    assert [p.name for p in fitted.parts] == ["north", "south"]
    assert fitted.names == ["behaviour.q_wom", "north:behaviour.p_media", "south:behaviour.p_media"]
    best = {"behaviour.q_wom": 0.05, "north:behaviour.p_media": 0.004, "south:behaviour.p_media": 0.016}
    table, stats = predict(loaded, fitted, "west", best, [], None)
    assert list(table["market"].unique()) == ["west"] and list(table["observed"]) == OBSERVED["value"]
    assert stats["points"] == 4 and 0 <= stats["covered"] <= 4 and stats["from_prior"] == {}
    assert stats["rmse"] == pytest.approx(np.sqrt(np.mean((table["observed"] - table["simulated"]) ** 2)))

    west = Problem(load_calibration(tmp_path / "joint.yaml"))
    carried = west.scenario({**best, "west:behaviour.p_media": 0.008}, west.parts[2])
    assert carried.behaviour.p_media == 0.008  # the geometric mean of 0.004 and 0.016 is what predict runs
    assert west.steps(best).tolist() == OBSERVED["step"] * 3  # steps given: the launch does not move them


@pytest.mark.slow
def test_a_posterior_with_a_tolerance_stops_at_the_first_generation_that_reaches_it(tmp_path, capsys):
    """`posterior.tolerance` is an RMS error a fitted point: the ABC stops after the generation
    whose tolerance sqrt(objective) / sqrt(points) is at most it, and not before."""
    import pyabc

    from adoptsim.studies.calibration.posterior import ABC_FILE, run_posterior

    def generations(most: int, tolerance: str, out: Path) -> list[float]:
        budget = f"generations: {most}, max_simulations: 400{tolerance}"
        problem = tiny(tmp_path, TINY.replace("generations: 2, max_simulations: 12", budget))
        out.mkdir()
        run_posterior(problem, out, None)
        epsilons = pyabc.History(f"sqlite:///{out / ABC_FILE}").get_all_populations()["epsilon"]
        points = int(problem.fitted.sum())
        return [e / np.sqrt(points) for e in epsilons.to_numpy() if np.isfinite(e)]

    free = generations(3, "", tmp_path / "free")
    assert len(free) == 3 and free[2] < free[1]
    target = (free[1] + free[2]) / 2  # reached at the third generation, not the second
    stopped = generations(6, f", tolerance: {target}", tmp_path / "stopped")
    assert stopped == pytest.approx(free)  # the same seed: the same generations, then the stop
    assert stopped[-1] <= target < stopped[-2]
    said = capsys.readouterr().out.splitlines()
    assert sum("stopped after generation 2 of up to 3" in line for line in said) == 1  # the free run
    assert any("stopped at the asked tolerance after generation 2 of up to 6" in line for line in said)
    assert any(line.endswith(f"RMS error a point {stopped[-1]:.3g} (asked {target:g})") for line in said)


@pytest.mark.slow
def test_a_core_parameter_only_the_left_out_market_depends_on_is_taken_from_its_prior(tmp_path):
    """Two cash markets cannot inform the relative-advantage weight (advantage 1: the term is 0);
    a card market left out depends on it, so its prediction says so and uses the prior."""
    market(tmp_path, "north", 0.01)
    market(tmp_path, "south", 0.01)
    market(tmp_path, "west", 0.01, "{cash_share: 0.3, card_ownership: 1.0}")
    (tmp_path / "joint.yaml").write_text(
        """name: joint
markets: {north: north.yaml, south: south.yaml, west: west.yaml}
fixed: {population.size: 150, merchants.count: 10, behaviour.r_a: 0.5}
parameters:
  behaviour.q_wom: {low: 0.003, high: 0.3, log: true}
  market.advantage_weight: {low: 0.0, high: 6.0}
  behaviour.b_habit: {low: 1.0, high: 100.0, log: true}
replications: 2
""",
        encoding="utf-8",
    )
    loaded = load_calibration(tmp_path / "joint.yaml")
    fitted = Problem(others(loaded, "west"))
    best = {"behaviour.q_wom": 0.05, "market.advantage_weight": 0.5, "behaviour.b_habit": 2.0}
    blind = uninformed(loaded, fitted, "west", best, None)
    assert blind == ["market.advantage_weight"]
    assert uninformed(loaded, Problem(others(loaded, "north")), "north", best, None) == []  # west informs it
    table, stats = predict(loaded, fitted, "west", best, [dict(best) for _ in range(6)], None, blind)
    assert stats["from_prior"] == {"market.advantage_weight": 3.0}
    assert (table["lower"] < table["upper"]).all()
    from adoptsim.figures.calibration import prediction_figure

    legend = [t.get_text() for t in prediction_figure(table, "west", stats).axes[0].get_legend().get_texts()]
    assert "market.advantage_weight at its prior's middle" in legend[1] and "from its prior" in legend[0]

    point, draws = from_prior(fitted, ["behaviour.b_habit"], best, [dict(best) for _ in range(200)], seed=1)
    assert point["behaviour.b_habit"] == pytest.approx(10.0)  # the middle of 1..100 on the log scale
    drawn = np.log10([d["behaviour.b_habit"] for d in draws])
    assert 0 <= drawn.min() < 0.2 and 1.8 < drawn.max() <= 2 and abs(np.median(drawn) - 1) < 0.2
    assert all(d["behaviour.q_wom"] == 0.05 for d in draws)  # only the named parameters move


def test_the_posterior_proposes_with_twice_the_weighted_covariance(problem):
    """Beaumont et al. (2009)'s kernel, not pyabc's Silverman bandwidth (0.4 x in 8 dimensions),
    under which the particles' weights degenerate onto a few."""
    from pyabc.sampler import SingleCoreSampler

    from adoptsim.studies.calibration.posterior import abc_smc

    kernel = abc_smc(AbcModel(problem), 10, SingleCoreSampler()).transitions[0]
    rng = np.random.default_rng(4)
    particles = pd.DataFrame({"p0": rng.normal(-1.5, 0.3, 400), "p1": rng.normal(0.0, 2.0, 400)})
    weights = rng.uniform(0.5, 1.5, 400)
    weights /= weights.sum()
    kernel.fit(particles, weights)
    weighted = np.cov(particles.to_numpy().T, aweights=weights)
    assert kernel.cov == pytest.approx(2 * weighted, rel=0.01, abs=1e-3)
