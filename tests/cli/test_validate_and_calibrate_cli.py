"""`adoptsim validate` on every kind of input file, and the calibrate command's own pieces (its
run budget, the output folder's record, the printed parameters), in this process."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from adoptsim.cli.calibrate import MARKER, calibration_runs, prepare_output, print_parameters
from adoptsim.cli.main import main
from adoptsim.errors import AdoptsimError
from adoptsim.studies.calibration.loading import load_calibration
from adoptsim.studies.calibration.observations import decimal_year
from tests.conftest import BASELINE, ROOT

CALIBRATION = f"""
name: tiny
scenario: {BASELINE}
fixed: {{population.size: 150, merchants.count: 10}}
target: {{file: curve.csv, measure: ever_adopted_share}}
parameters:
  behaviour.q_wom: {{low: 0.003, high: 0.3, log: true}}
  behaviour.p_media: {{low: 0.001, high: 0.05}}
replications: 3
method: {{trials: 20, posterior: {{population: 10, generations: 4, max_simulations: 100, draws: 5}}}}
"""


@pytest.fixture
def calibration(tmp_path):
    pd.DataFrame({"step": [4, 8, 12], "value": [0.01, 0.03, 0.06]}).to_csv(tmp_path / "curve.csv", index=False)
    path = tmp_path / "tiny.yaml"
    path.write_text(CALIBRATION, encoding="utf-8")
    return path


def test_validate_recognises_each_kind_of_file_and_describes_it_in_one_line(calibration, capsys):
    files = [
        calibration,
        ROOT / "optimizations" / "best_net_value.yaml",
        ROOT / "experiments" / "training_vs_security_budget.yaml",
        ROOT / "experiments" / "uncertain" / "market_inputs.yaml",
        BASELINE,
    ]
    assert main(["validate", *map(str, files)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{calibration}: ok (calibration tiny, 2 parameters)"
    assert lines[1].startswith(f"{files[1]}: ok (optimisation best_net_value, budget 150,000 over 4 interventions")
    assert lines[1].endswith("80 trials x 2 replications)")
    assert lines[2].startswith(f"{files[2]}: ok (experiment training_vs_security_budget, paired design, 4 points; ")
    assert "12 runs of 10,000 consumers x 104 steps: about" in lines[2]
    assert lines[3] == f"{files[3]}: ok (uncertainty file, 5 uncertain inputs x 40 draws (for compare --uncertain))"
    assert lines[4].startswith(f"{BASELINE}: ok (scenario baseline, 20,000 consumers")


@pytest.mark.parametrize(
    ("kind", "name"),
    [("calibration", None), ("optimisation", "optimizations/best_net_value.yaml"), ("experiment", None)],
)
def test_set_is_refused_for_files_that_vary_a_scenario(calibration, capsys, kind, name):
    path = {"calibration": calibration, "experiment": ROOT / "experiments" / "training_vs_security_budget.yaml"}.get(
        kind, ROOT / str(name)
    )
    assert main(["validate", str(path), "--set", "steps=10"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{path}: --set applies to scenario files; change the {kind}'s fixed: instead"
    )


def test_an_uncertainty_file_lists_each_mistake_and_fails_the_whole_command(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "draws: 0\ninputs:\n  behaviour.q_wom: {distribution: {type: lognormal, median: -1, sigma: 0.4}}\n",
        encoding="utf-8",
    )
    good = ROOT / "experiments" / "uncertain" / "market_inputs.yaml"
    assert main(["validate", str(bad), str(good)]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out.strip()
        == f"{good}: ok (uncertainty file, 5 uncertain inputs x 40 draws (for compare --uncertain))"
    )
    assert captured.err.startswith(f"{bad}: ") and "draws" in captured.err


def test_a_calibrations_runs_count_trials_the_posterior_and_the_ensemble_per_replication_and_market(calibration):
    spec = load_calibration(calibration).spec
    abc = 10 * 4 + 5
    assert calibration_runs(spec) == (20 + abc + 1) * 3
    assert calibration_runs(spec, trials=100, markets=2) == (100 + abc + 1) * 3 * 2
    without = spec.model_copy(
        update={
            "method": spec.method.model_copy(
                update={"posterior": spec.method.posterior.model_copy(update={"enabled": False})}
            )
        }
    )
    assert calibration_runs(without) == (20 + 0 + 1) * 3


def test_an_output_folder_holds_one_calibration_and_resumes_only_the_same(calibration, tmp_path):
    loaded = load_calibration(calibration)
    out = tmp_path / "out"
    out.mkdir()
    prepare_output(loaded, out, resume=False)
    recorded = json.loads((out / MARKER).read_text())
    assert recorded == {"name": "tiny", "fingerprint": loaded.fingerprint()}

    with pytest.raises(AdoptsimError, match=r"holds a calibration already; add --resume to continue it"):
        prepare_output(loaded, out, resume=False)
    prepare_output(loaded, out, resume=True)  # the same calibration: resumed
    # each refusal says what changed, by the fields a user edits
    with pytest.raises(AdoptsimError, match=r"holds a different calibration \(--leave-out was not given, now north\)"):
        prepare_output(loaded, out, resume=True, leave_out="north")
    calibration.write_text(CALIBRATION.replace("trials: 20", "trials: 30").replace("size: 150", "size: 160"))
    with pytest.raises(
        AdoptsimError,
        match=r"holds a different calibration \(the calibration file's fixed.population.size, the calibration file's "
        r"method.trials, "
        r"its scenario: population.size changed\); choose another --out",
    ):
        prepare_output(load_calibration(calibration), out, resume=True)
    calibration.write_text(CALIBRATION, encoding="utf-8")
    pd.DataFrame({"step": [4, 8, 12], "value": [0.01, 0.03, 0.07]}).to_csv(tmp_path / "curve.csv", index=False)
    with pytest.raises(AdoptsimError, match=r"holds a different calibration \(the observed data changed\)"):
        prepare_output(load_calibration(calibration), out, resume=True)


def test_parameters_print_with_their_interval_and_warnings_and_a_launch_as_a_date(capsys):
    table = pd.DataFrame(
        [
            {"parameter": "behaviour.q_wom", "lower": 0.02, "upper": 0.09, "interval_share": 0.33, "warning": ""},
            {
                "parameter": "launch",
                "lower": 2009.9,
                "upper": 2010.2,
                "interval_share": 0.75,
                "warning": "interval spans 75% of the prior: the data taught little",
            },
            {
                "parameter": "behaviour.p_media",
                "lower": float("nan"),
                "upper": float("nan"),
                "interval_share": float("nan"),
                "warning": "",
            },
        ]
    ).assign(interval=["95 %", "95 %", "none"])
    best = {"behaviour.q_wom": 0.04123, "launch": decimal_year(pd.Timestamp("2010-01-01")), "behaviour.p_media": 0.007}
    print_parameters(table, best)
    assert capsys.readouterr().out.splitlines() == [
        "  behaviour.q_wom = 0.04123  [0.02, 0.09], 33% of the prior range",
        f"  launch = 2010-01-01 ({best['launch']:.3f})  [2010, 2010], 75% of the prior range",
        "    warning: interval spans 75% of the prior: the data taught little",
        "  behaviour.p_media = 0.007",
    ]


def test_validate_lists_every_problem_a_valid_schema_leaves_in_a_calibration_file(calibration, capsys):
    """A wrong column, a bound a scenario refuses and a misspelt path: listed together (validate
    showed the first, and took three runs to show all three)."""
    text = calibration.read_text().replace("measure: ever_adopted_share", "column: valu, measure: ever_adopted_share")
    text = text.replace("behaviour.p_media: {low: 0.001, high: 0.05}", "behaviour.p_meda: {low: 0.001, high: 0.05}")
    text = text.replace("behaviour.q_wom: {low: 0.003, high: 0.3, log: true}", "behaviour.r_a: {low: 0.02, high: 1.5}")
    calibration.write_text(text, encoding="utf-8")
    assert main(["validate", str(calibration)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "target.column",
        "parameters.behaviour.r_a",
        "parameters.behaviour.p_meda",
    ]
    assert all(line.startswith(str(calibration)) for line in lines)
