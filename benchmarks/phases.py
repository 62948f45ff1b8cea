"""Where the wall time of `adoptsim run` goes: a timeline of the command, phase by phase (issue 32).

    uv run python -m benchmarks.phases [--size 1000000] [--repeats 3] [--scenario FILE]

Each repeat is a fresh process running `adoptsim run FILE --set population.size=N --reps 1` as
the console script does, with a clock read at the edges of each phase (the functions below are
wrapped in that process only; nothing is changed for users). The parent times the whole process,
so the interpreter's start-up and exit are the wall minus the child's own span. A phase is the
time between two clock readings: imports (from the first line to the scenario's loading),
the population, graph and merchants of the set-up, the rest of the set-up, the steps, the graph
statistics, the results' assembly, each figure's drawing and each file's writing. Figures print
as the median and min-max over repeats, with the bare kernel's time for the same agent-steps
measured just before each repeat, so the fixed costs can be read against the part that grows
with the population.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.__main__ import ROOT

STEPS = 104
WRAPPED = (
    # (module, attribute, the phase its entry closes (None: none), the phase its return closes)
    ("adoptsim.scenario.loading", "load_scenario", "imports", "scenario loaded"),
    ("adoptsim.engine.model", "build_people", "set-up: before the population", "set-up: population"),
    ("adoptsim.engine.model", "build_graph", None, "set-up: graph"),
    ("adoptsim.engine.model", "build_merchants", "set-up: between graph and merchants", "set-up: merchants"),
    (
        "adoptsim.studies.runner",
        "WalletAdoptionModel",
        "before the model (output folder, runner)",
        "set-up: the rest (market, recorder, ...)",
    ),
    ("adoptsim.studies.runner", "graph_stats", "steps", "graph statistics"),
    ("adoptsim.results.store", "write_csv", "results assembled", "file: {name}"),
    ("adoptsim.results.store", "write_text", "results assembled", "file: {name}"),
    ("adoptsim.results.store", "write_figure", "figure drawn: {name}", "figure written: {name}"),
)
"""Functions whose entry and return mark the timeline. A function's entry closes the phase
before it: e.g. the time before `write_figure` is entered is the figure's drawing."""


def _named(label: str, args: tuple) -> str:
    """The label with the file's name, for the store's writers (their first argument is the path)."""
    return label.format(name=Path(args[0]).name) if args and "{name}" in label else label


def timeline(argv: list[str]) -> tuple[list[tuple[str, float]], float]:
    """Run `adoptsim` with `argv` in this process with the clock read at each wrapped function's
    entry and return; the phases (label, seconds) in order and the span since this function was
    called. The modules are imported here, so call it first thing in a fresh process for a
    timeline that includes the imports."""
    start = time.perf_counter()
    marks: list[tuple[str, float]] = []
    last = [start]

    def close(label: str) -> None:
        now = time.perf_counter()
        marks.append((label, now - last[0]))
        last[0] = now

    import importlib

    import mesa  # noqa: F401  (the console script's first import, as in adoptsim.cli.run)

    wrap_all(importlib.import_module, close)
    from adoptsim.cli.main import main

    code = main(argv)
    close("the command's last lines (table, summary)")
    if code != 0:
        raise SystemExit(f"adoptsim {' '.join(argv)} exited with {code}")
    return marks, time.perf_counter() - start


def wrap_all(load: Callable, close: Callable[[str], None]) -> None:
    """Wrap every function of WRAPPED so its entry closes the phase before it (imports, steps,
    a figure's drawing) and its return closes its own phase."""
    for module_name, attribute, before, label in WRAPPED:
        module = load(module_name)
        original = getattr(module, attribute)  # AttributeError: the benchmark follows the code, update WRAPPED
        setattr(module, attribute, _wrapped(original, before, label, close))


def _wrapped(original: Callable, before: str | None, label: str, close: Callable[[str], None]) -> Callable:
    def wrapper(*args, **kwargs):
        if before is not None:
            close(_named(before, args))
        result = original(*args, **kwargs)
        close(_named(label, args))
        return result

    return wrapper


def merged(marks: list[tuple[str, float]]) -> dict[str, float]:
    """Seconds per phase label, repeated labels added up (in order of first appearance)."""
    total: dict[str, float] = {}
    for label, seconds in marks:
        total[label] = total.get(label, 0.0) + seconds
    return total


def repeat(scenario: str, size: int, folder: Path) -> dict:
    """One fresh process: its wall and its timeline."""
    argv = ["run", scenario, "--set", f"population.size={size}", "--reps", "1", "--out", str(folder)]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.phases", "--child", json.dumps(argv)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"benchmarks.phases child failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    phases = {"interpreter start-up and exit": wall - result["span"], **merged(result["marks"])}
    return {"wall": wall, "phases": phases}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phases", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="scenarios/baseline.yaml")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        marks, span = timeline(json.loads(args.child))
        print(json.dumps({"marks": marks, "span": span}))
        return
    import tempfile

    from benchmarks.targets import kernel_rate

    runs, kernel = [], []
    for _ in range(args.repeats):
        kernel.append(args.size * STEPS / kernel_rate(args.size, STEPS))
        with tempfile.TemporaryDirectory() as folder:
            runs.append(repeat(args.scenario, args.size, Path(folder) / "out"))
    labels = list(dict.fromkeys(label for run in runs for label in run["phases"]))

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f})"

    walls = [run["wall"] for run in runs]
    print(
        f"adoptsim run {args.scenario} at {args.size:,} consumers x {STEPS} steps, 1 replication, "
        f"{args.repeats} fresh processes; median (min-max)"
    )
    for label in labels:
        values = [run["phases"].get(label, 0.0) for run in runs]
        share = statistics.median(values) / statistics.median(walls)
        print(f"  {label:<48} {spread(values)}  {share:5.1%}")
    print(f"  {'wall':<48} {spread(walls)}")
    print(
        f"  {'bare kernel, the same agent-steps':<48} {spread(kernel)}  "
        f"(end to end {statistics.median(k / w for k, w in zip(kernel, walls, strict=True)):.2f}x the kernel)"
    )
    out = ROOT / "results" / "benchmarks" / "phases.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {"size": args.size, "scenario": args.scenario, "runs": runs, "kernel_s": kernel}
    out.write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
