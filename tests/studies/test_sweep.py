"""Sweeps: identical results on every executor, resume after a kill without redoing runs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from adoptsim.cli.main import main
from adoptsim.results.store import FolderLock
from adoptsim.studies.executors import SerialExecutor, capacity, make_executor
from adoptsim.studies.experiment import load_experiment
from adoptsim.studies.sweep import execute, prepare_output, read_kpis, read_series
from tests.conftest import ROOT

EXPERIMENT = f"""name: tiny
scenario: {ROOT / "scenarios" / "referral.yaml"}
seed: 9
replications: 3
fixed: {{population.size: 1500, steps: 40}}
parameters:
  interventions[refer_a_friend].reward: {{values: [0.0, 1.0]}}
  behaviour.b_trust: {{values: [1.5, 2.5]}}
design: {{type: grid}}
metrics: [final_active_share, total_spend]
"""


def sweep_with(executor, loaded, out: Path) -> pd.DataFrame:
    finished = prepare_output(loaded, out, resume=False)
    try:
        execute(loaded, out, executor, finished, progress=False)
    finally:
        executor.shutdown()
    return read_kpis(out)


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_serial_process_pool_and_dask_give_identical_kpis(write_yaml, tmp_path):
    from distributed import LocalCluster

    loaded = load_experiment(write_yaml(EXPERIMENT, "tiny.yaml"))
    serial = sweep_with(SerialExecutor(), loaded, tmp_path / "serial")
    assert len(serial) == 4 * 3 and serial["task"].is_unique
    processes = make_executor(workers=2)
    assert capacity(processes) == 2 and capacity(make_executor(workers=1)) == capacity(SerialExecutor()) == 1
    pool = sweep_with(processes, loaded, tmp_path / "pool")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
    ) as cluster:
        client = make_executor(scheduler=cluster.scheduler_address)
        assert capacity(client) == 2  # what the ABC keeps in flight: twice this
        client.shutdown()
        dask = sweep_with(make_executor(scheduler=cluster.scheduler_address), loaded, tmp_path / "dask")
    pd.testing.assert_frame_equal(serial, pool)
    pd.testing.assert_frame_equal(serial, dask)
    assert read_series(tmp_path / "serial").equals(read_series(tmp_path / "dask"))


@pytest.mark.slow
def test_cli_sweep_writes_summary_and_plots(write_yaml, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(write_yaml(EXPERIMENT, "tiny.yaml")), "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()  # the best point of each metric, as the brief reads it
    best = next(line for line in printed if line.startswith("final_active_share"))
    assert best.split()[1] == "highest" and "point" in best
    point = best.split("point ")[1].split()[0]
    values = next(line for line in printed if line.startswith(f"point {point}: refer_a_friend: reward = "))
    assert re.fullmatch(r"point \d+: refer_a_friend: reward = [01] EUR, behaviour: b_trust = [12]\.5", values)
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 4 * 2
    assert {"point", "metric", "n", "mean", "sd", "ci_low", "ci_high", "behaviour.b_trust"} <= set(summary)
    for name in ("response_final_active_share.png", "heatmap_final_active_share.png", "design.csv"):
        assert (out / name).exists(), name
    # the scenario swept is kept, so the report reads its prices: before, its page said "no currency"
    from adoptsim.report.results import Results
    from adoptsim.report.sections import assumptions

    folder = Results.open(out)
    assert (folder.kind, folder.currency, folder.windows) == ("sweep", "EUR", {})
    assert folder.scenarios[0]["population"]["size"] == 1500  # with the experiment's fixed settings
    assert folder.scenarios[0]["seed"] == 9  # the experiment's, which every run's seed comes from
    caveats = " ".join(assumptions.render(folder)[0].items)
    assert "Money counts the wallet's margin" in caveats and "no currency" not in caveats
    from adoptsim.report.sections import question

    listed = " ".join(question.render(folder)[1].items)
    assert "each design point changes the swept parameters (design.csv)" in listed  # a base, not what ran
    assert main(["sweep", str(tmp_path / "tiny.yaml"), "--out", str(out)]) == 2  # exists, no --resume
    assert "add --resume" in capsys.readouterr().err


@pytest.mark.slow
def test_sobol_sweep_writes_sensitivity(write_yaml, tmp_path):
    text = f"""name: s
scenario: {ROOT / "scenarios" / "baseline.yaml"}
replications: 1
fixed: {{population.size: 400, steps: 30}}
parameters:
  behaviour.q_wom: {{range: [0.005, 0.05]}}
  behaviour.p_media: {{range: [0.002, 0.02]}}
design: {{type: sobol, samples: 8}}
metrics: [final_ever_adopted_share]
"""
    out = tmp_path / "out"
    assert main(["sweep", str(write_yaml(text, "s.yaml")), "--workers", "1", "--out", str(out)]) == 0
    indices = pd.read_csv(out / "sensitivity.csv")
    assert set(indices["parameter"]) == {"behaviour.q_wom", "behaviour.p_media"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(indices)
    assert (out / "sensitivity.png").exists()


KILLED = EXPERIMENT.replace("replications: 3", "replications: 10").replace("steps: 40", "steps: 20")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    """The killed sweeps' experiment run whole in this process: what both kinds of kill resume to
    (one seeded sweep, compared with each resumed folder for equality)."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    path = folder / "k.yaml"
    path.write_text(KILLED, encoding="utf-8")
    whole = folder / "whole"
    sweep_with(SerialExecutor(), load_experiment(path), whole)
    return whole


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killed_sweep_resumes_to_the_same_results_without_redoing_runs(
    write_yaml, tmp_path, how, capsys, uninterrupted
):
    path = write_yaml(KILLED, "k.yaml")
    out = tmp_path / "killed"
    arguments = ["sweep", str(path), "--workers", "1", "--out", str(out)]
    command = [sys.executable, "-m", "adoptsim.cli", *arguments]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "kpis").glob("shard-*.parquet"))) < 5:
        time.sleep(0.02)
    os.kill(process.pid, how)
    _, err = process.communicate(timeout=60)
    saved = len(read_kpis(out, ["task"]))
    assert 5 <= saved < 40, "the sweep should be stopped midway"
    if how == signal.SIGTERM:
        assert process.returncode == 143 and "terminated: " in err and "--resume" in err, err  # as any command
    # the resume in this process: the killed one was a process of its own, its folder is what is resumed
    assert main([*arguments, "--resume"]) == 0
    printed = capsys.readouterr().out
    assert f"{saved} already finished" in printed
    assert f"ran {40 - saved} runs" in printed
    pd.testing.assert_frame_equal(read_kpis(out), read_kpis(uninterrupted))
    assert read_series(out).equals(read_series(uninterrupted))


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_resume_sets_a_damaged_shard_aside_and_redoes_its_runs(write_yaml, tmp_path, capsys):
    path = str(write_yaml(EXPERIMENT.replace("1500", "300").replace("steps: 40", "steps: 8"), "d.yaml"))
    out = tmp_path / "out"
    assert main(["sweep", path, "--workers", "1", "--out", str(out)]) == 0
    whole = read_kpis(out)
    shard = sorted((out / "kpis").glob("shard-*.parquet"))[0]
    shard.write_bytes(shard.read_bytes()[:40])
    capsys.readouterr()
    assert main(["sweep", path, "--workers", "1", "--out", str(out), "--resume"]) == 0
    assert f"{out}: shard {shard.name} is damaged; moved to damaged/" in capsys.readouterr().err
    assert [p.name.split(".parquet")[0] for p in (out / "kpis" / "damaged").iterdir()] == [shard.stem]
    pd.testing.assert_frame_equal(read_kpis(out), whole)


@pytest.mark.slow
@pytest.mark.usefixtures("quick_figures")
def test_resume_names_a_damaged_experiment_json(write_yaml, tmp_path, capsys):
    path = str(write_yaml(EXPERIMENT.replace("1500", "300").replace("steps: 40", "steps: 8"), "d.yaml"))
    out = tmp_path / "out"
    assert main(["sweep", path, "--workers", "1", "--out", str(out)]) == 0
    (out / "experiment.json").write_text('{"name": "tiny", "finger')
    capsys.readouterr()
    assert main(["sweep", path, "--workers", "1", "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{out / 'experiment.json'}: damaged (JSONDecodeError") and "choose another --out" in err
    assert len(err.splitlines()) == 1
    assert not (out / "experiment.json").exists() and len(list((out / "damaged").iterdir())) == 1


def test_sweep_failing_before_any_run_leaves_no_folder(write_yaml, tmp_path, capsys, monkeypatch):
    from adoptsim.cli import common
    from adoptsim.errors import AdoptsimError

    def unreachable(workers, scheduler):
        raise AdoptsimError(f"--scheduler {scheduler}: cannot connect (timed out)")

    monkeypatch.setattr(common, "make_executor", unreachable)
    path = str(write_yaml(EXPERIMENT, "e.yaml"))
    out = tmp_path / "out"
    assert main(["sweep", path, "--scheduler", "tcp://127.0.0.1:9", "--out", str(out)]) == 2
    assert "--scheduler tcp://127.0.0.1:9: cannot connect" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [tmp_path / "e.yaml"]

    def fails_after_the_folder_exists(loaded, out, resume):
        (out / "experiment.json").write_text("{}")
        raise AdoptsimError("design.csv: cannot write there")

    monkeypatch.setattr(common, "make_executor", lambda workers, scheduler: SerialExecutor())
    monkeypatch.setattr("adoptsim.studies.sweep.prepare_output", fails_after_the_folder_exists)
    assert main(["sweep", path, "--out", str(out)]) == 2
    assert list(tmp_path.iterdir()) == [tmp_path / "e.yaml"]


def test_a_sweep_folder_in_use_is_refused(write_yaml, tmp_path, capsys):
    out = tmp_path / "out"
    with FolderLock(out):
        assert main(["sweep", str(write_yaml(EXPERIMENT, "e.yaml")), "--out", str(out), "--resume"]) == 2
    assert "in use by another adoptsim command" in capsys.readouterr().err
    assert not out.exists()


def session_processes(session: int) -> list[str]:
    """Live (not zombie) processes of a session, as 'pid command'."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(f"{stat.parent.name} {text[text.index('(') : text.rindex(')') + 1]}")
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to list a session's processes")
def test_sigkilled_sweep_leaves_no_process(write_yaml, tmp_path):
    path = write_yaml(EXPERIMENT.replace("replications: 3", "replications: 40").replace("1500", "3000"), "k.yaml")
    command = [sys.executable, "-m", "adoptsim.cli", "sweep", str(path), "--workers", "2", "--out", str(tmp_path / "o")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(session_processes(process.pid)) < 3 and time.monotonic() < deadline:  # main and 2 forked workers
        time.sleep(0.2)
    assert len(session_processes(process.pid)) >= 3, "the pool never started"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10  # the workers notice their parent is gone
    while session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert session_processes(process.pid) == []


@pytest.mark.slow
def test_a_sweep_of_behaviour_runs_its_runs_as_blocks_with_the_numbers_they_have_alone(
    write_yaml, tmp_path, monkeypatch
):
    """Runs that can share a model (no interventions) go to a worker as blocks of one model: the
    same KPIs and series as one by one, in fewer, larger tasks."""
    from adoptsim.studies import sweep

    text = f"""name: b
scenario: {ROOT / "scenarios" / "baseline.yaml"}
seed: 4
replications: 3
fixed: {{population.size: 500, steps: 25}}
parameters:
  behaviour.q_wom: {{values: [0.01, 0.04]}}
  population.size: {{values: [400, 600]}}
design: {{type: grid}}
metrics: [final_active_share, total_transactions]
"""
    loaded = load_experiment(write_yaml(text, "b.yaml"))
    sizes: list[int] = []
    real = sweep.run_tasks
    monkeypatch.setattr(sweep, "run_tasks", lambda scenarios, tasks: sizes.append(len(tasks)) or real(scenarios, tasks))
    together = sweep_with(SerialExecutor(), loaded, tmp_path / "blocks")
    assert sorted(sizes) == [3, 3, 3, 3]  # 12 runs, a quarter of them a task each: 3 (4 x 1 worker)
    monkeypatch.setattr(
        sweep, "consecutive_groups", lambda tasks, scenario_of, most: (([scenario_of(t.point)], [t]) for t in tasks)
    )
    alone = sweep_with(SerialExecutor(), loaded, tmp_path / "alone")
    assert len(sizes) == 4 + 12
    sort = ["task"]
    pd.testing.assert_frame_equal(
        together.sort_values(sort).reset_index(drop=True), alone.sort_values(sort).reset_index(drop=True)
    )
    a, b = (
        read_series(tmp_path / name).sort_values(["task", "step"]).reset_index(drop=True)
        for name in ("blocks", "alone")
    )
    pd.testing.assert_frame_equal(a, b)
    assert together["total_transactions"].gt(0).all()


@pytest.mark.usefixtures("quick_figures")
def test_a_new_sweep_stopped_after_its_runs_says_they_are_kept_for_resume(write_yaml, tmp_path, monkeypatch, capsys):
    """Stopped while its summary is written, a new sweep's folder holds every run: the message
    says so (it said "the previous contents are unchanged"), and --resume finishes it."""
    import adoptsim.studies.sweep as sweep

    path = write_yaml(EXPERIMENT.replace("replications: 3", "replications: 1"), "one.yaml")
    out = tmp_path / "new"
    summarize = sweep.summarize_sweep
    monkeypatch.setattr(sweep, "summarize_sweep", lambda *a: (os.kill(os.getpid(), signal.SIGTERM), summarize(*a))[1])
    arguments = ["sweep", str(path), "--workers", "1", "--out", str(out)]
    assert main(arguments) == 143
    last = capsys.readouterr().err.splitlines()[-1]  # after the progress bar
    assert last == f"adoptsim: terminated; what it saved is kept in {out}; run again with --resume"
    assert len(read_kpis(out, ["task"])) == 4
    monkeypatch.setattr(sweep, "summarize_sweep", summarize)
    assert main([*arguments, "--resume"]) == 0
    assert "4 already finished" in capsys.readouterr().out
    assert (out / "summary.csv").exists()
