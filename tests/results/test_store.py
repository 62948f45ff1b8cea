"""Nothing half-written: atomic files, staged output folders, one command per folder, umask modes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from adoptsim.cli.main import main
from adoptsim.results.store import FolderLock, OutputFolder, write_atomic, write_text
from tests.conftest import BASELINE

SMALL = ["--set", "population.size=800", "--set", "steps=12", "--reps", "1"]


def test_failed_write_leaves_neither_file_nor_temporary(tmp_path):
    def fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "a.csv", fail)
    assert list(tmp_path.iterdir()) == []


def test_failed_command_leaves_no_output_folder(tmp_path):
    with pytest.raises(RuntimeError), OutputFolder(tmp_path / "out") as staging:
        write_text(staging / "kpis.csv", "x\n")
        raise RuntimeError("plotting failed")
    assert list(tmp_path.iterdir()) == []


def test_run_failing_after_the_model_writes_nothing(tmp_path, monkeypatch):
    from adoptsim.figures import plots

    def broken(*args, **kwargs):
        raise RuntimeError("plot failed")

    monkeypatch.setattr(plots, "segments_figure", broken)
    with pytest.raises(RuntimeError):
        main(["run", str(BASELINE), "--out", str(tmp_path / "out"), *SMALL])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_output_moves_into_an_existing_folder_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / ".kpis.csv.x1.tmp").write_text("left by a killed write")
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert {"kpis.csv", "timeseries.csv", "adoption.png"} <= {p.name for p in out.iterdir()}
    assert not list(out.glob("*.tmp")) and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_locked_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    with FolderLock(out):
        assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"--out {out}: in use by another adoptsim command (pid {os.getpid()}); "
        "wait for it to finish or choose another folder"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_files_take_the_umask_mode(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode


@pytest.mark.slow
def test_killed_run_leaves_nothing_that_looks_finished(tmp_path):
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "adoptsim.cli", "run", str(BASELINE), "--out", str(out), "--reps", "50"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.partial-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list(tmp_path.glob(".out.partial-*")), "the run never started"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert not out.exists()
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
