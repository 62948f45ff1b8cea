"""The console script's exit: handlers run, output whole, threads waited for, teardown skipped;
a profile of any command on request."""

from __future__ import annotations

import json
import os
import pstats
import subprocess
import sys
import textwrap

import pytest

from adoptsim.cli.main import main

SCRIPT = """
import atexit, pathlib, sys, threading, time
from adoptsim.cli.exiting import exit_now

folder = pathlib.Path(sys.argv[1])

class Finalised:
    def __del__(self):
        print("torn down", end="")

kept = Finalised()
atexit.register(lambda: (folder / "handler").write_text("ran"))
if sys.argv[2] == "thread":
    def late():
        time.sleep(0.3)
        (folder / "thread").write_text("done")
    threading.Thread(target=late).start()
print("unflushed", end="")
exit_now(3)
"""


def exit_in_subprocess(tmp_path, mode: str) -> subprocess.CompletedProcess:
    script = tmp_path / "exits.py"
    script.write_text(textwrap.dedent(SCRIPT))
    return subprocess.run([sys.executable, str(script), str(tmp_path), mode], capture_output=True, text=True)


def test_exit_runs_the_handlers_flushes_and_skips_the_teardown(tmp_path):
    done = exit_in_subprocess(tmp_path, "alone")
    assert done.returncode == 3
    assert done.stdout == "unflushed"  # flushed, and no object finalised after it: teardown skipped
    assert (tmp_path / "handler").read_text() == "ran"
    assert done.stderr == ""


def test_exit_waits_for_a_running_thread_as_python_does(tmp_path):
    done = exit_in_subprocess(tmp_path, "thread")
    assert done.returncode == 3
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "handler").read_text() == "ran"
    assert done.stdout == "unflushed"  # the thread finished first, and still no teardown


def test_an_ordinary_exit_is_left_alone(tmp_path):
    script = tmp_path / "plain.py"
    finalised = "class F:\n    def __del__(self):\n        print('torn down', end='')\nk = F()\n"
    script.write_text("import adoptsim.cli.main\n" + finalised)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "torn down"  # not armed: Python exits as it always does


@pytest.mark.slow
def test_the_console_script_writes_a_profile_of_the_command_before_its_fast_exit(tmp_path):
    by_flag, by_variable = tmp_path / "flag.prof", tmp_path / "variable.prof"
    command = [sys.executable, "-m", "adoptsim.cli", "--profile", str(by_flag), "schema"]
    done = subprocess.run(command, capture_output=True)
    assert done.returncode == 0 and by_flag.stat().st_size > 0
    names = {name for _, _, name in pstats.Stats(str(by_flag)).stats}
    assert "command" in names  # the command itself was profiled (adoptsim/cli/schema.py)
    env = {**os.environ, "ADOPTSIM_PROFILE": str(by_variable)}
    failed = subprocess.run(
        [sys.executable, "-m", "adoptsim.cli", "validate", str(tmp_path / "none.yaml")], env=env, capture_output=True
    )
    assert failed.returncode == 2  # a command that fails is profiled too
    assert pstats.Stats(str(by_variable)).total_calls > 0


def test_the_console_script_prints_all_of_a_long_output(capsys):
    assert main(["schema"]) == 0
    expected = capsys.readouterr().out
    done = subprocess.run([sys.executable, "-m", "adoptsim.cli", "schema"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout == expected
    assert json.loads(done.stdout)["title"] == "adoptsim scenario"
