"""`adoptsim optimize FILE`: search, re-evaluate the finalists, write the answer and its evidence."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from adoptsim.cli.common import check_study_budget, executor_for, open_output, say
from adoptsim.figures import optimization as figures
from adoptsim.results.store import write_csv, write_figure, write_text
from adoptsim.scenario.loading import scenario_to_yaml
from adoptsim.scenario.paths import get_path
from adoptsim.studies.optimization.results import (
    FinalComparison,
    candidates_table,
    final_comparison,
    paired_differences,
    trials_table,
)
from adoptsim.studies.optimization.search import completed, open_study, run_search
from adoptsim.studies.optimization.spec import Problem, load_problem


def optimization_runs(spec, trials: int | None = None) -> int:
    """Runs of an optimisation: trials x replications, then finalists and references re-run."""
    return (trials or spec.trials) * spec.replications + (spec.finalists + 2) * spec.final_replications


def cmd_optimize(args: argparse.Namespace) -> int:
    problem = load_problem(args.file)
    spec = problem.spec
    check_study_budget(args, args.file, optimization_runs(spec, args.trials), problem.base)
    target = Path(args.out) if args.out else Path("results") / f"optimize-{spec.name}"
    trials = args.trials or spec.trials
    folder = open_output(
        args, target, "optimize", resume=args.resume, resumable=True, owns=("study.db",),
        keep=lambda: (target / "study.db").exists(),  # a failed start leaves nothing
    )
    out = folder.path
    with executor_for(args.workers, args.scheduler) as executor:
        study = open_study(problem, out, args.resume and folder.in_place)
        done = len(completed(study))
        with tqdm(total=trials, initial=min(done, trials), desc=spec.name, unit="trial", delay=2) as bar:
            run_search(problem, study, trials, executor, on_trial=lambda: bar.update(1))
        final = final_comparison(problem, study, executor)
    written = write_outputs(problem, study, final, out)
    folder.done()
    return say(
        summary_text(problem, final, paired_differences(problem, final), len(completed(study))),
        f"wrote {len(written)} files to {target}/: " + ", ".join(p.name for p in written),
    )


def write_outputs(problem: Problem, study, final: FinalComparison, out: Path) -> list[Path]:
    trials = trials_table(problem, study)
    finalists = [int(name.split()[-1]) for name in final.names[: final.finalists]]
    front = [t.number for t in study.best_trials] if len(problem.spec.objectives) > 1 else finalists[:1]
    winner = final.winner.scenario.model_copy(update={"name": f"{problem.spec.name}_best", "seed": final.seed})
    spend_columns = [c for c in final.winner.series[0].columns if c.startswith("spend_")]
    spend = pd.concat(final.winner.series).groupby("step")[spend_columns].mean().reset_index()
    header = (
        f"# The winner of {problem.source} ({problem.spec.method}, {len(trials)} trials), runnable as is:\n"
        f"#   adoptsim run best.yaml --reps {problem.spec.final_replications}\n"
        f"# reproduces the final evaluation (seed {final.seed}; see candidates.csv).\n"
    )
    return [
        write_text(out / "best.yaml", header + scenario_to_yaml(winner)),
        write_csv(out / "trials.csv", trials),
        write_csv(out / "candidates.csv", candidates_table(problem, final)),
        write_csv(out / "differences.csv", paired_differences(problem, final)),
        write_figure(out / "convergence.png", figures.convergence_figure(problem, trials)),
        write_figure(out / "pareto.png", figures.pareto_figure(problem, trials, front)),
        write_figure(out / "allocation.png", figures.allocation_figure(problem, trials, finalists, spend)),
    ]


def _number(kpi: str, value: float) -> str:
    if np.isnan(value):
        return "never"
    if kpi.startswith("steps_to_"):
        return f"week {value:.1f}"
    if "spend" in kpi or "value" in kpi:
        return f"{value:,.0f}"
    return f"{value:.3f}"


def summary_text(problem: Problem, final: FinalComparison, differences: pd.DataFrame, trials: int) -> str:
    """The winner in words, with paired 95 % intervals against each reference."""
    spec = problem.spec
    winner = final.winner
    lines = [f"{spec.name}: winner {final.names[0]} of {trials} trials ({spec.method}), budget {spec.budget:,.0f}"]
    budgets = {iv.name: iv.budget for iv in winner.scenario.interventions if iv.name in spec.split.interventions}
    lines.append("  budget: " + ", ".join(f"{n} {b:,.0f} ({b / spec.budget:.0%})" for n, b in budgets.items()))
    for path in spec.decisions:
        value = get_path(winner.scenario.model_dump(mode="json"), path)
        lines.append(f"  {path}: {f'{value:.3g}' if isinstance(value, float) else value}")
    for objective in spec.objectives:
        values = winner.values(objective.kpi)
        reached = values[~np.isnan(values)]
        note = "" if reached.size == values.size else f" (reached in {reached.size}/{values.size})"
        lines.append(
            f"  {objective.kpi}: {_number(objective.kpi, float(np.mean(reached)) if reached.size else np.nan)}{note}"
        )
    lines.append(f"paired differences, winner minus other ({spec.final_replications} replications, fresh seeds):")
    for _, row in differences.iterrows():
        if row["kpi"] == "total_spend":
            continue
        interval = "" if np.isnan(row["lower"]) else f" [{row['lower']:.2f}, {row['upper']:.2f}]"
        lines.append(f"  vs {row['against']:<34} {row['kpi']}: {row['difference']:+.2f}{interval}")
    return "\n".join(lines)
