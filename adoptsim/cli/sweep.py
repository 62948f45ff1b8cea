"""`adoptsim sweep`: an experiment's tasks on any executor, resumable, then its analysis figures."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from adoptsim.cli.arguments import REPORT_HELP, add_allow_large, positive_int
from adoptsim.cli.stopping import Terminated, stopped

if TYPE_CHECKING:
    import pandas as pd


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim sweep EXPERIMENT`'s options."""
    parser.add_argument("experiment", help="experiment YAML file")
    parser.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--out", help="output folder (default results/sweep-<experiment name>/)")
    parser.add_argument("--resume", action="store_true", help="skip tasks already finished in --out")
    add_allow_large(parser)
    parser.add_argument("--report", action="store_true", help=REPORT_HELP)


def command(args: argparse.Namespace) -> int:
    """`adoptsim sweep`: every task of an experiment, streamed to shards, then the analysis."""
    from adoptsim.cli.common import executor_for, import_meanwhile, naming_files, open_output, report_if_asked, say
    from adoptsim.studies import sweep
    from adoptsim.studies.experiment import load_experiment

    loaded = load_experiment(args.experiment, args.allow_large)
    experiment = loaded.experiment
    target = Path(args.out) if args.out else Path("results") / f"sweep-{experiment.name}"
    total = len(loaded.points) * experiment.replications
    folder = open_output(
        args,
        target,
        "sweep",
        resume=args.resume,
        resumable=True,
        owns=("experiment.json",),
        keep=lambda: sweep_saved(target) > 0,  # a new folder with no run saved goes
    )
    out = folder.path
    try:
        with executor_for(args.workers, args.scheduler, pool_from=1, tasks=total) as executor:
            import_meanwhile("adoptsim.figures.analysis")
            finished = sweep.prepare_output(loaded, out, args.resume and folder.in_place)
            print(
                f"{experiment.name}: {experiment.design.type} design, {len(loaded.points)} points x "
                f"{experiment.replications} replications = {total} runs; {len(finished)} already finished"
            )
            started = time.perf_counter()
            with naming_files({loaded.base["name"]: f"{args.experiment} (scenario {experiment.scenario})"}):
                ran = sweep.execute(loaded, out, executor, finished)
    except (KeyboardInterrupt, Terminated) as stop:  # the finished runs are written (execute's finally)
        code, word = stopped(stop)
        if not folder.in_place:
            print(f"{word}: the earlier sweep in {target}/ is unchanged", file=sys.stderr)
            return code
        saved = sweep_saved(out)
        print(f"{word}: {saved} of {total} runs saved in {out}/; run again with --resume", file=sys.stderr)
        return code
    elapsed = time.perf_counter() - started
    summary = sweep.summarize_sweep(loaded, out)
    written = write_sweep_analysis(loaded, summary, out)
    rate = f", {elapsed / ran:.3f} s per run" if ran else ""
    best = best_points(out)
    report = report_if_asked(args, out, target)
    folder.done()
    return say(
        f"ran {ran} runs in {elapsed:.1f} s{rate}",
        best,
        f"wrote summary.csv{', ' if written else ''}{', '.join(written)} to {target}/",
        report,
    )


def best_points(out: Path) -> str:
    """The best design point of each metric, as the report's brief reads them from summary.csv."""
    from adoptsim.cli.tables import format_sweep_best
    from adoptsim.report.results import Results
    from adoptsim.report.sections.brief_studies import sweep_best, sweep_never

    results = Results.open(out)
    found = sweep_best(results)
    money = {p for _, _, parameters, _ in found for p in parameters if results.holds_money(p)}
    return format_sweep_best(found, results.currency, money, sweep_never(results))


def sweep_saved(out: Path) -> int:
    from adoptsim.studies import sweep

    try:
        return len(sweep.read_kpis(out, ["task"]))
    except Exception:  # noqa: BLE001 - damaged shards: count none
        return 0


def write_sweep_analysis(loaded, summary: pd.DataFrame, out: Path) -> list[str]:
    """Response plots, heatmaps or sensitivity indices, by design kind; names of files written."""
    from adoptsim.figures import analysis
    from adoptsim.results.economics import currency_of
    from adoptsim.results.store import write_csv, write_figure
    from adoptsim.studies.sensitivity import sensitivity

    experiment = loaded.experiment
    parameters = list(experiment.parameters)
    kind = experiment.design.type
    currency = currency_of(loaded.base)  # none given: "money"
    money = loaded.money_parameters()
    written = ["marginal_cost.csv"] if (out / "marginal_cost.csv").exists() else []
    for metric in experiment.metrics:
        if kind in ("grid", "paired"):
            write_figure(
                out / f"response_{metric}.png",
                analysis.response_figure(summary, parameters, metric, kind == "paired", currency, money),
            )
            written.append(f"response_{metric}.png")
            if kind == "grid" and len(parameters) == 2:
                write_figure(
                    out / f"heatmap_{metric}.png",
                    analysis.heatmap_figure(summary, parameters, metric, currency, money),
                )
                written.append(f"heatmap_{metric}.png")
        elif kind == "lhs":
            write_figure(
                out / f"scatter_{metric}.png", analysis.scatter_figure(summary, parameters, metric, currency, money)
            )
            written.append(f"scatter_{metric}.png")
    if kind in ("sobol", "morris"):
        indices, skipped = sensitivity(loaded, summary)
        write_csv(out / "sensitivity.csv", indices)
        written.append("sensitivity.csv")
        if not indices.empty:
            write_figure(out / "sensitivity.png", analysis.sensitivity_figure(indices, kind))
            written.append("sensitivity.png")
        if skipped:
            print(f"sensitivity skipped for {', '.join(skipped)}: undefined or constant at some design points")
    return written
