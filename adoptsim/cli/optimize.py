"""`adoptsim optimize FILE`: search, re-evaluate the finalists, write the answer and its evidence."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from adoptsim.cli.arguments import add_allow_large, positive_int

if TYPE_CHECKING:
    import pandas as pd

    from adoptsim.studies.optimization.results import FinalComparison
    from adoptsim.studies.optimization.spec import Problem


def optimization_runs(spec, trials: int | None = None) -> int:
    """Runs of an optimisation: trials (and the refinement's after them) x replications, then
    finalists and references re-run."""
    searched = trials or spec.trials
    return (searched + spec.refinement(searched)) * spec.replications + (spec.finalists + 2) * spec.final_replications


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim optimize FILE`'s options."""
    parser.add_argument("file", help="optimisation file (see docs/optimization.md)")
    parser.add_argument("--out", help="output folder (default results/optimize-<name>/)")
    parser.add_argument("--workers", type=positive_int, default=1, help="local processes for replications (default 1)")
    parser.add_argument("--scheduler", help="address of a Dask scheduler to run replications on")
    parser.add_argument("--resume", action="store_true", help="continue the study in the output folder")
    parser.add_argument("--trials", type=positive_int, help="finished trials wanted (default: the file's)")
    add_allow_large(parser)


def command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from adoptsim.cli.common import check_study_budget, executor_for, note_nothing_to_resume, open_output, say
    from adoptsim.studies.optimization.results import final_comparison, paired_differences
    from adoptsim.studies.optimization.robust import describe_ranges, equivalent_set, share_ranges
    from adoptsim.studies.optimization.search import open_study, run_search
    from adoptsim.studies.optimization.spec import load_problem
    from adoptsim.studies.optimization.stages import completed
    from adoptsim.studies.storage import LEGACY_FILE, STUDY_FILE, has_study

    problem = load_problem(args.file)
    spec = problem.spec
    check_study_budget(args, args.file, optimization_runs(spec, args.trials), problem.base)
    target = Path(args.out) if args.out else Path("results") / f"optimize-{spec.name}"
    trials = args.trials or spec.trials
    total = trials + spec.refinement(trials)
    had_study = has_study(target)
    folder = open_output(
        args,
        target,
        "optimize",
        resume=args.resume,
        resumable=True,
        owns=(STUDY_FILE, LEGACY_FILE),
        keep=lambda: has_study(target),  # a failed start leaves nothing
    )
    note_nothing_to_resume(args, target, had_study)  # once the folder is ours (locked)
    out = folder.path
    with executor_for(args.workers, args.scheduler) as executor:
        study = open_study(problem, out, args.resume and folder.in_place)
        done = len(completed(study))
        with tqdm(total=total, initial=min(done, total), desc=spec.name, unit="trial", delay=2) as bar:
            run_search(problem, study, trials, executor, on_trial=lambda: bar.update(1))
        final = final_comparison(problem, study, executor)
    written = write_outputs(problem, study, final, out)
    equivalent = equivalent_set(problem, final)
    folder.done()
    return say(
        summary_text(problem, final, paired_differences(problem, final), len(completed(study))),
        describe_ranges(share_ranges(problem, equivalent), spec.objectives[0].kpi, len(equivalent)),
        f"wrote {len(written)} files to {target}/: " + ", ".join(p.name for p in written),
    )


def write_outputs(problem: Problem, study, final: FinalComparison, out: Path) -> list[Path]:
    import pandas as pd

    from adoptsim.figures import optimization as figures
    from adoptsim.results.store import write_csv, write_figure, write_text
    from adoptsim.scenario.loading import scenario_to_yaml
    from adoptsim.studies.optimization.results import candidates_table, paired_differences, trials_table, worth_it
    from adoptsim.studies.optimization.robust import equivalent_set, importance, share_ranges

    trials = trials_table(problem, study)
    finalists = [int(name.split()[-1]) for name in final.names[: final.finalists]]
    front = [t.number for t in study.best_trials] if len(problem.spec.objectives) > 1 else finalists[:1]
    shares = ", ".join(
        f"{iv.name} {(iv.budget or 0.0) / problem.spec.budget:.0%}"
        for iv in final.winner.scenario.interventions
        if iv.name in problem.spec.split.interventions
    )
    described = f"The winner ({final.names[0]}) of {problem.source.name}: {shares} of {problem.spec.budget:,.0f}."
    update = {"name": f"{problem.spec.name}_best", "seed": final.seed, "description": described}
    winner = final.winner.scenario.model_copy(update=update)
    spend_columns = [c for c in final.winner.series[0].columns if c.startswith("spend_")]
    spend = pd.concat(final.winner.series).groupby("step")[spend_columns].mean().reset_index()
    header = (
        f"# The winner of {problem.source} ({problem.spec.method}, {len(trials)} trials), runnable as is:\n"
        f"#   adoptsim run best.yaml --reps {problem.spec.final_replications}\n"
        f"# reproduces the final evaluation (seed {final.seed}; see candidates.csv).\n"
    )
    equivalent = equivalent_set(problem, final)
    ranges = share_ranges(problem, equivalent)
    first = problem.spec.objectives[0].kpi
    values = final.winner.values(first)
    fresh = None
    if np.isfinite(values).any():
        fresh = (float(np.mean(final.winner.values("total_spend"))), float(np.nanmean(values)))
    return [
        write_text(out / "best.yaml", header + scenario_to_yaml(winner)),
        write_csv(out / "equivalent.csv", equivalent),
        write_csv(out / "importance.csv", importance(problem, study)),
        write_figure(out / "equivalent.png", figures.equivalent_figure(problem, equivalent, ranges)),
        write_csv(out / "trials.csv", trials),
        write_csv(out / "candidates.csv", candidates_table(problem, final)),
        write_csv(out / "differences.csv", paired_differences(problem, final)),
        write_csv(out / "worth_it.csv", pd.DataFrame([worth_it(final)])),
        write_figure(out / "convergence.png", figures.convergence_figure(problem, trials)),
        write_figure(out / "pareto.png", figures.pareto_figure(problem, trials, front, fresh)),
        write_figure(out / "allocation.png", figures.allocation_figure(problem, trials, finalists, spend)),
    ]


def _money(kpi: str) -> bool:
    return "spend" in kpi or "value" in kpi


def _number(kpi: str, value: float) -> str:
    if np.isnan(value):
        return "never"
    if kpi.startswith("steps_to_"):
        return f"week {value:.1f}"
    if _money(kpi):
        return f"{value:,.0f}"
    return f"{value:.3f}"


def _difference(kpi: str, row: pd.Series) -> str:
    """A paired difference and its interval: money in whole units with separators, else 2 decimals."""
    shown = "{:+,.0f}" if _money(kpi) else "{:+.2f}"
    bound = "{:,.0f}" if _money(kpi) else "{:.2f}"
    interval = "" if np.isnan(row["lower"]) else f" [{bound.format(row['lower'])}, {bound.format(row['upper'])}]"
    return shown.format(row["difference"]) + interval


def _note(kpi: str) -> str:
    """What the KPI's label adds in brackets (e.g. that net value includes value after the last week)."""
    from adoptsim.figures.formatting import kpi_label

    label = kpi_label(kpi)
    return f" ({label[label.index('(') + 1 : label.rindex(')')]})" if "(" in label and ")" in label else ""


def across_draws(problem: Problem, final: FinalComparison) -> str:
    """How the winner fares across the posterior draws (replication r ran draw r)."""
    objective = problem.spec.objectives[0]
    ours = final.winner.values(objective.kpi)
    base = final.evaluations[final.names.index("base (even split)")].values(objective.kpi)
    better = ours > base if objective.sense == "maximize" else ours < base
    shown = [_number(objective.kpi, float(v)) for v in (np.nanmin(ours), np.nanmedian(ours), np.nanmax(ours))]
    return (
        f"  across {ours.size} posterior draws (one per replication): {objective.kpi} from {shown[0]} to "
        f"{shown[2]} (median {shown[1]}), reached in {int(np.isfinite(ours).sum())}; "
        f"better than the base in {int(better.sum())} of {ours.size}"
    )


IDLE = 0.01
"""A lever with less than this share of the budget: its other decisions are printed as without effect."""


def pays_line(found: dict, currency: str) -> str:
    """What the winner's money buys against spending nothing on the levers, and whether it pays."""
    if not found:
        return ""
    unit = f" {currency}" if currency else ""
    n = found["replications"]
    low, high = found["extra_adopters_lower"], found["extra_adopters_upper"]
    adopters = f"{found['extra_adopters']:+,.0f} adopters [{low:,.0f}, {high:,.0f}]"
    if found["cost_verdict"] and not np.isfinite(found["cost_per_extra_adopter"]):
        cost = found["cost_verdict"]
    else:
        cost = f"{found['cost_per_extra_adopter']:,.2f}{unit} per extra adopter"
        if found["cost_verdict"] == "unbounded":
            cost += " (no upper bound)"
        elif np.isfinite(found["cost_lower"]):
            cost += f" [{found['cost_lower']:,.2f}, {found['cost_upper']:,.2f}]"
    low, high = found["extra_net_value_lower"], found["extra_net_value_upper"]
    net = f"net value {found['extra_net_value']:+,.0f}{unit} [{low:,.0f}, {high:,.0f}]"
    verdict = "pays for itself" if low > 0 else "does not pay for itself" if high < 0 else "may not pay for itself"
    return (
        f"against spending nothing on the levers ({n} replications, paired): {adopters}, {cost}; "
        f"{net} (value after the run included): the winner {verdict}"
    )


def summary_text(problem: Problem, final: FinalComparison, differences: pd.DataFrame, trials: int) -> str:
    """The winner in words, with paired 95 % intervals against each reference."""
    from adoptsim.scenario.paths import get_path
    from adoptsim.studies.optimization.results import NO_SPEND, UNDERSPENT, worth_it

    spec = problem.spec
    winner = final.winner
    lines = [f"{spec.name}: winner {final.names[0]} of {trials} trials ({spec.method}), budget {spec.budget:,.0f}"]
    budgets = {iv.name: iv.budget or 0.0 for iv in winner.scenario.interventions if iv.name in spec.split.interventions}
    kept = spec.budget - sum(budgets.values())
    lines.append(
        "  budget: "
        + ", ".join(f"{n} {b:,.0f} ({b / spec.budget:.0%})" for n, b in budgets.items())
        + (f", kept back {kept:,.0f} ({kept / spec.budget:.0%})" if kept > 0.005 * spec.budget else "")
    )
    spent = float(np.mean(winner.values("total_spend")))
    short = (
        " UNDERSPENT: a lever's share is what it may spend, not what it used"
        if spent < (1 - UNDERSPENT) * spec.budget
        else ""
    )
    lines.append(
        f"  spent: {spent:,.0f} ({spent / spec.budget:.0%} of the budget; mean over the final replications){short}"
    )
    for path in spec.decisions:
        value = get_path(winner.scenario.model_dump(mode="json"), path)
        lever = path.removeprefix("interventions[").split("]")[0] if path.startswith("interventions[") else None
        idle = lever in budgets and budgets[lever] < IDLE * spec.budget
        note = f"  (no effect: {lever} has under {IDLE:.0%} of the budget)" if idle else ""
        lines.append(f"  {path}: {f'{value:.3g}' if isinstance(value, float) else value}{note}")
    for objective in spec.objectives:
        values = winner.values(objective.kpi)
        reached = values[~np.isnan(values)]
        note = "" if reached.size == values.size else f" (reached in {reached.size}/{values.size})"
        mean = float(np.mean(reached)) if reached.size else np.nan
        lines.append(f"  {objective.kpi}: {_number(objective.kpi, mean)}{note}{_note(objective.kpi)}")
    if problem.posterior is not None:
        lines.append(across_draws(problem, final))
    lines.append(f"paired differences, winner minus other ({spec.final_replications} replications, fresh seeds):")
    spent = dict(zip(final.names, [float(np.mean(e.values("total_spend"))) for e in final.evaluations], strict=True))
    for _, row in differences.iterrows():
        if row["kpi"] == "total_spend":
            continue
        n = row["replications"]
        if min(row["winner_reached"], row["other_reached"]) < n:
            mine, theirs = row["winner_reached"], row["other_reached"]
            shown = f"reached by the winner in {mine} of {n}, by the other in {theirs} of {n}"
        else:
            shown = _difference(row["kpi"], row)
        money = spent[row["against"]]
        flag = " UNDERSPENT" if money < (1 - UNDERSPENT) * spec.budget and row["against"] != NO_SPEND else ""
        lines.append(f"  vs {row['against']:<34} {row['kpi']}: {shown}  (it spent {money:,.0f}{flag})")
    lines.append(pays_line(worth_it(final), problem.currency))
    return "\n".join(lines)
