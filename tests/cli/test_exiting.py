"""The console script's exit: handlers run, output whole, threads waited for, teardown skipped."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

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
    assert done.stdout == "unflushedtorn down"  # the ordinary exit, teardown included


def test_the_console_script_prints_all_of_a_long_output(capsys):
    assert main(["schema"]) == 0
    expected = capsys.readouterr().out
    done = subprocess.run([sys.executable, "-m", "adoptsim.cli", "schema"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout == expected
    assert json.loads(done.stdout)["title"] == "adoptsim scenario"
