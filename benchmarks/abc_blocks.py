"""What running a calibration's particles as blocks of one model gains (issue 32), and that it
changes no result.

    uv run python -m benchmarks.abc_blocks [--file calibrations/china_cnnic_holdout.yaml] [--k 32] [--repeats 3]
    uv run python -m benchmarks.abc_blocks --posterior 1300    # the posterior itself, 2 workers, both ways

K particles drawn from the prior are simulated by the ABC model twice, interleaved: one by one
(`integrated_simulate_alone`, what every generation did before) and as blocks of one model
(`simulate_many`, what the sampler now does, `posterior.blocks` at a time). At two tolerances:
none (every run to its end, as pyabc's prior sample) and the prior's median distance (about
half the particles rejected, most of them early, as in a middle generation). CPU seconds,
median and min-max of repeats, each repeat on fresh particles; every result must be the same.

With --posterior N: the file's ABC-SMC itself on 2 workers, up to N simulations, with blocks of
1 (each particle a model of its own) and of K, one after the other: wall, CPU of the workers and
of this process, and whether the two posteriors are the same.
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
    parser.add_argument("--posterior", type=int, metavar="N", help="run the ABC-SMC to N simulations instead")
    args = parser.parse_args(argv)
    if args.posterior:
        posterior(Path(args.file), args.k, args.posterior)
        return
    import numpy as np

    from adoptsim.engine.blocks import Blocks
    from adoptsim.studies.calibration.abc_model import AbcModel
    from adoptsim.studies.calibration.loading import load_calibration
    from adoptsim.studies.calibration.objective import Problem

    block_steps = [0]
    step = Blocks.step

    def counted(self, record=()):  # block-steps run: what a rejected block's exit saves
        block_steps[0] += len(self.models)
        return step(self, record)

    Blocks.step = counted
    model = AbcModel(Problem(load_calibration(Path(args.file))))
    prior = model.prior()
    gains: dict[str, list[float]] = {"none": [], "median": []}
    times: dict[str, list[tuple[float, float]]] = {"none": [], "median": []}
    steps: dict[str, list[int]] = {"none": [], "median": []}
    for repeat in range(args.repeats):
        np.random.seed(repeat)
        particles = [model.values(prior.rvs()) for _ in range(args.k)]
        median = None
        for level in ("none", "median"):
            eps = math.inf if median is None else median
            start, block_steps[0] = time.process_time(), 0
            many = model.simulate_many([(values, eps) for values in particles])
            middle = time.process_time()
            steps[level].append(block_steps[0])
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
    fewer = [1 - m / n for m, n in zip(steps["median"], steps["none"], strict=True)]
    for level, label in (("none", "no tolerance (every run to its end)"), ("median", "the prior's median distance")):
        blocks, alone = ([t[i] for t in times[level]] for i in (0, 1))
        print(
            f"  {label}: one by one {spread(alone, ' s')}, in blocks {spread(blocks, ' s')}; "
            f"gain {spread(gains[level])}; every result the same"
        )
    share = spread([100 * f for f in fewer], " %")
    print(f"  block-steps in blocks at the median distance: {share} fewer than with no tolerance")


def posterior(path: Path, k: int, simulations: int) -> None:
    """The ABC-SMC to `simulations`, with blocks of 1 and of `k`, each in a fresh process."""
    import json
    import re
    import subprocess

    runs = {}
    for blocks in (1, k):
        code = f"from benchmarks.abc_blocks import one_posterior; one_posterior({str(path)!r}, {blocks}, {simulations})"
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
        runs[blocks] = {**json.loads(out.splitlines()[-1]), "wall": time.perf_counter() - start}
        runs[blocks]["simulations"] = re.search(r"stopped[^:]*: (\d+) simulations", out).group(1)
    one, many = runs[1], runs[k]
    print(f"{path}: ABC-SMC to {simulations} simulations on 2 workers, a fresh process each")
    for blocks, run in runs.items():
        print(
            f"  blocks of {blocks}: {run['wall']:.1f} s wall; CPU workers {run['workers']:.1f} s, "
            f"this process {run['main']:.1f} s; {run['simulations']} simulations"
        )
    same = "the same" if one["posterior"] == many["posterior"] else "DIFFERENT"
    print(f"  gain {one['wall'] / many['wall']:.2f}x in wall; the posteriors are {same}")


def one_posterior(path: str, blocks: int, simulations: int) -> None:
    """Print (as JSON) one ABC-SMC's posterior, simulations and CPU, with `blocks` a task."""
    import json
    import resource
    import tempfile

    from adoptsim.studies.calibration.loading import load_calibration
    from adoptsim.studies.calibration.objective import Problem
    from adoptsim.studies.calibration.posterior import run_posterior
    from adoptsim.studies.executors import make_executor

    loaded = load_calibration(Path(path))
    settings = loaded.spec.method.posterior
    loaded.spec.method.posterior = settings.model_copy(update={"blocks": blocks, "max_simulations": simulations})
    with tempfile.TemporaryDirectory() as folder, make_executor(workers=2) as executor:
        table = run_posterior(Problem(loaded), Path(folder), executor)
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    record = {
        "posterior": table.to_dict("list"),
        "main": own.ru_utime + own.ru_stime,
        "workers": workers.ru_utime + workers.ru_stime,
    }
    print(json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1:])
