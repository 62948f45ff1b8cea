"""What running a calibration's particles as blocks of one model gains (issue 32), and that it
changes no result.

    uv run python -m benchmarks.abc_blocks [--file calibrations/china_cnnic_holdout.yaml] [--k 32] [--repeats 3]

K particles drawn from the prior are simulated by the ABC model twice, interleaved: one by one
(`integrated_simulate_alone`, what every generation did before) and as blocks of one model
(`simulate_many`, what the sampler now does, `posterior.blocks` at a time). At two tolerances:
none (every run to its end, as pyabc's prior sample) and the prior's median distance (about
half the particles rejected, most of them early, as in a middle generation). CPU seconds,
median and min-max of repeats, each repeat on fresh particles; every result must be the same.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.abc_blocks", description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="calibrations/china_cnnic_holdout.yaml")
    parser.add_argument("--k", type=int, default=32, help="particles simulated at once (posterior.blocks)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    import numpy as np

    from adoptsim.studies.calibration.abc_model import AbcModel
    from adoptsim.studies.calibration.loading import load_calibration
    from adoptsim.studies.calibration.objective import Problem

    model = AbcModel(Problem(load_calibration(Path(args.file))))
    prior = model.prior()
    gains: dict[str, list[float]] = {"none": [], "median": []}
    times: dict[str, list[tuple[float, float]]] = {"none": [], "median": []}
    for repeat in range(args.repeats):
        np.random.seed(repeat)
        particles = [model.values(prior.rvs()) for _ in range(args.k)]
        median = None
        for level in ("none", "median"):
            eps = math.inf if median is None else median
            start = time.process_time()
            many = model.simulate_many([(values, eps) for values in particles])
            middle = time.process_time()
            alone = [model.integrated_simulate_alone(values, eps) for values in particles]
            end = time.process_time()
            for a, b in zip(many, alone, strict=True):
                same = a.accepted == b.accepted and a.distance == b.distance
                if not same or (a.accepted and not np.array_equal(a.sum_stat["y"], b.sum_stat["y"], equal_nan=True)):
                    raise SystemExit(f"repeat {repeat}, tolerance {level}: a particle's result differs in blocks")
            times[level].append((middle - start, end - middle))
            gains[level].append((end - middle) / (middle - start))
            median = statistics.median(r.distance for r in alone)

    def spread(values: list[float], unit: str = "x") -> str:
        return f"{statistics.median(values):.2f}{unit} ({min(values):.2f}-{max(values):.2f})"

    print(f"{args.file}: {args.k} particles from the prior, CPU s, median (min-max) of {args.repeats} repeats")
    for level, label in (("none", "no tolerance (every run to its end)"), ("median", "the prior's median distance")):
        blocks, alone = ([t[i] for t in times[level]] for i in (0, 1))
        print(
            f"  {label}: one by one {spread(alone, ' s')}, in blocks {spread(blocks, ' s')}; "
            f"gain {spread(gains[level])}; every result the same"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
