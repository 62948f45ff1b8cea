"""Property: whatever sequence of run / compare / sweep / kill / resume / re-run goes into one
folder, no result is ever lost or mixed.

A model tracks whose results the folder should hold (which command, which invocation) and the
exit code each step should give; after every step the folder is checked: its marker names the
expected invocation, every file in it is one the marker lists with the same SHA-256 (so all come
from that invocation), nothing of the mechanism is left beside it, and a sweep's shards belong to
one experiment with no task twice. Kills are simulated in-process by raising what SIGTERM or
Ctrl-C raise, at a point in the middle of the work.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from adoptsim.cli.main import main
from adoptsim.cli.stopping import Terminated
from adoptsim.results.folders import listing, read_marker
from adoptsim.studies.sweep import read_kpis
from tests.conftest import BASELINE, ROOT, save_one_pixel

TINY = ["--set", "population.size=200", "--set", "steps=3", "--reps", "1", "--workers", "1"]
OTHER = ROOT / "scenarios" / "awareness_campaign.yaml"
EXPERIMENT = f"""name: tiny
scenario: {BASELINE}
seed: 3
replications: 2
fixed: {{population.size: 200, steps: 3}}
parameters:
  behaviour.b_trust: {{values: [0.5, 1.0]}}
design: {{type: grid}}
"""
TASKS = 4


class OneFolder(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="adoptsim-states-"))
        self.out = self.root / "out"
        self.experiment = self.root / "e.yaml"
        self.experiment.write_text(EXPERIMENT)
        self.owner: str | None = None  # the command whose results the folder holds
        self.run_id: str | None = None  # the invocation that wrote them (staged commands)
        self.partial = False  # a sweep cut short, resumable
        # What is checked is which files the folder holds, not their pictures: a figure is saved as
        # a few bytes (drawing the PNGs was two thirds of this test's time).
        self.drawing = mock.patch("matplotlib.figure.Figure.savefig", save_one_pixel)
        self.drawing.start()

    def teardown(self) -> None:
        self.drawing.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def may_write(self, command: str, force: bool) -> bool:
        return self.owner in (None, command) or force

    def after(self, code: int, command: str, expected: int) -> None:
        assert code == expected, (command, code, expected)
        marker = read_marker(self.out)
        if expected == 0:
            assert marker["command"] == command and marker["run_id"] != self.run_id
            self.owner, self.run_id, self.partial = command, marker["run_id"], False
        elif self.owner is None or self.partial:
            pass  # checked by the invariant
        else:
            assert marker.get("run_id") == self.run_id, "a failed command changed the folder"

    @rule(command=st.sampled_from(["run", "compare"]), force=st.booleans(), killed=st.booleans())
    def staged(self, command: str, force: bool, killed: bool) -> None:
        argv = [command, str(BASELINE), *([str(OTHER)] if command == "compare" else [])]
        argv += ["--out", str(self.out), *TINY, *(["--force"] if force else [])]
        allowed = self.may_write(command, force)
        figure = "comparison_segments_figure" if command == "compare" else "funnel_figure"
        with mock.patch(f"adoptsim.figures.plots.{figure}", side_effect=Terminated) if killed else nullcontext():
            code = main(argv)
        self.after(code, command, 0 if allowed and not killed else 143 if allowed else 2)

    @rule(resume=st.booleans(), force=st.booleans(), kill_after=st.sampled_from([None, 0, 1, 3]))
    def sweep(self, resume: bool, force: bool, kill_after: int | None) -> None:
        argv = ["sweep", str(self.experiment), "--out", str(self.out), "--workers", "1"]
        argv += [*(["--resume"] if resume else []), *(["--force"] if force else [])]
        done_before = len(read_kpis(self.out, ["task"])) if self.owner == "sweep" else 0
        in_place = self.owner is None or (self.owner == "sweep" and resume)
        refused = (self.owner not in (None, "sweep") and not force) or (self.owner == "sweep" and not (resume or force))
        remaining = TASKS - (done_before if in_place else 0)
        killed = kill_after is not None and kill_after < remaining
        calls = []

        def counted(scenarios, tasks, *args):
            from adoptsim.studies.evaluation import run_tasks

            if len(calls) == kill_after:
                raise KeyboardInterrupt
            calls.extend(tasks)  # a task at a time here: 4 runs on 1 worker are 4 groups
            return run_tasks(scenarios, tasks, *args)

        with mock.patch("adoptsim.studies.sweep.run_tasks", counted):
            code = main(argv)
        if refused:
            return self.after(code, "sweep", 2)
        if not killed:
            return self.after(code, "sweep", 0)
        assert code == 130
        if in_place:
            saved = len(read_kpis(self.out, ["task"])) if self.out.exists() else 0
            assert saved == done_before + kill_after
            if saved or self.owner == "sweep":
                self.owner, self.run_id, self.partial = "sweep", None, True
        else:
            self.after(code, "sweep", 130)

    @invariant()
    def nothing_lost_or_mixed(self) -> None:
        if not hasattr(self, "out"):
            return
        leftovers = sorted(p.name for p in self.root.iterdir() if p.name not in ("out", "e.yaml"))
        assert leftovers == [], leftovers
        if self.owner is None:
            assert not self.out.exists() or not any(self.out.iterdir())
            return
        marker = read_marker(self.out)
        assert marker["command"] == self.owner
        if self.owner == "sweep":
            tasks = read_kpis(self.out, ["task"])["task"]
            assert tasks.is_unique and set(tasks) <= set(range(TASKS))
            assert ("finished" in marker) == (not self.partial)
            if not self.partial:
                assert len(tasks) == TASKS and (self.out / "summary.csv").exists()
            return
        assert marker["run_id"] == self.run_id
        assert marker["files"] == listing(self.out), "files from more than one invocation"
        assert not [p for p in self.out.rglob("*") if p.name.startswith(".") and p.name != ".adoptsim.json"]


OneFolder.TestCase.settings = settings(
    max_examples=3, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck)
)
TestOneFolder = pytest.mark.slow(OneFolder.TestCase)
