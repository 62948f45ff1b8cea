"""The command line end to end, in a temporary folder."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from adoptsim.cli.main import main
from tests.conftest import BASELINE, one_pixel_files

SMALL = ["--set", "population.size=1500", "--set", "steps=30"]


@pytest.mark.slow
def test_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--reps", "2", "--out", str(out), *SMALL]) == 0
    for name in ("timeseries.csv", "kpis.csv", "scenario.resolved.yaml", "adoption.png", "funnel.png", "segments.png"):
        assert (out / name).stat().st_size > 0, name
    series = pd.read_csv(out / "timeseries.csv")
    assert len(series) == 2 * 31
    for column in (
        "scenario",
        "replication",
        "seed",
        "step",
        "n_unaware",
        "n_aware",
        "n_active",
        "n_lapsed",
        "new_adopters",
        "new_lapses",
        "n_merchants_accepting",
        "mean_trust",
        "transactions",
        "share_active_age_60+",
        "share_active_region_rural",
    ):
        assert column in series.columns, column
    kpis = pd.read_csv(out / "kpis.csv")
    assert len(kpis) == 2
    assert {"final_active_share", "peak_weekly_adoptions", "steps_to_10pct_active"} <= set(kpis.columns)
    printed = capsys.readouterr().out
    assert "final_active_share" in printed and str(out) in printed
    # The resolved scenario repeats the run exactly.
    again = tmp_path / "again"
    with pytest.MonkeyPatch.context() as patch:
        one_pixel_files(patch)  # its KPIs are compared; the figures were drawn by the first run
        assert main(["run", str(out / "scenario.resolved.yaml"), "--reps", "2", "--out", str(again)]) == 0
    assert pd.read_csv(again / "kpis.csv").equals(kpis)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "missing.yaml"], "missing.yaml: file not found"),
        (["run", str(BASELINE), "--reps", "0"], "--reps: must be at least 1"),
        (["run", str(BASELINE), "--set", "population.size=-1"], "population.size: must be greater than 0"),
        (["run", str(BASELINE), "--bogus"], "unrecognized arguments: --bogus"),
        (
            ["validate", str(BASELINE), "--set", "behaviour.b_trst=1"],
            "behaviour.b_trst: unknown field (did you mean 'b_trust'?)",
        ),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(argv, expected, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err
    assert len(err.splitlines()) == 1


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(BASELINE), "--out", str(blocker / "sub"), *SMALL]) == 2
    assert "cannot write there" in capsys.readouterr().err


@pytest.mark.slow
def test_console_script_exit_code_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nname: bad\npopulation: {{regions: {{rural: {{share: 1.4}}}}}}\n")
    done = subprocess.run([sys.executable, "-m", "adoptsim.cli", "validate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == f"{bad}: population.regions.rural.share: must be between 0 and 1 (got 1.4)"


def test_schema_prints_json(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "adoptsim scenario"


def test_network_problems_name_the_file(tmp_path, capsys):
    argv = ["run", str(BASELINE), "--out", str(tmp_path), "--reps", "1"]
    assert main([*argv, "--set", "network.generator=barabasi_albert"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [  # every problem of the parameters, each once
        f"{BASELINE}: network.params.m: required field is missing",
        f"{BASELINE}: network.params.k: barabasi_albert_graph takes no parameter 'k' (valid: m)",
        f"{BASELINE}: network.params.p: barabasi_albert_graph takes no parameter 'p' (valid: m)",
    ]
    assert main([*argv, "--set", "network.params.k=50000", "--set", "population.size=1000"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{BASELINE}: --set network.params.k: must be below population.size (1,000) (got 50,000)"
    )


@pytest.mark.slow
def test_schema_into_a_closed_pipe_is_quiet():
    command = [sys.executable, "-m", "adoptsim.cli", "schema"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()  # like `| head` exiting before the schema is printed
    err = process.stderr.read()
    assert process.wait() == 0
    assert err == ""


def test_validate_lists_every_problem_of_every_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nname: bad\nsteps: 0\nseed: -1\n")
    assert main(["validate", str(BASELINE), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{BASELINE}: ok (scenario baseline")
    assert captured.err.splitlines() == [
        f"{bad}: seed: must be at least 0 (got -1)",
        f"{bad}: steps: must be greater than 0 (got 0)",
    ]


def test_version_is_the_package_version(capsys):
    import adoptsim

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"adoptsim {adoptsim.__version__}"
    assert adoptsim.__version__[0].isdigit()


def test_import_meanwhile_imports_on_a_thread_and_leaves_failures_to_the_real_import(tmp_path, monkeypatch, capfd):
    from adoptsim.cli.common import import_meanwhile

    (tmp_path / "figures_stack_probe.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import_meanwhile("figures_stack_probe").join(10)
    assert sys.modules.pop("figures_stack_probe").LOADED
    import_meanwhile("figures_stack_missing").join(10)
    assert capfd.readouterr().err == "", "a failed import on the thread must not print a traceback"
    with pytest.raises(ModuleNotFoundError, match="figures_stack_missing"):
        __import__("figures_stack_missing")
