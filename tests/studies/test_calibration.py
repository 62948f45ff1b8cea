"""adoptsim calibrate: parameter recovery, calibrated.yaml reproducing the fit, resume, bad files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.storages.journal import JournalFileBackend, JournalStorage

from adoptsim.cli.main import main
from adoptsim.cli.stopping import Terminated
from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.runner import run
from tests.conftest import BASELINE, ROOT

TRUE = {"behaviour.q_wom": 0.04}
SMALL = {"population.size": 400, "merchants.count": 20, "behaviour.p_media": 0.01}

CALIBRATION = f"""
name: recovery
scenario: {BASELINE}
fixed: {{population.size: 400, merchants.count: 20, behaviour.p_media: 0.01}}
target: {{file: curve.csv, measure: ever_adopted_share}}
parameters:
  behaviour.q_wom: {{low: 0.003, high: 0.3, log: true}}
replications: 2
holdout: 1
method: {{trials: 10, batch: 2, posterior: {{population: 15, generations: 4, max_simulations: 180, draws: 5}}}}
"""


def model_made_curve(folder: Path) -> Path:
    """Every 6th step to step 60 of the model with TRUE parameters (other seeds), plus noise sd 0.01."""
    overrides = [f"{k}={v}" for k, v in {**SMALL, **TRUE, "steps": 60}.items()]
    truth = run(load_scenario(BASELINE, overrides), reps=4, seed=7).timeseries
    mean = truth.groupby("step")["share_ever_adopted"].mean()
    steps = np.arange(6, 61, 6)
    noisy = mean.loc[steps].to_numpy() + np.random.default_rng(3).normal(0, 0.01, steps.size)
    path = folder / "curve.csv"
    pd.DataFrame({"step": steps, "value": np.clip(noisy, 0, 1)}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("recovery")
    model_made_curve(folder)
    (folder / "recovery.yaml").write_text(CALIBRATION, encoding="utf-8")
    out = folder / "out"
    assert (
        main(["calibrate", str(folder / "recovery.yaml"), "--out", str(out), "--workers", "1", "--horizon", "0.5"]) == 0
    )
    return out


@pytest.mark.slow
def test_known_parameters_fall_inside_the_reported_intervals(calibrated, capsys):
    out = calibrated
    parameters = pd.read_csv(out / "parameters.csv").set_index("parameter")
    for name, value in TRUE.items():
        row = parameters.loc[name]
        assert row["lower"] <= value <= row["upper"], (name, row.to_dict())
        assert row["lower"] <= row["best"] <= row["upper"]
        assert "credible" in row["interval"]
    q = parameters.loc["behaviour.q_wom"]
    assert np.log(q["upper"] / q["lower"]) < 0.75 * np.log(0.3 / 0.003), (
        "the posterior should be narrower than the prior"
    )
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit.columns[:7]) == ["date", "step", "observed", "simulated", "lower", "upper", "heldout"]
    assert fit["heldout"].tolist() == [False] * 9 + [True]
    assert ((fit["lower"] <= fit["simulated"]) & (fit["simulated"] <= fit["upper"])).all()
    assert fit["lower"].min() >= 0 and fit["upper"].max() <= 1
    for name in ("fit.png", "forecast.png", "study.journal", "posterior.csv", "trials.csv"):
        assert (out / name).stat().st_size > 0


@pytest.mark.slow
def test_calibrated_scenario_rerun_reproduces_the_fitted_mean(calibrated):
    out = calibrated
    scenario = load_scenario(out / "calibrated.yaml")
    fit = pd.read_csv(out / "fit.csv")
    assert scenario.population.size == 400 and scenario.steps == 60 + 26
    series = run(scenario, reps=2).timeseries
    rerun = series.groupby("step")["share_ever_adopted"].mean().loc[fit["step"]].to_numpy()
    np.testing.assert_allclose(rerun, fit["simulated"].to_numpy(), atol=1e-12)


def completed_trials(study: Path) -> list[tuple[int, float]]:
    """(number, value) of each completed trial in a study journal, read while it may be written."""
    if not study.exists():
        return []
    storage = JournalStorage(JournalFileBackend(str(study)))
    names = optuna.get_all_study_names(storage)
    if not names:
        return []
    done = optuna.load_study(study_name=names[0], storage=storage).get_trials(
        deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)
    )
    return sorted((t.number, t.value) for t in done)


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_killed_calibration_resumes_without_redoing_finished_trials(tmp_path, capsys):
    model_made_curve(tmp_path)
    posterior = "posterior: {population: 15, generations: 4, max_simulations: 180, draws: 5}"
    assert posterior in CALIBRATION
    text = CALIBRATION.replace(posterior, "posterior: {enabled: false}")
    path = tmp_path / "recovery.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "adoptsim.cli", "calibrate", str(path), "--workers", "1", "--out", str(out)]
    process = subprocess.Popen([*command, "--trials", "400"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(completed_trials(out / "study.journal")) < 4:
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    before = completed_trials(out / "study.journal")
    assert 4 <= len(before) < 400, "the calibration should be stopped midway"
    arguments = ["calibrate", str(path), "--workers", "1", "--out", str(out)]
    assert main([*arguments, "--trials", "4"]) == 2 and "--resume" in capsys.readouterr().err
    target = len(before) + 4
    assert main([*arguments, "--resume", "--trials", str(target)]) == 0
    assert f"ran 4 trials ({target} in the study)" in capsys.readouterr().out
    after = completed_trials(out / "study.journal")
    assert after[: len(before)] == before
    assert len(after) == target
    assert (out / "calibrated.yaml").exists()
    fresh = tmp_path / "typo"  # --resume with no study there starts one, and says so
    assert main(["calibrate", str(path), "--workers", "1", "--out", str(fresh), "--resume", "--trials", "2"]) == 0
    assert f"--resume: no study in {fresh} to continue; starting a new one" in capsys.readouterr().err
    assert len(completed_trials(fresh / "study.journal")) == 2


BAD = [
    (
        "target: {file: curve.csv, measure: ever_adopted_share}",
        "target: {file: curve.csv, measure: adopted}",
        "target.measure",
    ),
    (
        "target: {file: curve.csv, measure: ever_adopted_share}",
        "target: {file: curve.csv, measure: ever_adopted_count}",
        "target.population: counts need the population",
    ),
    (
        "target: {file: curve.csv, measure: ever_adopted_share}",
        "target: {file: nowhere.csv, measure: ever_adopted_share}",
        "target.file: file not found: nowhere.csv",
    ),
    (
        "target: {file: curve.csv, measure: ever_adopted_share}",
        "target: {file: curve.csv, column: share, measure: ever_adopted_share}",
        "target.column: no column 'share'",
    ),
    ("behaviour.q_wom: {", "behaviour.q_wam: {", "parameters.behaviour.q_wam: no field 'q_wam'"),
    (
        "{low: 0.003, high: 0.3, log: true}",
        "{low: 0.3, high: 0.003}",
        "parameters.behaviour.q_wom: low (0.3) must be below high",
    ),
    (
        "{low: 0.003, high: 0.3, log: true}",
        "{low: 0.003, high: 2.0}",
        "parameters.behaviour.q_wom: bound 2: behaviour.q_wom: must be between 0 and 1",
    ),
    ("holdout: 1", "holdout: 12", "holdout: must leave observations to fit"),
    (
        "replications: 2",
        "replications: 2\nlaunch: 2010-01-01\nsegments: [{series: share_active_age_kids, step: 8, value: 0.1}]",
        "segments[0].series: unknown series 'share_active_age_kids'",
    ),
    ("replications: 2", "replicates: 2", "replicates: unknown field (did you mean 'replications'?)"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD)
def test_bad_calibration_files_are_one_line_and_exit_2(tmp_path, capsys, old, new, expected):
    pd.DataFrame({"step": [8, 16, 24], "value": [0.01, 0.05, 0.1]}).to_csv(tmp_path / "curve.csv", index=False)
    assert old in CALIBRATION
    path = tmp_path / "bad.yaml"
    path.write_text(CALIBRATION.replace(old, new), encoding="utf-8")
    code = main(["calibrate", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"{path}: ") and expected in err, err
    assert not (tmp_path / "out").exists()


STOPS = [(KeyboardInterrupt, 130, "interrupted"), (Terminated, 143, "terminated")]


@pytest.mark.parametrize(("stop", "code", "word"), STOPS)
def test_a_stopped_calibration_keeps_its_trials_and_says_why_in_its_exit_code(tmp_path, capsys, stop, code, word):
    """Ctrl-C (130) or SIGTERM (143, as every command), raised after two trials: both saved, --resume named."""
    from adoptsim.studies.calibration import search as searching

    model_made_curve(tmp_path)
    path = tmp_path / "recovery.yaml"
    posterior = "posterior: {population: 15, generations: 4, max_simulations: 180, draws: 5}"
    path.write_text(CALIBRATION.replace("trials: 10", "trials: 2").replace(posterior, "posterior: {enabled: false}"))
    out = tmp_path / "out"
    real = searching.search

    def stopped_after(*args, **kwargs):
        real(*args, **kwargs)
        raise stop

    with mock.patch("adoptsim.studies.calibration.search.search", stopped_after):
        assert main(["calibrate", str(path), "--workers", "1", "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert f"{word}: 2 trials saved in " in err and "--resume" in err, err
    assert len(completed_trials(out / "study.journal")) == 2
