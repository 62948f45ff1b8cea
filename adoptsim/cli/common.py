"""What the commands share: problems named by file, one executor set up and shut down, --report,
what a command needs only at its end imported while its runs go.

Each command is a module with `command(args) -> int` (its exit code); cli.py parses the
arguments and imports the module only when the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path

from adoptsim.errors import ModelBuildError, ScenarioError
from adoptsim.results.folders import OutputFolder
from adoptsim.results.swap import signals_held
from adoptsim.studies.executors import capped_workers, default_workers, make_executor


@contextlib.contextmanager
def naming_files(sources: dict[str, str]) -> Iterator[None]:
    """Turn a problem found while building a scenario into a line naming its file.

    `sources` maps scenario names to the files they came from.
    """
    try:
        yield
    except ModelBuildError as err:
        source = sources.get(err.scenario or "", err.scenario or "scenario")
        raise ScenarioError(source, err.path, err.problem) from None


@contextlib.contextmanager
def executor_for(
    workers: int | None, scheduler: str | None = None, pool_from: int = 2, tasks: int | None = None
) -> Iterator[Executor | None]:
    """The command's executor: Dask for a scheduler address, a process pool from `pool_from`
    workers (None = all cores; never more than `tasks` or the cores), else None (in this process).
    Shut down however the command ends; when it fails or is interrupted, work not yet started is
    cancelled rather than waited for."""
    if not scheduler:
        workers = capped_workers(workers, tasks)
    local = workers is None or workers >= pool_from
    executor = make_executor(workers, scheduler) if scheduler or local else None
    try:
        yield executor
    except BaseException:
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        raise
    if executor is not None:
        executor.shutdown()


def open_output(args: argparse.Namespace, target: Path, command: str, **options) -> OutputFolder:
    """The command's output folder (adoptsim/results/folders.py), entered on `args.cleanup` so
    that it is committed or undone however the command ends; `main` reads `args.output_folders` to
    tell a finished folder from a discarded one in its exit code. Entered and registered with
    SIGINT and SIGTERM held back: one in between would leave a folder nobody undoes or names."""
    folder = OutputFolder(target, command, force=getattr(args, "force", False), **options)
    with signals_held():
        args.cleanup.enter_context(folder)
        args.output_folders.append(folder)
    return folder


def note_nothing_to_resume(args: argparse.Namespace, target: Path, has_study: bool) -> None:
    """--resume where no study was started (an empty, new or mistyped --out) starts one, and says so."""
    if args.resume and not has_study:
        print(f"--resume: no study in {target} to continue; starting a new one", file=sys.stderr, flush=True)


def report_if_asked(args: argparse.Namespace, out: Path, shown: Path | None = None) -> str:
    """--report: write the HTML report of the folder a command just wrote (`out`, which may be
    the staging folder that becomes `shown` when the command succeeds); the line to print."""
    if not args.report:
        return ""
    from adoptsim.report.build import write_report

    written = write_report([out], shown=[shown or out])
    return "wrote " + ", ".join(str((shown or out) / path.name) for path in written)


def check_run_budget(args: argparse.Namespace, scenarios: list, reps: int) -> None:
    """Refuse, before any work, a command whose runs would take beyond the limits of
    adoptsim/studies/executors.py `check_budget` (unless --allow-large)."""
    from adoptsim.studies.executors import check_budget

    biggest = max(scenarios, key=lambda s: s.population.size * s.steps)
    workers = min(args.workers or default_workers(), reps * len(scenarios), default_workers())
    check_budget(
        f"adoptsim {args.command}",
        reps * len(scenarios),
        biggest.population.size,
        biggest.steps,
        workers,
        getattr(args, "allow_large", False),
    )


def check_study_budget(args: argparse.Namespace, source: str, runs: int, base: dict) -> None:
    """The same refusal for a study (calibration, optimisation) from its base scenario mapping."""
    from adoptsim.studies.executors import check_budget

    workers = min(args.workers or default_workers(), default_workers())
    size, steps = int(base["population"]["size"]), int(base["steps"])
    check_budget(source, runs, size, steps, workers, getattr(args, "allow_large", False))


def say(*lines: str) -> int:
    """Print the non-empty lines; 0, the exit code of a command whose folder is committed."""
    for line in lines:
        if line:
            print(line)
    return 0


def import_meanwhile(module: str) -> threading.Thread:
    """Import `module` on a daemon thread while the runs go, so that the figures' stack
    (matplotlib, about half a second) is ready when the last run ends rather than imported after it.

    Start it only once the executor's workers are forked. A failure is left to the command's own
    import of the module, which raises it with its usual message.
    """

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    thread = threading.Thread(target=load, daemon=True, name=f"adoptsim-import-{module}")
    thread.start()
    return thread
