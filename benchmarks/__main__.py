"""Speed and memory of adoptsim on this machine.

    uv run python -m benchmarks            10k, 100k, 1M consumers; reference at 10k and 100k;
                                           1M end to end through the CLI; a 200-run sweep
    uv run python -m benchmarks --large    adds 10M consumers
    uv run python -m benchmarks --quick    10k and 100k only (a smoke run)
    uv run python -m benchmarks.targets    the targets of issue 16, median and min-max of repeats

Every run ends with the app's frame time (benchmarks/app.py): a step plus a redraw at 20k.

Every measurement runs in a fresh process (its peak memory is its own). Results are printed as
tables and saved to results/benchmarks/benchmark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    import numpy
    import scipy

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": cores,
        "memory_gb": round(memory_kb / 1024**2, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }


def child(*args: str) -> dict:
    """Run one measurement in a fresh Python process; its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_command(argv: list[str]) -> dict:
    """Wall time, CPU time and peak memory of a command. CPU counts its whole process tree (wait4
    adds the children it waited for, such as a pool's workers); the peak is its largest process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stdout, stderr = process.communicate()
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "peak_mb": usage.ru_maxrss / 1024, "stdout": stdout, "stderr": stderr}


def end_to_end(n: int) -> dict:
    """`adoptsim run` on the all-interventions scenario: set-up, run, every output file."""
    with tempfile.TemporaryDirectory() as folder:
        argv = [
            sys.executable,
            "-m",
            "adoptsim.cli",
            "run",
            str(HERE / "all_interventions.yaml"),
            "--set",
            f"population.size={n}",
            "--reps",
            "1",
            "--out",
            folder,
        ]
        result = timed_command(argv)
        result["files"] = sorted(os.listdir(folder))
    return result


def sweep_200(workers: int) -> dict:
    """200 runs x 10k consumers x 104 steps through `adoptsim sweep`."""
    folder = tempfile.mkdtemp()
    try:
        argv = [
            sys.executable,
            "-m",
            "adoptsim.cli",
            "sweep",
            str(HERE / "sweep_200.yaml"),
            "--workers",
            str(workers),
            "--out",
            folder,
        ]
        result = timed_command(argv)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    line = next((x for x in result["stdout"].splitlines() if x.startswith("ran ")), "")
    result["summary"] = line
    result["run_s"] = float(line.split(" in ")[1].split(" s")[0]) if line else float("nan")
    return result


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(h).rjust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 10M consumers")
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, no end-to-end or sweep")
    parser.add_argument("--steps", type=int, default=104)
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    if args.large:
        sizes.append(10_000_000)
    report: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"), "models": [], "reference": []}
    print("machine: " + ", ".join(f"{k} {v}" for k, v in report["machine"].items()))

    print(f"\nVectorized model, baseline with every intervention type active, {args.steps} steps")
    columns = ["consumers", "set-up s", "run s", "steps/s", "agent-steps/s", "peak MB", "Mesa views s"]
    print("".join(f"{c:>15}" for c in columns))
    for n in sizes:
        r = child("model", str(n), str(args.steps))
        report["models"].append(r)
        views = f"{r['agent_views_s']:.2f}" if "agent_views_s" in r else "lazy"
        cells = [
            f"{n:,}",
            f"{r['setup_s']:.2f}",
            f"{r['run_s']:.2f}",
            f"{r['steps_per_s']:.2f}",
            f"{r['agent_steps_per_s']:.3g}",
            f"{r['peak_mb']:.0f}",
            views,
        ]
        print("".join(f"{c:>15}" for c in cells), flush=True)

    print("\nPer-agent reference (plain Mesa agents, one by one) vs vectorized, baseline rules")
    rows = []
    for n, steps in ((10_000, 104), (100_000, 104)):
        r = child("reference", str(n), str(steps))
        report["reference"].append(r)
        rows.append(
            [
                f"{n:,}",
                str(steps),
                f"{r['reference_steps_per_s']:.3g}",
                f"{r['vectorized_steps_per_s']:.3g}",
                f"{r['speedup']:.0f}x",
            ]
        )
    print(table(rows, ["consumers", "steps", "reference steps/s", "vectorized steps/s", "speed-up"]))

    if not args.quick:
        print("\nEnd to end: adoptsim run (set-up, 104 steps, every output file), 1M consumers")
        e2e = end_to_end(1_000_000)
        report["end_to_end_1m"] = {k: v for k, v in e2e.items() if k not in ("stdout", "stderr")}
        print(f"wall {e2e['wall_s']:.1f} s, peak memory {e2e['peak_mb']:.0f} MB, files: {', '.join(e2e['files'])}")

        print("\nSweep: 200 runs x 10,000 consumers x 104 steps, 2 workers")
        task = child("task")
        pool = child("pool")
        sweep = sweep_200(2)
        loop_s = sweep["run_s"]
        per_run = (loop_s - pool["pool_start_s"]) * 2 / 200
        overhead = per_run - task["task_s"]
        report["sweep_200"] = {
            "wall_s": sweep["wall_s"],
            "loop_s": loop_s,
            "pool_start_s": pool["pool_start_s"],
            "task_s": task["task_s"],
            "worker_s_per_run": per_run,
            "overhead_s_per_run": overhead,
        }
        print(
            f"wall {sweep['wall_s']:.1f} s: {sweep['wall_s'] - loop_s:.1f} s imports, design checks and plots; "
            f"{loop_s:.1f} s running tasks, of which {pool['pool_start_s']:.1f} s starting the worker pool once"
        )
        print(
            f"one task alone {task['task_s']:.3f} s; worker time per task in the sweep {per_run:.3f} s; "
            f"per-task overhead {overhead:.3f} s ({overhead / per_run:.0%}: pickling, queueing, shard writes, "
            "and the parent process sharing the 2 cores)"
        )

    from benchmarks import app

    print("\nadoptsim app, 20,000 consumers, every intervention: a step plus a redraw (the image sent to the page)")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.app"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    report["app"] = json.loads(done.stdout.strip().splitlines()[-1])
    print(app.describe(report["app"]))

    out = ROOT / "results" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / "benchmark.json").write_text(json.dumps(report, indent=1))
    print(f"\nsaved {out / 'benchmark.json'}")


if __name__ == "__main__":
    main()
