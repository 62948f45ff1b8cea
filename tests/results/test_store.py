"""Nothing half-written: atomic files, staged output folders, one command per folder, umask modes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from adoptsim.cli.main import main
from adoptsim.results.folders import listing, read_marker
from adoptsim.results.store import FolderLock, OutputFolder, write_atomic, write_text
from tests.conftest import BASELINE

SMALL = ["--set", "population.size=800", "--set", "steps=12", "--reps", "1"]
pytestmark = pytest.mark.usefixtures("quick_figures")  # which files, not what they draw


def test_failed_write_leaves_neither_file_nor_temporary(tmp_path):
    def fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "a.csv", fail)
    assert list(tmp_path.iterdir()) == []


def test_failed_command_leaves_no_output_folder(tmp_path):
    with pytest.raises(RuntimeError), OutputFolder(tmp_path / "out", "run") as folder:
        write_text(folder.path / "kpis.csv", "x\n")
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


def whole(folder) -> dict:
    """The folder's marker, after checking that every file in it is the marker's (one invocation)."""
    marker = read_marker(folder)
    assert marker["files"] == listing(folder)
    return marker


@pytest.mark.slow
def test_compare_twice_into_its_default_folder_keeps_only_the_second(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", str(BASELINE), str(BASELINE.parent / "awareness_campaign.yaml"), *SMALL]
    assert main(argv) == 0
    [out] = (tmp_path / "results").iterdir()
    first = whole(out)
    (out / "scenarios" / "stale.resolved.yaml").write_text("from an older version\n")
    os.remove(out / "kpis.csv")
    assert main([*argv, "--seed", "7"]) == 0
    second = whole(out)
    assert second["command"] == "compare" and second["run_id"] != first["run_id"]
    assert "scenarios/stale.resolved.yaml" not in second["files"] and "kpis.csv" in second["files"]
    assert "seed: 7" in (out / "scenarios" / "baseline.resolved.yaml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    assert [p.name for p in (tmp_path / "results").iterdir()] == [out.name]


@pytest.mark.slow
def test_run_export_twice_replaces_the_folder(tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        assert main(["run", str(BASELINE), "--out", str(out), "--export", "network", *SMALL]) == 0
        marker = whole(out)
        assert any(name.startswith("network/") for name in marker["files"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_of_someone_else_is_refused_before_any_work_unless_forced(tmp_path, capsys, monkeypatch):
    import adoptsim.studies.runner as runner

    out = tmp_path / "out"
    out.mkdir()
    (out / "kpis.csv").write_text("mine")
    ran = []
    real = runner.run
    monkeypatch.setattr("adoptsim.studies.runner.run", lambda *a, **k: ran.append(1) or real(*a, **k))
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 2
    assert capsys.readouterr().err.strip() == (
        f"--out {out}: holds files adoptsim did not write (kpis.csv); choose another --out, "
        "or add --force to replace the folder"
    )
    assert ran == [] and (out / "kpis.csv").read_text() == "mine"
    assert main(["compare", str(BASELINE), *SMALL, "--out", str(out), "--force"]) == 0
    assert whole(out)["command"] == "compare"
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 2
    assert "holds the results of adoptsim compare" in capsys.readouterr().err


def test_a_mount_point_is_staged_inside_and_replaced_whole(tmp_path, monkeypatch):
    out = tmp_path / "mnt"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: os.fspath(p) == os.fspath(out) or real(p))
    seen = []
    with OutputFolder(out, "run") as folder:
        seen.append(folder.path.parent)
        write_text(folder.path / "a.csv", "1\n")
        folder.done()
    with OutputFolder(out, "run") as folder:
        write_text(folder.path / "b.csv", "2\n")
        folder.done()
    assert seen == [out]
    assert sorted(p.name for p in out.iterdir()) == [".adoptsim.json", "b.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnt"]
    whole(out)


@pytest.mark.parametrize("phase", ["aside", "in"])
def test_a_swap_inside_a_mount_point_cut_short_is_undone_or_finished(tmp_path, monkeypatch, phase):
    out = tmp_path / "mnt"
    out.mkdir()
    monkeypatch.setattr(os.path, "ismount", lambda p: os.fspath(p) == os.fspath(out))
    with OutputFolder(out, "run") as folder:
        write_text(folder.path / "old.csv", "old\n")
        folder.done()
    moves = []
    real_rename = os.rename

    def rename(src, dst):
        moves.append(dst)
        if len(moves) == (1 if phase == "aside" else 3):  # killed after the first move of its phase
            raise KeyboardInterrupt
        real_rename(src, dst)

    with pytest.raises(KeyboardInterrupt), OutputFolder(out, "run") as folder:
        write_text(folder.path / "new.csv", "new\n")
        folder.done()
        monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "rename", real_rename)
    with OutputFolder(out, "run"):  # the next command recovers, then fails before writing anything
        pass
    expected = ["old.csv"] if phase == "aside" else ["new.csv"]
    assert sorted(p.name for p in out.iterdir()) == [".adoptsim.json", *expected]
    whole(out)


def test_a_swap_beside_cut_short_between_renames_is_undone(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out, "run") as folder:
        write_text(folder.path / "old.csv", "old\n")
        folder.done()
    os.rename(out, tmp_path / ".out.old-12345678")  # killed after "old aside", before "new in"
    with OutputFolder(out, "run"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "old.csv").read_text() == "old\n"


@pytest.mark.slow
def test_a_closed_pipe_before_the_results_are_complete_keeps_the_previous_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    before = whole(out)

    def closed(*args, **kwargs):
        raise BrokenPipeError

    monkeypatch.setattr("adoptsim.cli.run.describe_network", closed)  # after done(): committed
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    after = whole(out)
    assert after["run_id"] != before["run_id"]
    monkeypatch.setattr("adoptsim.cli.run.network_table", closed)  # before done(): undone
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 141
    assert whole(out)["run_id"] == after["run_id"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["sigterm", "pipe"])
def test_sigterm_and_a_closed_pipe_leave_one_whole_folder_and_say_which(tmp_path, how):
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    before = whole(out)["run_id"]
    argv = [sys.executable, "-m", "adoptsim.cli", "run", str(BASELINE), "--out", str(out)]
    if how == "sigterm":
        process = subprocess.Popen([*argv, "--reps", "50"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.partial-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 143, err
        assert whole(out)["run_id"] == before
        assert f"the previous contents of {out} are unchanged" in err.decode()
    else:
        shell = " ".join([*argv, *SMALL]) + " | head -c 1 >/dev/null; echo ${PIPESTATUS[0]}"
        done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
        assert done.stdout.strip() == "0", done.stderr
        assert whole(out)["run_id"] != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_report_keeps_a_folder_whole_and_refuses_someone_elses_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    assert main(["report", str(out)]) == 0
    assert "report.html" in whole(out)["files"]
    mine = tmp_path / "notes.html"
    mine.write_text("<html><title>my notes</title></html>")
    capsys.readouterr()
    assert main(["report", str(out), "--out", str(mine)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"--out {mine}: exists and is not an adoptsim report; choose another --out, or add --force"
    )
    assert mine.read_text() == "<html><title>my notes</title></html>"
    assert main(["report", str(out), "--out", str(mine), "--force"]) == 0
    assert "<title>adoptsim report: out</title>" in mine.read_text()
    assert main(["report", str(out), "--out", str(mine)]) == 0  # its own report: replaced


@pytest.mark.parametrize("when", ["entering", "registering"])
def test_a_sigterm_while_the_folder_is_made_undoes_it_and_names_the_previous_one(tmp_path, monkeypatch, capsys, when):
    """The signal comes after the staging folder exists: while it is checked (inside __enter__),
    or just after it is entered (before the command has listed it for the exit code)."""
    import adoptsim.results.folders as folders

    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    before = whole(out)["run_id"]
    capsys.readouterr()

    def terminate_now() -> None:
        assert list(tmp_path.glob(".out.partial-*"))  # the staging folder is there
        os.kill(os.getpid(), signal.SIGTERM)

    if when == "entering":
        check = folders.check_writable
        monkeypatch.setattr(folders, "check_writable", lambda *a: (check(*a), terminate_now()))
    else:
        enter = OutputFolder.__enter__
        monkeypatch.setattr(OutputFolder, "__enter__", lambda self: (enter(self), terminate_now())[0])
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 143
    assert f"adoptsim: terminated; the previous contents of {out} are unchanged" in capsys.readouterr().err
    assert whole(out)["run_id"] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_sigterm_while_the_new_folder_goes_in_ends_0_with_it_in_place_and_nothing_beside(tmp_path, monkeypatch):
    """The signal comes while the previous folder, set aside, is removed: the new one is already in
    place, so the command says so (0), and the old one is removed all the same."""
    import adoptsim.results.folders as folders

    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    before = whole(out)["run_id"]
    remove = shutil.rmtree

    def terminated_while_removing(path, *args, **kwargs):
        if ".out.old-" in str(path):
            os.kill(os.getpid(), signal.SIGTERM)
        remove(path, *args, **kwargs)

    monkeypatch.setattr(folders.shutil, "rmtree", terminated_while_removing)
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    assert whole(out)["run_id"] != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_sigterm_while_the_lock_is_released_ends_0_and_leaves_no_lock_file(tmp_path, monkeypatch):
    """The new folder is in place and the lock is being let go: the signal waits until the lock
    file is gone (it was left beside the folder), and the code says the folder is complete."""
    out = tmp_path / "out"
    release = FolderLock.__exit__

    def terminated_while_releasing(self, *exc):
        os.kill(os.getpid(), signal.SIGTERM)
        release(self, *exc)

    monkeypatch.setattr(FolderLock, "__exit__", terminated_while_releasing)
    assert main(["run", str(BASELINE), "--out", str(out), *SMALL]) == 0
    assert whole(out)["finished"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_sigterm_before_any_folder_is_opened_says_nothing_was_written(tmp_path, monkeypatch, capsys):
    import adoptsim.scenario.loading as loading

    load = loading.load_scenario
    monkeypatch.setattr(loading, "load_scenario", lambda *a: (os.kill(os.getpid(), signal.SIGTERM), load(*a))[1])
    assert main(["run", str(BASELINE), "--out", str(tmp_path / "out"), *SMALL]) == 143
    assert capsys.readouterr().err == "adoptsim: terminated; nothing was written\n"
    assert list(tmp_path.iterdir()) == []
