"""The ready calibrations, timed end to end through the CLI with --workers 2.

    uv run python -m benchmarks.calibrations            china_cnnic (holdout 0 and 2), mpesa
    uv run python -m benchmarks.calibrations mpesa      one of them

Each run prints its fit (R^2, RMSE, held-out error and band); wall times and the machine's load
average (other work on the machine slows the runs) are saved to results/benchmarks/calibrate-<name>.json.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.__main__ import machine, timed_command

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNS = {
    "china_cnnic": ("china_cnnic.yaml", None),
    "china_cnnic_holdout2": ("china_cnnic.yaml", 2),
    "mpesa": ("mpesa.yaml", None),
}


def calibration_file(name: str, holdout: int | None, folder: Path) -> Path:
    """The ready file, or a copy with another hold-out (paths made absolute)."""
    path = ROOT / "calibrations" / name
    if holdout is None:
        return path
    data = yaml.safe_load(path.read_text())
    data["holdout"] = holdout
    data["name"] = f"{data['name']}_holdout{holdout}"
    data["scenario"] = str((path.parent / data["scenario"]).resolve())
    data["target"]["file"] = str((path.parent / data["target"]["file"]).resolve())
    copy = folder / f"{path.stem}_holdout{holdout}.yaml"
    copy.write_text(yaml.safe_dump(data, sort_keys=False))
    return copy


def main(names: list[str]) -> None:
    names = names or list(RUNS)
    report = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"), "runs": {}}
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            file, holdout = RUNS[name]
            path = calibration_file(file, holdout, Path(folder))
            out = ROOT / "results" / "benchmarks" / f"calibrate-{name}"
            argv = [sys.executable, "-m", "adoptsim.cli", "calibrate", str(path), "--out", str(out), "--workers", "2"]
            shutil.rmtree(out, ignore_errors=True)
            load_before = os.getloadavg()[0]
            result = timed_command(argv)
            lines = [x for x in result["stdout"].splitlines() if x.startswith(("fitted", "held-out", "ran "))]
            if not lines:
                raise SystemExit(f"{name} failed:\n{result['stderr'][-3000:]}")
            report["runs"][name] = {
                "wall_s": round(result["wall_s"], 1),
                "load_average_before": load_before,
                "load_average_after": os.getloadavg()[0],
                "summary": lines,
                "out": str(out.relative_to(ROOT)),
            }
            print(f"{name}: {result['wall_s'] / 60:.1f} min wall (load average {load_before:.1f})", flush=True)
            for line in lines:
                print(f"  {line}", flush=True)
            target = out.parent / f"calibrate-{name}.json"
            target.write_text(json.dumps({**report, "runs": {name: report["runs"][name]}}, indent=1))
            print(f"  saved {target.relative_to(ROOT)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
