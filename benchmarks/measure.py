"""One measurement, run in its own process so that its peak memory is its own.

    python -m benchmarks.measure model N STEPS [FILE] vectorized model (default: every intervention active)
    python -m benchmarks.measure reference N STEPS    per-agent reference vs vectorized, baseline rules
    python -m benchmarks.measure task                 one 10k x 104 sweep task, in-process
    python -m benchmarks.measure pool                 start-up of a 2-worker process pool
    python -m benchmarks.measure setup N [FILE]       the model's set-up alone (population, graph, merchants)
    python -m benchmarks.measure calibration FILE K   K search trials of a calibration file, and their simulations alone

Prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def measure_model(n: int, steps: int, file: str | None = None) -> dict:
    from adoptsim.engine.model import WalletAdoptionModel
    from adoptsim.scenario.loading import load_scenario

    path = ROOT / file if file else HERE / "all_interventions.yaml"
    scenario = load_scenario(path, [f"population.size={n}", f"steps={steps}"], allow_large=True)
    baseline_mb = peak_mb()
    model, setup = timed(lambda: WalletAdoptionModel(scenario, agents="lazy"))
    _, run = timed(lambda: model.run_for(steps))
    memory = peak_mb()
    result = {
        "n": n,
        "steps": steps,
        "setup_s": setup,
        "run_s": run,
        "steps_per_s": steps / run,
        "agent_steps_per_s": n * steps / run,
        "peak_mb": memory,
        "import_mb": baseline_mb,
        "bytes_per_consumer": (memory - baseline_mb) * 2**20 / n,
        "ns_per_agent_step": run * 1e9 / (n * steps),
        "final_active_share": float(model.recorder.columns["share_active"][-1]),
    }
    if n <= 1_000_000 and not file:
        _, views = timed(lambda: len(model.agents))
        result["agent_views_s"] = views
    return result


def measure_reference(n: int, steps: int) -> dict:
    from adoptsim.engine.model import WalletAdoptionModel
    from adoptsim.engine.reference import ReferenceModel
    from adoptsim.scenario.loading import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", [f"population.size={n}", f"steps={steps}"])
    reference, reference_setup = timed(lambda: ReferenceModel(scenario))
    _, reference_run = timed(lambda: reference.run_for(steps))
    vectorized, vectorized_setup = timed(lambda: WalletAdoptionModel(scenario, agents="lazy"))
    _, vectorized_run = timed(lambda: vectorized.run_for(steps))
    return {
        "n": n,
        "steps": steps,
        "reference_setup_s": reference_setup,
        "reference_run_s": reference_run,
        "vectorized_setup_s": vectorized_setup,
        "vectorized_run_s": vectorized_run,
        "reference_steps_per_s": steps / reference_run,
        "vectorized_steps_per_s": steps / vectorized_run,
        "speedup": reference_run / vectorized_run,
    }


def measure_task() -> dict:
    from adoptsim.studies.evaluation import run_task
    from adoptsim.studies.experiment import load_experiment
    from adoptsim.studies.sweep import all_tasks

    loaded = load_experiment(HERE / "sweep_200.yaml")
    task = all_tasks(loaded)[0]
    scenario = loaded.scenario_at(task.point)
    run_task(scenario, task)  # warm up
    _, seconds = timed(lambda: [run_task(scenario, t) for t in all_tasks(loaded)[:5]])
    return {"task_s": seconds / 5}


def measure_pool() -> dict:
    """Time from creating the 2-worker process pool to its first (empty) result: the one-off
    start of the fork server, which imports adoptsim once for all workers."""
    from adoptsim.studies.executors import make_executor

    executor = make_executor(workers=2)
    _, seconds = timed(lambda: [f.result() for f in [executor.submit(time.sleep, 0) for _ in range(2)]])
    executor.shutdown()
    return {"pool_start_s": seconds}


def measure_setup(n: int, file: str) -> dict:
    """The model's set-up at n consumers (population, graph, homophily seating, merchants)."""
    from adoptsim.engine.model import WalletAdoptionModel
    from adoptsim.scenario.loading import load_scenario

    scenario = load_scenario(ROOT / file, [f"population.size={n}"], allow_large=True)
    cpu = time.process_time()
    _, setup = timed(lambda: WalletAdoptionModel(scenario, agents="lazy"))
    return {"n": n, "setup_s": setup, "setup_cpu_s": time.process_time() - cpu, "peak_mb": peak_mb()}


def measure_calibration(file: str, trials: int) -> dict:
    """A calibration's throughput at its own size and horizon: `trials` trials of its search
    (sampler, study storage, scenario building, one process), with the time inside runner.simulate
    and simulate_blocks (a batch's runs as blocks of one model) summed over the same trials (every
    market of a joint file). What a trial costs outside its simulations is the difference, both
    taken from the same executions (timing the simulations again separately measured two runs'
    noise, not the overhead). `steps` is the mean over the markets."""
    import tempfile

    from adoptsim.studies import evaluation, runner
    from adoptsim.studies.calibration.objective import Problem
    from adoptsim.studies.calibration.search import open_study, search
    from adoptsim.studies.calibration.spec import load_calibration

    problem = Problem(load_calibration(ROOT / file))
    with tempfile.TemporaryDirectory() as folder:
        search(problem, open_study(problem, Path(folder)), None, 1, progress=False)  # warm: imports, caches
    inside, sizes = [0.0], []
    simulate, simulate_blocks = runner.simulate, evaluation.simulate_blocks

    def timed_simulate(scenario, *args, **kwargs):
        start = time.perf_counter()
        try:
            return simulate(scenario, *args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - start
            sizes.append((scenario.population.size, scenario.steps))

    def timed_blocks(scenarios, seeds):  # runs that share a model (evaluation.block_groups)
        start = time.perf_counter()
        try:
            return simulate_blocks(scenarios, seeds)
        finally:
            inside[0] += time.perf_counter() - start
            sizes.extend((s.population.size, s.steps) for s in scenarios)

    runner.simulate = evaluation.simulate = timed_simulate
    evaluation.simulate_blocks = timed_blocks
    try:
        with tempfile.TemporaryDirectory() as folder:
            study = open_study(problem, Path(folder))
            _, searching = timed(lambda: search(problem, study, None, trials, progress=False))
    finally:
        runner.simulate = evaluation.simulate = simulate
        evaluation.simulate_blocks = simulate_blocks
    sims = len(sizes)
    return {
        "file": file,
        "trials": trials,
        "simulations": sims,
        "n": sizes[0][0],
        "steps": round(sum(s for _, s in sizes) / sims),
        "sims_per_s_per_core": sims / inside[0],
        "trial_s": searching / trials,
        "outside_s_per_trial": (searching - inside[0]) / trials,
        "outside_share": (searching - inside[0]) / searching,
    }


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "setup":
        result = measure_setup(int(argv[1]), argv[2] if len(argv) > 2 else "scenarios/baseline.yaml")
    elif kind == "calibration":
        result = measure_calibration(argv[1], int(argv[2]))
    elif kind == "pool":
        result = measure_pool()
    elif kind == "model":
        result = measure_model(int(argv[1]), int(argv[2]), argv[3] if len(argv) > 3 else None)
    elif kind == "reference":
        result = measure_reference(int(argv[1]), int(argv[2]))
    else:
        result = measure_task()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
