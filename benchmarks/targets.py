"""The targets of issues 16 and 32, each measured as the median and min-max of interleaved repeats.

    uv run python -m benchmarks.targets [--repeats 3] [--large] [--country]

Ratios (against the bare numpy kernel, against the per-agent reference, 2 workers against 1)
are taken within one repeat, so both sides share the machine's load at that moment.
--large adds 10M consumers; --country adds one run of 50M (about 15 minutes). The command-level
rows (benchmarks/command.py: `adoptsim run` at 1M, 10M and 50M, set-up at 10M, calibration
throughput) come after the model's; --skip command or calibration leaves them out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.__main__ import ROOT, child, sweep_200, timed_command
from benchmarks.command import command_rows

KERNEL = (
    next(
        (
            p
            for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
            if (p / "bench" / "kernel_bench.py").is_file()
        ),
        ROOT.parent / "shared",
    )
    / "bench"
    / "kernel_bench.py"
)
"""The bare kernel in the project's shared folder (beside the clone, or beside a worktree's folder)."""
BASELINE = "scenarios/baseline.yaml"


def kernel_rate(n: int, steps: int) -> float:
    """Agent-steps per second of the bare numpy kernel."""
    done = subprocess.run([sys.executable, str(KERNEL), str(n), str(steps)], capture_output=True, text=True, check=True)
    return kernel_output_rate(done.stdout)


def kernel_output_rate(stdout: str) -> float:
    """The rate the kernel prints ("kernel N=.. steps=..: 12.3 M agent-steps/s"), per second."""
    return float(stdout.split(":")[1].split("M")[0]) * 1e6


def host_scaling(n: int = 10_000, steps: int = 20_000) -> float:
    """The host's own ceiling for 2 workers: the bare kernel's rate, as a sweep task's size, with
    two copies running at once over its rate alone (1.0: two cores as good as one each)."""
    alone = kernel_rate(n, steps)
    argv = [sys.executable, str(KERNEL), str(n), str(steps)]
    pair = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    rates = [kernel_output_rate(p.communicate()[0]) for p in pair]
    return statistics.mean(rates) / alone


def command_seconds(argv: list[str]) -> float:
    return timed_command([sys.executable, "-m", "adoptsim.cli", *argv])["wall_s"]


EXIT_PROBE = """
import sys, time
from adoptsim.cli.main import main
from adoptsim.cli.exiting import exit_now
code = main(sys.argv[2:])
sys.stdout.flush()
print(time.time(), file=sys.stderr, flush=True)
sys.exit(code) if sys.argv[1] == "ordinary" else exit_now(code)
"""


def exit_seconds(how: str, argv: list[str]) -> float:
    """Seconds from a command's return to its process's end: `ordinary` (sys.exit, the
    interpreter torn down) or `console` (the console script's exit_now)."""
    done = subprocess.run([sys.executable, "-c", EXIT_PROBE, how, *argv], capture_output=True, text=True, cwd=ROOT)
    ended = time.time()
    if done.returncode != 0:
        raise SystemExit(f"exit probe {' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    return ended - float(done.stderr.strip().splitlines()[-1])


def spread(values: list[float], fmt: str = "{:.3g}") -> str:
    """median [min-max]"""
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}-{fmt.format(max(values))}]"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.targets", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="also 10M consumers")
    parser.add_argument("--country", action="store_true", help="also one run of 50M consumers")
    parser.add_argument(
        "--skip", nargs="*", default=[], help="leave out: kernel reference memory command calibration start sweep"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "benchmarks", help="folder of targets.json")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    raw: dict[str, list] = {}

    def show(target: str, measured: str, how: str) -> None:
        rows.append((target, measured, how))
        print(f"{target:58s} {measured:38s} {how}", flush=True)

    if "kernel" not in args.skip:
        ratio, model_rate, kernel = [], [], []
        for _ in range(args.repeats):
            k = kernel_rate(1_000_000, 104)
            m = child("model", "1000000", "104", BASELINE)
            kernel.append(k)
            model_rate.append(m["agent_steps_per_s"])
            ratio.append(m["agent_steps_per_s"] / k)
        raw["kernel"] = {"kernel": kernel, "model": model_rate}
        show(
            "step rate >= 1.0x bare numpy kernel (1M, baseline)",
            spread(ratio, "{:.2f}x"),
            f"model {spread(model_rate)} vs kernel {spread(kernel)} agent-steps/s",
        )
    if "reference" not in args.skip:
        speedups = [child("reference", "100000", "104")["speedup"] for _ in range(args.repeats)]
        raw["reference"] = speedups
        show("per-agent reference >= 150x (100k, all 104 steps)", spread(speedups, "{:.0f}x"), "measure reference")
    if "memory" not in args.skip:
        sizes = [1_000_000] + ([10_000_000] if args.large else [])
        per = {n: [child("model", str(n), "104") for _ in range(args.repeats if n <= 1_000_000 else 1)] for n in sizes}
        raw["memory"] = per
        for n, runs in per.items():
            show(
                f"<= 150 bytes/consumer at peak ({n:,}, all interventions)",
                spread([r["bytes_per_consumer"] for r in runs], "{:.0f}"),
                f"peak {spread([r['peak_mb'] for r in runs], '{:.0f}')} MB",
            )
        if args.large:
            ns1 = statistics.median(r["ns_per_agent_step"] for r in per[1_000_000])
            ns10 = per[10_000_000][0]["ns_per_agent_step"]
            show("ns/agent-step at 10M within 1.3x of 1M", f"{ns10 / ns1:.2f}x", f"{ns10:.0f} vs {ns1:.0f} ns")
            show("10M x 104 in <= 2 GB", f"{per[10_000_000][0]['peak_mb'] / 1024:.2f} GB", "all interventions")
        if args.country:
            big = child("model", "50000000", "104", BASELINE)
            raw["country"] = big
            show(
                "50M x 104 in <= 12 GB and <= 20 min",
                f"{big['peak_mb'] / 1024:.1f} GB, {(big['setup_s'] + big['run_s']) / 60:.1f} min",
                "baseline",
            )
    if "command" not in args.skip:
        calibrations = "calibration" not in args.skip
        command_rows(show, spread, kernel_rate, args.repeats, args.large, args.country, raw, calibrations)
    if "start" not in args.skip:
        helps, validates = [], []
        for _ in range(args.repeats):
            helps.append(command_seconds(["--help"]))
            validates.append(command_seconds(["validate", BASELINE]))
        exits: dict[str, list[float]] = {"ordinary": [], "console": []}
        with tempfile.TemporaryDirectory() as folder:
            run = ["run", BASELINE, "--set", "population.size=2000", "--reps", "1", "--out", folder]
            for _ in range(args.repeats):
                for how in exits:
                    shutil.rmtree(folder, ignore_errors=True)
                    exits[how].append(exit_seconds(how, run))
        raw["start"] = {"help": helps, "validate": validates, "exit": exits}
        show("adoptsim --help < 1 s", spread(helps, "{:.2f} s"), "wall, fresh process")
        show("adoptsim validate FILE < 1 s", spread(validates, "{:.2f} s"), f"validate {BASELINE}")
        show(
            "(exit after adoptsim run: the console script's)",
            spread(exits["console"], "{:.2f} s"),
            f"ordinary exit, interpreter torn down: {spread(exits['ordinary'], '{:.2f} s')}",
        )
    if "sweep" not in args.skip:
        sweep_200(2)  # warm-up, not counted: the page cache and the host settle after the large runs
        results: dict[int, list[dict]] = {1: [], 2: []}
        host: list[float] = []
        for repeat in range(args.repeats):
            host.append(host_scaling())
            for workers in (2, 1) if repeat % 2 == 0 else (1, 2):  # alternate the order: no drift favours one
                results[workers].append(sweep_200(workers))
        walls, runs, cpus = ({w: [r[key] for r in results[w]] for w in results} for key in ("wall_s", "run_s", "cpu_s"))
        one, two = walls[1], walls[2]
        efficiency = [a / (2 * b) for a, b in zip(one, two, strict=True)]
        of_runs = [a / (2 * b) for a, b in zip(runs[1], runs[2], strict=True)]
        fixed = [w - r for w, r in zip(one + two, runs[1] + runs[2], strict=True)]
        growth = [b / a for a, b in zip(cpus[1], cpus[2], strict=True)]
        raw["sweep"] = {
            "one": one,
            "two": two,
            "runs_one": runs[1],
            "runs_two": runs[2],
            "cpu_one": cpus[1],
            "cpu_two": cpus[2],
            "host_scaling": host,
        }
        show("sweep 200 x 10k x 104, 2 workers <= 15 s", spread(two, "{:.1f} s"), f"1 worker {spread(one, '{:.1f} s')}")
        show(
            "parallel efficiency >= 85 %",
            spread([100 * e for e in efficiency], "{:.0f} %"),
            f"T1 / (2 T2), whole command; of the runs alone {spread([100 * e for e in of_runs], '{:.0f} %')}, "
            f"start and analysis {spread(fixed, '{:.1f} s')}",
        )
        show(
            "(CPU of the 2-worker command / of the 1-worker)",
            spread(growth, "{:.2f}x"),
            "above 1: the same work cost more CPU with both cores busy (the host, or the pool)",
        )
        show(
            "(host: 2 bare kernels at once, rate of each / alone)",
            spread(host, "{:.2f}x"),
            "10k x 20,000 steps, in each repeat: the most 2 workers can give",
        )
        faster = sum(b < a for a, b in zip(one, two, strict=True))
        show("2 workers never slower than 1", f"faster in {faster}/{len(one)}", "")

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "targets.json").write_text(
        json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"), "rows": rows, "raw": raw}, indent=1, default=str)
    )
    print(f"\nsaved {out / 'targets.json'}")


if __name__ == "__main__":
    main()
