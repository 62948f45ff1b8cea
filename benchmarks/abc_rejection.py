"""What exact early rejection (adoptsim/studies/calibration/abc_model.py) saves, and in which market order.

    uv run python -m benchmarks.abc_rejection [--particles 48] [--abc results/.../abc.db --t T]

Particles from the prior of calibrations/three_markets.yaml (or, with --abc, generation T of an
ABC-SMC history: the proposals of generation T+1 are perturbations of them) are run in full,
then at a tolerance eps (the prior sample's median distance and its 25 % and 10 % quantiles, or
the median of generation T's distances: generation T+1's tolerance). Prints one JSON line per
tolerance: the share of particles rejected, the CPU seconds a particle in full and with early
rejection (in the order MARKET_ORDER), and the steps a particle costs in every market order
(from the full runs' terms, the same stopping rule).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from pathlib import Path

import numpy as np

from adoptsim.studies.calibration.abc_model import AbcModel
from adoptsim.studies.calibration.loading import load_calibration
from adoptsim.studies.calibration.objective import Problem

ROOT = Path(__file__).resolve().parent.parent


def steps_to_decide(problem: Problem, order: tuple[int, ...], terms: np.ndarray, steps: np.ndarray, eps: float) -> int:
    """Steps simulated before the particle is rejected (or all of them), markets in `order`."""
    running: list[float] = []
    spent = 0
    for index in order:
        rows = problem.rows[index]
        for step in sorted({int(steps[i]) for i in rows}):
            running += [terms[i] for i in rows if steps[i] == step]
            if math.sqrt(math.fsum(running)) > eps:
                return spent + step
        spent += int(steps[rows].max())
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--particles", type=int, default=48)
    parser.add_argument("--abc", type=Path, help="an ABC-SMC history (abc.db) to take generation --t from")
    parser.add_argument("--t", type=int, default=0)
    args = parser.parse_args()
    problem = Problem(load_calibration(ROOT / "calibrations" / "three_markets.yaml"))
    model = AbcModel(problem)
    np.random.seed(1)
    if args.abc is None:
        particles = [model.prior().rvs() for _ in range(args.particles)]
    else:
        import pyabc

        frame, _ = pyabc.History(f"sqlite:///{args.abc}").get_distribution(m=0, t=args.t)
        particles = frame.to_dict("records")[: args.particles]
    full, cpu_full = [], 0.0
    for pars in particles:
        started = time.process_time()
        full.append(model.integrated_simulate(pars, math.inf))
        cpu_full += time.process_time() - started
    distances = np.array([r.distance for r in full])
    quantiles = (0.5,) if args.abc is not None else (0.5, 0.25, 0.1)
    names = [part.name for part in problem.parts]
    for q in quantiles:
        eps = float(np.quantile(distances, q))
        cpu_early = 0.0
        for pars in particles:
            started = time.process_time()
            model.integrated_simulate(pars, eps)
            cpu_early += time.process_time() - started
        orders = {}
        for order in itertools.permutations(range(len(names))):
            cost = [
                steps_to_decide(problem, order, problem.terms(r.sum_stat["y"]), problem.steps(model.values(p)), eps)
                for p, r in zip(particles, full, strict=True)
            ]
            orders["/".join(names[i] for i in order)] = round(float(np.mean(cost)))
        line = {
            "source": f"generation {args.t} of {args.abc}" if args.abc else "prior",
            "particles": len(particles),
            "eps": round(eps, 4),
            "quantile": q,
            "rejected": round(float(np.mean(distances > eps)), 3),
            "cpu_s_full": round(cpu_full / len(particles), 3),
            "cpu_s_early": round(cpu_early / len(particles), 3),
            "order": "/".join(names[i] for i in model.order),
            "steps_by_order": dict(sorted(orders.items(), key=lambda kv: kv[1])),
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
