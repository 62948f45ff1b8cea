"""Wall time of the ready optimisation on this machine (the issue's bound: 15 minutes).

    uv run python -m benchmarks.optimize [--workers 2] [--repeats 1]

Runs `adoptsim optimize optimizations/fastest_to_30pct.yaml` end to end in a fresh process each
time (search, final comparison, files) and prints median and min-max wall time with the winner's
line; results go to results/benchmarks/optimize.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = ROOT / "optimizations" / "fastest_to_30pct.yaml"


def once(workers: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "adoptsim.cli",
                "optimize",
                str(PROBLEM),
                "--workers",
                str(workers),
                "--out",
                folder,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return time.perf_counter() - start, done.stdout.splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.optimize", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    walls, lines = zip(*(once(args.workers) for _ in range(args.repeats)), strict=True)
    result = {
        "problem": str(PROBLEM.relative_to(ROOT)),
        "workers": args.workers,
        "repeats": args.repeats,
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "winner": lines[-1],
        "bound_s": 900,
    }
    out = ROOT / "results" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / "optimize.json").write_text(json.dumps(result, indent=2))
    print(
        f"optimize {result['problem']} --workers {args.workers}: median {result['median_s']:.0f} s "
        f"(min {result['min_s']:.0f}, max {result['max_s']:.0f}; bound 900 s)\n{result['winner']}"
    )


if __name__ == "__main__":
    main()
