"""Does the search converge? The ready problem against itself plus one dominated lever.

    uv run python -m benchmarks.dominated_lever [--workers 2] [--trials N] [--seed S] [--against DIR]

A lever that only spends money (a security campaign that raises no trust) can never help: the
best split of the five levers is the best split of the four with nothing on it. So a search that
converges ends as well with the extra lever as without it. Both problems
(optimizations/fastest_to_30pct.yaml, and the same with `waste` added to the split) are searched
and their finalists re-ranked exactly as `adoptsim optimize` does (without the playbooks); the two
winners then run on common fresh seeds (seed + 2: the search used `seed`, the re-ranking
`seed + 1`), and the paired difference extra - ready (weeks to 30 % active) is reported with its
95 % t interval.

Each search is also re-ranked as if it had stopped before its refinement stage (finalists from
the first stage's trials only, which are the trials the search made before the refinement was
added: the same sampler, seed and number of trials), and those two winners run on the same fresh
seeds: the same check without the refinement, and the paired difference with - without of each
problem's winner (what the refinement gains, and that the ready problem's winner is no worse).
`--against DIR` (an earlier run of this benchmark) also runs that run's two winners on the same
seeds: the paired difference now - then of each problem's winner.

Writes results/benchmarks/dominated_lever/ (or --out): both studies, both winners as
`<problem>_best.yaml` (and `<problem>_first_stage_best.yaml`), and summary.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import yaml

from adoptsim.cli.common import executor_for
from adoptsim.results.intervals import paired_ci
from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
from adoptsim.studies.optimization.results import FinalComparison, _rank, final_comparison, finalist_trials
from adoptsim.studies.optimization.search import evaluate_all, open_study, run_search
from adoptsim.studies.optimization.space import decode
from adoptsim.studies.optimization.spec import load_problem
from adoptsim.studies.optimization.stages import refined, searched
from adoptsim.studies.storage import LEGACY_FILE, STUDY_FILE

ROOT = Path(__file__).resolve().parents[1]
READY = ROOT / "optimizations" / "fastest_to_30pct.yaml"
KPI = "steps_to_30pct_active"
WASTE = {
    "type": "security_campaign",
    "name": "waste",
    "start": 0,
    "duration": 52,
    "reach": 0.05,
    "trust_gain": 0.0,  # contacts people and changes nothing: pure cost
    "cost_per_contact": 1.0,
}


def write_problems(folder: Path, seed: int | None = None) -> dict[str, Path]:
    """The ready problem (without playbooks; another seed if given) and the same with the
    dominated lever, as files."""
    ready = yaml.safe_load(READY.read_text())
    base_path = READY.parent / ready["scenario"]
    ready.update(scenario=str(base_path), playbooks=[])
    if seed is not None:
        ready["seed"] = seed
    base = yaml.safe_load(base_path.read_text())
    extra_base = {
        "name": "four_levers_and_waste",
        "extends": str(base_path),
        "interventions": [*base["interventions"], WASTE],
    }
    (folder / "extra_base.yaml").write_text(yaml.safe_dump(extra_base, sort_keys=False))
    extra = {
        **ready,
        "name": f"{ready['name']}_and_waste",
        "scenario": str(folder / "extra_base.yaml"),
        "split": {**ready["split"], "interventions": [*ready["split"]["interventions"], "waste"]},
    }
    paths = {"ready": folder / "ready.yaml", "extra": folder / "extra.yaml"}
    paths["ready"].write_text(yaml.safe_dump(ready, sort_keys=False))
    paths["extra"].write_text(yaml.safe_dump(extra, sort_keys=False))
    return paths


def interval(values: tuple[float, float, float]) -> str:
    return f"{values[0]:+.2f} [{values[1]:+.2f}, {values[2]:+.2f}]"


def first_stage_comparison(problem, study, final: FinalComparison, first, executor) -> FinalComparison:
    """The final re-ranking as if the search had stopped before its refinement: the first stage's
    finalists on the same fresh seeds (those among the full search's finalists are not run again:
    the same scenario on the same seeds gives the same runs)."""
    trials = finalist_trials(problem, study, among=first)
    done = dict(zip(final.names[: final.finalists], final.evaluations[: final.finalists], strict=True))
    missing = [t for t in trials if f"trial {t.number}" not in done]
    scenarios = [
        problem.scenario_with(*decode(problem, t.params), name=f"{problem.spec.name}_trial_{t.number}") for t in missing
    ]
    fresh = evaluate_all(scenarios, final.seed, problem.spec.final_replications, executor) if scenarios else []
    done |= {f"trial {t.number}": e for t, e in zip(missing, fresh, strict=True)}
    names = [f"trial {t.number}" for t in trials]
    order = _rank(problem, [done[n] for n in names])
    return FinalComparison([names[i] for i in order], [done[names[i]] for i in order], len(trials), final.seed)


def shares(problem, scenario) -> dict[str, float]:
    return {iv.name: round((iv.budget or 0.0) / problem.spec.budget, 3) for iv in scenario.interventions}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dominated_lever", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--trials", type=int, help="trials per search before the refinement (default: the ready problem's)"
    )
    parser.add_argument("--replications", type=int, default=10, help="fresh-seed replications of the winners")
    parser.add_argument("--seed", type=int, help="the problems' seed (default: the ready problem's)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "benchmarks" / "dominated_lever")
    parser.add_argument("--against", type=Path, help="an earlier run's folder: pair its winners with these")
    args = parser.parse_args()
    began = time.perf_counter()
    args.out = args.out.resolve()  # the extra problem names its base by this path
    args.out.mkdir(parents=True, exist_ok=True)
    paths = write_problems(args.out, args.seed)
    summary: dict = {"trials_wanted": args.trials, "replications": args.replications, "problems": {}}
    winners = {}
    with executor_for(args.workers) as executor:
        for key, path in paths.items():
            problem = load_problem(path)
            study_folder = args.out / key
            study_folder.mkdir(exist_ok=True)
            for name in (STUDY_FILE, LEGACY_FILE):
                (study_folder / name).unlink(missing_ok=True)
            start = time.perf_counter()
            study = open_study(problem, study_folder, resume=False)
            run_search(problem, study, args.trials or problem.spec.trials, executor)
            final = final_comparison(problem, study, executor)
            first = searched(study)
            before = first_stage_comparison(problem, study, final, first, executor)
            for stage, comparison in (("", final), ("_first_stage", before)):
                winner = comparison.winner.scenario.model_copy(update={"name": f"{problem.spec.name}{stage}_best"})
                (args.out / f"{key}{stage}_best.yaml").write_text(scenario_to_yaml(winner))
                winners[f"{key}{stage}"] = winner
            summary["problems"][key] = {
                "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
                "trials": len(first),
                "refinement_trials": len(refined(study)),
                "winner": final.names[0],
                "shares": shares(problem, final.winner.scenario),
                "first_stage_winner": before.names[0],
                "first_stage_shares": shares(problem, before.winner.scenario),
                "search_s": round(time.perf_counter() - start),
            }
            print(
                f"{key}: {final.names[0]} of {len(first)} + {len(refined(study))} trials, shares "
                f"{summary['problems'][key]['shares']}; first stage only: {before.names[0]}",
                flush=True,
            )
        seed = problem.spec.seed + 2
        names = ["ready", "extra", "ready_first_stage", "extra_first_stage"]
        scenarios = [winners[name] for name in names]
        if args.against:
            for key in ("ready", "extra"):
                scenarios.append(load_scenario(args.against / f"{key}_best.yaml"))
                names.append(f"{key} (then)")
        evaluations = evaluate_all(scenarios, seed, args.replications, executor)
    values = {name: e.values(KPI, penalised=True) for name, e in zip(names, evaluations, strict=True)}
    summary["seed"] = problem.spec.seed
    for name, v in values.items():
        summary.setdefault("weeks", {})[name] = round(float(np.mean(v)), 3)
    gap = paired_ci(values["ready"], values["extra"])
    summary["gap_extra_minus_ready"] = [round(x, 3) for x in gap]
    before = paired_ci(values["ready_first_stage"], values["extra_first_stage"])
    summary["gap_first_stage"] = [round(x, 3) for x in before]
    lines = [
        f"fresh seeds {seed}, {args.replications} replications; weeks to 30 % active "
        + ", ".join(f"{n} {np.mean(v):.2f}" for n, v in values.items()),
        f"extra lever minus ready problem (paired): {interval(gap)} weeks",
        f"the same, first stage only (no refinement): {interval(before)} weeks",
    ]
    for key in ("ready", "extra"):
        change = paired_ci(values[f"{key}_first_stage"], values[key])
        summary[f"{key}_refined_minus_first_stage"] = [round(x, 3) for x in change]
        lines.append(f"{key} winner with refinement minus without (paired): {interval(change)} weeks")
    if args.against:
        for key in ("ready", "extra"):
            change = paired_ci(values[f"{key} (then)"], values[key])
            summary[f"{key}_now_minus_then"] = [round(x, 3) for x in change]
            lines.append(f"{key} winner now minus then (paired): {interval(change)} weeks")
    summary["wall_s"] = round(time.perf_counter() - began)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
