"""The fixed cost of a step at the small populations of tests, calibrations and optimisations.

    uv run python -m benchmarks.step_overhead [--repeats 20] [--steps 104] [--calls] [--sims 10]

At a few hundred to a few thousand consumers a step is mostly Python and numpy call overhead,
which sets the time of the test suite and of calibrations (thousands of simulations). Prints, per
case, the wall and CPU seconds per step (set-up excluded) as median and min-max over repeats; --calls adds
cProfile's function calls per step (independent of the machine's load); --sims times whole
simulations (set-up, steps, graph statistics, table: adoptsim.studies.runner.simulate) of the UK
market at the size and horizon of calibrations/three_markets.yaml. One JSON object per line.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "baseline-400": ("scenarios/baseline.yaml", ["population.size=400", "merchants.count=20"]),
    "baseline-1500": ("scenarios/baseline.yaml", ["population.size=1500", "merchants.count=75"]),
    "all-400": ("benchmarks/all_interventions.yaml", ["population.size=400", "merchants.count=20"]),
    "all-1500": ("benchmarks/all_interventions.yaml", ["population.size=1500", "merchants.count=75"]),
    "uk-1500": ("markets/uk.yaml", ["population.size=1500", "merchants.count=75"]),
    "china-1500": ("markets/china.yaml", ["population.size=1500", "merchants.count=75"]),
    "kenya-1500": ("markets/kenya.yaml", ["population.size=1500", "merchants.count=75"]),
}
CALIBRATION = ("markets/uk.yaml", ["population.size=1500", "merchants.count=75", "steps=492"])
"""The UK market as calibrations/three_markets.yaml runs it: 1,500 consumers, launch to December 2024."""


def scenario(file: str, overrides: list[str], steps: int | None = None):
    from adoptsim.scenario.loading import load_scenario

    extra = [f"steps={steps}"] if steps else []
    return load_scenario(ROOT / file, [*overrides, *extra])


def step_seconds(spec, steps: int) -> tuple[float, float]:
    """Wall and CPU seconds per step of one run of `steps` steps (set-up not counted): on a
    loaded machine the CPU time of this one thread varies less than the wall."""
    from adoptsim.engine.model import WalletAdoptionModel

    model = WalletAdoptionModel(spec, agents="lazy")
    wall, cpu = time.perf_counter(), time.process_time()
    model.run_for(steps)
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


def calls_per_step(spec, steps: int) -> float:
    """Python function calls per step (cProfile's count, set-up not counted)."""
    from adoptsim.engine.model import WalletAdoptionModel

    model = WalletAdoptionModel(spec, agents="lazy")
    profile = cProfile.Profile()
    profile.runcall(model.run_for, steps)
    return pstats.Stats(profile).total_calls / steps


def simulation_seconds() -> float:
    """CPU seconds of one whole calibration-sized simulation of the UK market."""
    from adoptsim.studies.runner import simulate

    spec = scenario(*CALIBRATION)
    start = time.process_time()
    simulate(spec, 1)
    return time.process_time() - start


def summary(values) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--steps", type=int, default=104)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--calls", action="store_true", help="also count Python calls per step")
    parser.add_argument("--sims", type=int, default=0, help="also time this many calibration-sized simulations")
    args = parser.parse_args(argv)
    specs = {name: scenario(*CASES[name], steps=args.steps) for name in args.cases}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in specs}
    for _ in range(args.repeats):  # interleaved, so every case sees the same spread of load
        for name, spec in specs.items():
            times[name].append(step_seconds(spec, args.steps))
    for name, spec in specs.items():
        wall, cpu = zip(*times[name], strict=True)
        row = {
            "case": name,
            "steps": args.steps,
            "repeats": args.repeats,
            "wall_s_per_step": summary(wall),
            "cpu_s_per_step": summary(cpu),
        }
        if args.calls:
            row["calls_per_step"] = calls_per_step(spec, args.steps)
        print(json.dumps(row), flush=True)
    if args.sims:
        seconds = [simulation_seconds() for _ in range(args.sims)]
        print(
            json.dumps(
                {
                    "case": "calibration-uk-1500x492",
                    "cpu_s_per_simulation": summary(seconds),
                    "simulations_per_s": 1 / statistics.median(seconds),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
