"""No input runs away: workers capped, runs estimated and refused before any work, flags checked."""

from __future__ import annotations

import time

import pytest

from adoptsim.cli.main import main
from adoptsim.studies.executors import capped_workers, check_budget, default_workers, run_seconds
from tests.conftest import BASELINE, ROOT

TINY = ["--set", "population.size=300", "--set", "steps=4"]


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_workers_are_capped_at_the_tasks_and_cores_and_say_so(capsys):
    assert capped_workers(10_000, 2) == min(2, default_workers())
    assert "--workers 10000: using" in capsys.readouterr().err
    assert capped_workers(1, 5) == 1 and capped_workers(None, 3) == min(3, default_workers())
    assert capsys.readouterr().err == ""


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_ten_thousand_workers_for_two_replications_finish_quickly(tmp_path, capsys):
    started = time.perf_counter()
    assert main(["run", str(BASELINE), "--workers", "10000", "--reps", "2", "--out", str(tmp_path / "o"), *TINY]) == 0
    assert time.perf_counter() - started < 60
    assert f"--workers 10000: using {min(2, default_workers())}" in capsys.readouterr().err


def test_a_billion_replications_are_refused_before_any_work(tmp_path, capsys):
    assert main(["run", str(BASELINE), "--reps", "1000000000", "--out", str(tmp_path / "o")]) == 2
    line = one_line(capsys)
    assert line.startswith("adoptsim run: 1,000,000,000 runs of 20,000 consumers x 104 steps: about ")
    assert line.endswith("more than 1,000,000 runs; make it smaller, or pass --allow-large to run it anyway")
    assert list(tmp_path.iterdir()) == []


def test_the_estimate_is_the_documented_formula():
    # 20,000 consumers x (4e-5 + 6e-8 x 104 steps) + 0.05 = 0.9748 s a run
    assert run_seconds(20_000, 104) == pytest.approx(0.9748)
    line = check_budget("x", 3600, 20_000, 104, 2, allow_large=False)
    assert line == "3,600 runs of 20,000 consumers x 104 steps: about 29 min on 2 worker(s)"
    with pytest.raises(Exception, match="more than 24 h"):
        check_budget("x", 200_000, 20_000, 104, 2, allow_large=False)
    # 200,000 x 0.9748 s / 2 workers / 3600 = 27.1 h
    assert check_budget("x", 200_000, 20_000, 104, 2, allow_large=True).endswith("about 27.1 h on 2 worker(s)")


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_validate_refuses_an_lhs_of_a_billion_samples_without_building_it(tmp_path, capsys):
    path = write(
        tmp_path,
        "lhs.yaml",
        f"""name: big
scenario: {BASELINE}
replications: 1
parameters:
  behaviour.b_trust: {{range: [0.1, 0.2]}}
design: {{type: lhs, samples: 1000000000}}
""",
    )
    started = time.perf_counter()
    assert main(["validate", str(path)]) == 2
    assert time.perf_counter() - started < 20
    assert one_line(capsys).startswith(f"{path}: 1,000,000,000 runs of 20,000 consumers")


def test_a_grid_of_ten_million_runs_says_so(tmp_path, capsys):
    values = list(range(1, 3164))
    path = write(
        tmp_path,
        "grid.yaml",
        f"""name: grid
scenario: {BASELINE}
replications: 1
parameters:
  behaviour.b_trust: {{values: {[v / 10_000 for v in values]}}}
  behaviour.l_trust: {{values: {[v / 10_000 for v in values]}}}
design: {{type: grid}}
""",
    )
    assert main(["validate", str(path)]) == 2
    assert f"{3163**2:,} runs" in one_line(capsys)


def test_validate_says_how_long_an_experiment_takes(capsys):
    assert main(["validate", str(ROOT / "experiments" / "training_vs_security_budget.yaml")]) == 0
    assert "12 runs of 10,000 consumers x 104 steps: about " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calibrate", "x.yaml", "--horizon", "-3"], "argument --horizon: must be 0 or more and finite, got -3"),
        (["calibrate", "x.yaml", "--horizon", "nan"], "argument --horizon: must be 0 or more and finite, got nan"),
        (["run", "x.yaml", "--reps", "0"], "argument --reps: must be at least 1, got 0"),
        (["run", "x.yaml", "--workers", "-1"], "argument --workers: must be at least 1, got -1"),
        (["sweep", "x.yaml", "--workers", "0"], "argument --workers: must be at least 1, got 0"),
        (["optimize", "x.yaml", "--trials", "0"], "argument --trials: must be at least 1, got 0"),
        (["app", "--port", "0"], "argument --port: must be at least 1, got 0"),
    ],
)
def test_numeric_flags_are_range_checked(argv, message, capsys):
    assert main(argv) == 2
    assert message in one_line(capsys)


def test_memory_error_anywhere_is_one_line(monkeypatch, tmp_path, capsys):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("adoptsim.studies.runner.run", exhausted)
    assert main(["run", str(BASELINE), "--reps", "1", "--out", str(tmp_path / "o"), *TINY]) == 2
    assert one_line(capsys) == "adoptsim: out of memory; make the run smaller (population.size, --reps, --workers)"
    assert list(tmp_path.iterdir()) == []


def test_compare_refuses_scenarios_of_different_steps(tmp_path, capsys):
    other = write(tmp_path, "short.yaml", f"extends: {BASELINE}\nname: short\nsteps: 50\n")
    assert main(["compare", str(BASELINE), str(other), "--out", str(tmp_path / "o")]) == 2
    assert one_line(capsys) == (
        f"{other}: steps: 50 differs from the baseline's 104 ({BASELINE}); "
        "compared scenarios must run the same number of steps"
    )
    assert not (tmp_path / "o").exists()


def test_a_newline_inside_a_value_never_splits_an_error(tmp_path, capsys):
    assert main(["run", str(BASELINE), "--set", "name=a\nb", "--out", str(tmp_path / "o\nx")]) == 2
    assert one_line(capsys).startswith(f"{BASELINE}: --set name: ")
    folder = tmp_path / "f\nx"
    folder.mkdir()
    (folder / "mine.txt").write_text("x")
    assert main(["run", str(BASELINE), "--out", str(folder), *TINY]) == 2
    assert one_line(capsys).startswith(f"--out {tmp_path}/f\\nx: holds files adoptsim did not write (mine.txt)")
