"""What running many calibration particles in one model could gain, at most (issue 32).

    uv run python -m benchmarks.batch_bound [--file calibrations/china_cnnic_holdout.yaml] [--k 60] [--repeats 3]

A calibration simulates thousands of small runs (3,000 consumers for China), and at that size a
step is mostly its fixed cost: the same few hundred numpy calls whatever the population. K
particles simulated as K blocks of one model of K x n consumers would pay that cost once a step.
The bound: CPU time per step of one run at n against one run at K x n (the same calibration's
scenario, merchants scaled with the population), interleaved, median and min-max of repeats.
It is an upper bound: a batched model must also keep each block's merchants, market and
records apart, which costs more than one model of K x n does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

POINT = {
    "behaviour.p_media": 0.01,
    "behaviour.q_wom": 0.02,
    "behaviour.r_a": 0.1,
    "behaviour.b_habit": 3.0,
    "population.age_groups.45-59.market_potential": 0.7,
    "population.age_groups.60+.market_potential": 0.4,
    "population.market_growth": 0.003,
}
"""A point inside the China hold-out's prior (the bound hardly depends on it)."""


def cpu_per_step(scenario, size: int, seed: int) -> float:
    """CPU seconds per step of one run of `scenario` at `size` consumers (set-up excluded)."""
    from adoptsim.engine.model import WalletAdoptionModel

    merchants = max(scenario.merchants.count, scenario.merchants.count * size // scenario.population.size)
    scaled = scenario.model_copy(
        update={
            "population": scenario.population.model_copy(update={"size": size}),
            "merchants": scenario.merchants.model_copy(update={"count": merchants}),
        }
    )
    model = WalletAdoptionModel(scaled, seed=seed, agents="lazy")
    start = time.process_time()
    for _ in range(scaled.steps):
        model.step()
    return (time.process_time() - start) / scaled.steps


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch_bound", description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="calibrations/china_cnnic_holdout.yaml")
    parser.add_argument("--k", type=int, default=60, help="particles in one model (a generation's share)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from adoptsim.studies.calibration.loading import load_calibration
    from adoptsim.studies.calibration.objective import Problem

    problem = Problem(load_calibration(Path(args.file)))
    if not set(problem.names) <= set(POINT):
        raise SystemExit(f"{args.file}: the bound is set up for the China hold-out's parameters {sorted(POINT)}")
    scenario = problem.scenario({name: POINT[name] for name in problem.names}, problem.parts[0], scored_only=True)
    n = scenario.population.size
    one, batched = [], []
    for seed in range(args.repeats):
        one.append(cpu_per_step(scenario, n, seed))
        batched.append(cpu_per_step(scenario, args.k * n, seed))
    gains = [args.k * a / b for a, b in zip(one, batched, strict=True)]

    def spread(values: list[float], scale: float = 1e3, unit: str = " ms") -> str:
        return f"{statistics.median(values) * scale:.2f}{unit} ({min(values) * scale:.2f}-{max(values) * scale:.2f})"

    print(f"{args.file}: {scenario.steps} steps, CPU per step, median (min-max) of {args.repeats} interleaved repeats")
    print(f"  one run of {n:,} consumers: {spread(one)}; {args.k} of them: {spread([args.k * a for a in one])}")
    print(f"  one run of {args.k} x {n:,} = {args.k * n:,} consumers: {spread(batched)}")
    print(f"  bound on the gain of batching {args.k} particles: {spread(gains, 1, 'x')}")


if __name__ == "__main__":
    main(sys.argv[1:])
