"""Calibrations over several markets: a shared core recovered, leave-one-out prediction, bad
observations, resume equal to an uninterrupted study, and the lock."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from adoptsim.cli.main import main
from adoptsim.results.swap import FolderLock
from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.calibration.loading import load_calibration
from adoptsim.studies.calibration.objective import Problem
from adoptsim.studies.calibration.observations import parse_date
from adoptsim.studies.calibration.search import distributions, open_study, reseed
from adoptsim.studies.runner import run
from adoptsim.studies.storage import study_storage
from tests.conftest import BASELINE

TRUE_Q = 0.04
SMALL = {"population.size": 400, "merchants.count": 20}
CONTEXTS = {
    "cashland": {"cash_share": 1.0, "card_ownership": 0.1},
    "cardland": {"cash_share": 0.3, "card_ownership": 0.95, "contactless_cards": 0.8, "contactless_acceptance": 0.8},
}
MEDIA = {"cashland": 0.01, "cardland": 0.02}


def market_file(folder: Path, name: str) -> Path:
    """A market extending the baseline, with its context and a curve made by the model (TRUE_Q)."""
    incumbent = ", ".join(f"{k}: {v}" for k, v in CONTEXTS[name].items())
    text = f"""extends: {BASELINE}
name: {name}
behaviour: {{p_media: {MEDIA[name]}}}
market:
  name: {name}
  launch: 2010-01-01
  incumbent: {{{incumbent}}}
  observed: {{file: {name}.csv, column: value, measure: ever_adopted_share}}
"""
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    overrides = [f"{k}={v}" for k, v in {**SMALL, "behaviour.q_wom": TRUE_Q, "steps": 60}.items()]
    truth = run(load_scenario(path, overrides), reps=4, seed=7).timeseries
    steps = np.arange(6, 61, 6)
    mean = truth.groupby("step")["share_ever_adopted"].mean().loc[steps].to_numpy()
    noisy = np.clip(mean + np.random.default_rng(3).normal(0, 0.01, steps.size), 0, 1)
    pd.DataFrame({"step": steps, "value": noisy}).to_csv(folder / f"{name}.csv", index=False)
    return path


def joint_file(
    folder: Path,
    posterior: str = "{population: 12, generations: 2, max_simulations: 60, draws: 5}",
    name: str = "joint",
    trials: int = 8,
) -> Path:
    for market in CONTEXTS:
        if not (folder / f"{market}.yaml").exists():
            market_file(folder, market)
    text = f"""name: {name}
markets: {{cashland: cashland.yaml, cardland: cardland.yaml}}
fixed: {{population.size: 400, merchants.count: 20}}
parameters:
  behaviour.q_wom: {{low: 0.003, high: 0.3, log: true}}
replications: 2
method: {{trials: {trials}, batch: 2, posterior: {posterior}}}
"""
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_shared_core_is_recovered_from_two_markets_and_one_is_predicted_from_the_other(tmp_path, capsys):
    path = joint_file(tmp_path)
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out), "--workers", "1", "--horizon", "0.2"]) == 0
    q = pd.read_csv(out / "parameters.csv").set_index("parameter").loc["behaviour.q_wom"]
    assert q["lower"] <= TRUE_Q <= q["upper"], q.to_dict()
    assert 0 < q["interval_share"] < 0.7  # the two curves taught it something
    fit = pd.read_csv(out / "fit.csv")
    assert set(fit["market"]) == {"cashland", "cardland"}
    assert ((fit["lower"] <= fit["median"]) & (fit["median"] <= fit["upper"])).all()
    printed = capsys.readouterr().out
    assert (
        "cashland: fitted points: R^2" in printed
        and "generation 0: tolerance" in printed
        and " effective), " in printed
    )
    for name in ("calibrated-cashland.yaml", "calibrated-cardland.yaml", "fit.png"):
        assert (out / name).stat().st_size > 0
    # left out: cardland predicted from the core fitted on cashland alone (a small budget: only its files are read)
    path = joint_file(tmp_path, "{population: 8, generations: 1, max_simulations: 16, draws: 3}", "left", trials=4)
    left = tmp_path / "left"
    assert main(["calibrate", str(path), "--out", str(left), "--workers", "1", "--leave-out", "cardland"]) == 0
    prediction = pd.read_csv(left / "prediction.csv")
    assert list(prediction.columns) == ["market", "date", "observed", "simulated", "lower", "upper"]
    assert (prediction["market"] == "cardland").all() and len(prediction) == 10
    assert "cardland (left out, predicted from its context): R^2" in capsys.readouterr().out
    assert set(pd.read_csv(left / "fit.csv")["market"]) == {"cashland"}


def test_leave_out_names_a_market(tmp_path, capsys):
    for name in CONTEXTS:
        (tmp_path / f"{name}.csv").write_text("step,value\n6,0.01\n12,0.05\n", encoding="utf-8")
    path = tmp_path / "joint.yaml"
    path.write_text(
        """name: joint
markets: {cashland: cashland.yaml}
parameters: {behaviour.q_wom: {low: 0.003, high: 0.3}}
""",
        encoding="utf-8",
    )
    (tmp_path / "cashland.yaml").write_text(
        f"extends: {BASELINE}\nname: c\nmarket: {{name: c, launch: 2010-01-01, observed: "
        "{file: cashland.csv, column: value, measure: ever_adopted_share}}\n",
        encoding="utf-8",
    )
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o"), "--leave-out", "mars"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--leave-out mars: not a market" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("market", "expected"),
    [
        (None, "markets.cashland: {folder}/cashland.yaml: file not found"),
        ("marketx: {}\n", "markets.cashland: cashland.yaml: marketx: unknown field (did you mean 'market'?)"),
        (
            "market: {name: c, launch: 2010-01-01, internett: {}, observed: "
            "{file: cashland.csv, column: value, measure: ever_adopted_share}}\n",
            "markets.cashland: cashland.yaml: market.internett: unknown field (did you mean 'internet'?)",
        ),
    ],
    ids=["missing", "unknown-field", "unknown-market-field"],
)
def test_a_bad_market_file_is_named_with_its_field(tmp_path, capsys, market, expected):
    """A market's problem names the calibration's `markets.<name>` entry and the market file, not
    `scenario:` or the calibration file's own fields."""
    (tmp_path / "cashland.csv").write_text("step,value\n6,0.01\n12,0.05\n", encoding="utf-8")
    path = tmp_path / "joint.yaml"
    path.write_text(
        "name: joint\nmarkets: {cashland: cashland.yaml}\nparameters: {behaviour.q_wom: {low: 0.003, high: 0.3}}\n",
        encoding="utf-8",
    )
    if market is not None:
        (tmp_path / "cashland.yaml").write_text(f"extends: {BASELINE}\nname: c\n{market}", encoding="utf-8")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"{path}: {expected.format(folder=tmp_path)}", err
    assert not (tmp_path / "o").exists()


def test_a_bare_year_is_its_31_december():
    assert parse_date("2016") == pd.Timestamp("2016-12-31")
    assert parse_date("2016-02") == pd.Timestamp("2016-02-29")
    assert parse_date("2016-07-14") == pd.Timestamp("2016-07-14")


CALIBRATION = f"""name: dates
scenario: {BASELINE}
target: {{file: curve.csv, measure: ever_adopted_share}}
launch: 2015-01-01
parameters: {{behaviour.q_wom: {{low: 0.003, high: 0.3}}}}
"""


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("date,value\n2016-12,0.1\n,0.2\n2018-12,0.3\n", "line 3: the date is missing"),
        ("date,value\n2016-12,0.1\n2016-12,0.2\n", "date 2016-12-31 appears twice (lines 2 and 3 of curve.csv)"),
        ("date,value\n2016,0.1\n2016-12,0.2\n", "appears twice"),
        ("date,value\n2016-12,0.1\n2017-12,nan\n2018-12,0.3\n", "line 3: value has no value; values must be numbers"),
        ("date,value\n2016-12,0.1\n2017-12,\n2018-12,0.3\n", "line 3: value has no value"),
        ("date,value\n2016-12,0.1\n2017-12,0.2\n2018-12,x\n", "line 4: value has 'x'"),
    ],
)
def test_bad_observations_are_one_line(tmp_path, capsys, csv, expected):
    (tmp_path / "curve.csv").write_text(csv, encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(CALIBRATION, encoding="utf-8")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"{path}: ") and expected in err, err
    assert not (tmp_path / "out").exists()


def test_a_second_calibrate_on_the_same_folder_is_refused(tmp_path, capsys):
    (tmp_path / "curve.csv").write_text("date,value\n2016-12,0.1\n2017-12,0.2\n", encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(CALIBRATION, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with FolderLock(out):  # what a running calibrate holds (adoptsim/results/folders.py)
        assert main(["calibrate", str(path), "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err.strip()
    assert "in use by another adoptsim command" in err and len(err.splitlines()) == 1


def trial_params(folder: Path) -> list[dict]:
    study = optuna.load_study(study_name="joint", storage=study_storage(folder))
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return [(t.params, t.value) for t in sorted(done, key=lambda t: t.datetime_complete)]


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_a_resumed_calibration_equals_the_uninterrupted_one(tmp_path):
    path = joint_file(tmp_path, "{enabled: false}")
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    base = ["calibrate", str(path), "--workers", "1", "--horizon", "0"]
    assert main([*base, "--out", str(whole), "--trials", "6"]) == 0
    assert main([*base, "--out", str(parts), "--trials", "2"]) == 0
    # a kill mid-batch leaves a proposed trial RUNNING (proposed as search() does)
    problem = Problem(load_calibration(path))
    study = open_study(problem, parts)
    reseed(study, problem.loaded.seed, 2)
    study.ask(distributions(problem))
    assert main([*base, "--out", str(parts), "--trials", "6", "--resume"]) == 0
    assert trial_params(parts) == trial_params(whole)
