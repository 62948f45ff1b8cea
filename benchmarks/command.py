"""The command, not the model: `adoptsim run` measured as a user runs it (issue 32).

Each figure is a fresh `python -m adoptsim.cli run` of the baseline, one replication, every file
written: its wall time and its process's peak resident memory (wait4's ru_maxrss). The end-to-end
rate (consumers x steps / wall) is set beside the bare kernel's rate measured just before it.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.__main__ import ROOT, child, timed_command

BASELINE = "scenarios/baseline.yaml"
STEPS = 104


def adoptsim_run(n: int) -> dict:
    """Wall and peak memory of `adoptsim run` of the baseline at n consumers, 1 replication."""
    with tempfile.TemporaryDirectory() as folder:
        argv = [
            sys.executable,
            "-m",
            "adoptsim.cli",
            "run",
            BASELINE,
            "--set",
            f"population.size={n}",
            "--reps",
            "1",
            "--out",
            str(Path(folder) / "out"),
        ]
        done = timed_command(argv)
    if "wrote" not in done["stdout"]:
        raise SystemExit(f"adoptsim run at {n:,} failed:\n{done['stderr'][-2000:]}")
    return {"n": n, "wall_s": done["wall_s"], "peak_mb": done["peak_mb"], "rate": n * STEPS / done["wall_s"]}


def calibration_files() -> list[str]:
    """The ready calibrations, `calibrations/*.yaml`."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "calibrations").glob("*.yaml"))


def command_rows(
    show: Callable[[str, str, str], None],
    spread: Callable,
    kernel_rate: Callable,
    repeats: int,
    large: bool,
    country: bool,
    raw: dict,
    calibrations: bool = True,
) -> None:
    """The rows of issue 32's command-level targets."""
    ratio, runs, kernel = [], [], []
    for _ in range(repeats):
        kernel.append(kernel_rate(1_000_000, STEPS))
        runs.append(adoptsim_run(1_000_000))
        ratio.append(runs[-1]["rate"] / kernel[-1])
    raw["command_1m"] = {"runs": runs, "kernel": kernel}
    show(
        "adoptsim run 1M x 104 end to end >= 0.6x the kernel",
        spread(ratio, "{:.2f}x"),
        f"{spread([r['rate'] for r in runs])} vs kernel {spread(kernel)} agent-steps/s",
    )
    show(
        "(adoptsim run 1M x 104, 1 rep: wall, peak RSS)",
        spread([r["wall_s"] for r in runs], "{:.1f} s"),
        f"peak {spread([r['peak_mb'] for r in runs], '{:.0f}')} MB",
    )
    sizes = ([10_000_000] if large else []) + ([50_000_000] if country else [])
    for n in sizes:
        big = adoptsim_run(n)
        raw[f"command_{n}"] = big
        limit = "<= 2 GB peak" if n == 10_000_000 else "<= 12 GB, <= 15 min"
        # the fixed costs (imports, figures, files) weigh less as n grows: the rate beside the 1M kernel's
        show(
            f"adoptsim run {n // 1_000_000}M x 104 {limit}",
            f"{big['peak_mb'] / 1024:.2f} GB, {big['wall_s'] / 60:.1f} min",
            f"process peak RSS and wall, 1 replication, all files; end to end "
            f"{big['rate']:.3g} agent-steps/s = {big['rate'] / float(np.median(kernel)):.2f}x the kernel (at 1M)",
        )
    if large:
        setups = [child("setup", "10000000") for _ in range(max(1, repeats - 1))]
        raw["setup_10m"] = setups
        show(
            "set-up at 10M <= 20 s quiet",
            spread([s["setup_s"] for s in setups], "{:.1f} s"),
            f"population, graph, seating, merchants; CPU {spread([s['setup_cpu_s'] for s in setups], '{:.1f} s')}, "
            f"peak {spread([s['peak_mb'] for s in setups], '{:.0f}')} MB",
        )
    for file in calibration_files() if calibrations else []:
        result = child("calibration", file, "8")
        raw[f"calibration {file}"] = result
        outside = result["outside_s_per_trial"] / result["trial_s"]
        show(
            f"calibration {Path(file).stem}: sims/s per core ({result['n']:,} x {result['steps']})",
            f"{result['sims_per_s_per_core']:.2f}",
            f"outside the simulations {result['outside_s_per_trial']:.2f} s a trial = {100 * outside:.0f} % "
            f"(<= 10 %), {result['trials']} trials",
        )
