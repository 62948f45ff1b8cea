"""The suite's order (tests/conftest.py): longest files first from the last run's seconds, the
files with the most slow tests first on a fresh clone, each file's tests together in order."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

FILES = {
    "test_a.py": "def test_a1():\n    pass\n\n\ndef test_a2():\n    pass\n",
    "test_b.py": "import time\n\n\ndef test_b1():\n    time.sleep(0.4)\n\n\ndef test_b2():\n    pass\n",
    "test_c.py": "import pytest\n\n\n@pytest.mark.slow\ndef test_c1():\n    pass\n\n\ndef test_c2():\n    pass\n",
}


def ran(folder) -> list[str]:
    """The tests in the order a plain `pytest` (one process) ran them in `folder`."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:xdist", "-p", "no:randomly", "-o", "addopts="],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return re.findall(r"^(test_\w\.py::\w+) PASSED", done.stdout, re.M)


@pytest.mark.slow
def test_the_longest_files_go_first_and_a_fresh_clone_starts_with_the_slow_tests(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n")
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_collection_modifyitems, pytest_runtest_logreport, pytest_sessionfinish\n"
    )
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    first = ran(tmp_path)  # no seconds yet: the file with a slow test first, the others as collected
    assert first == ["test_c.py::test_c1", "test_c.py::test_c2", "test_a.py::test_a1", "test_a.py::test_a2",
                     "test_b.py::test_b1", "test_b.py::test_b2"]  # fmt: skip
    second = ran(tmp_path)  # test_b.py took the longest, test_c.py and test_a.py about nothing
    assert second[:2] == ["test_b.py::test_b1", "test_b.py::test_b2"]
    assert sorted(second) == sorted(first)
    (tmp_path / "test_b.py").unlink()  # a file removed: its seconds leave the record
    assert len(ran(tmp_path)) == 4
    record = (tmp_path / ".pytest_cache" / "v" / "adoptsim" / "test-seconds").read_text()
    assert "test_a.py::test_a1" in record and "test_b.py" not in record
