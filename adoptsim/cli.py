"""The `adoptsim` command: run, compare, sweep, validate, schema.

Every user mistake ends as one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from adoptsim.diff import command as cmd_diff
from adoptsim.errors import AdoptsimError, ModelBuildError, ScenarioError
from adoptsim.executors import make_executor
from adoptsim.export import EXPORT_KINDS, Export
from adoptsim.metrics import KPI_NAMES
from adoptsim.scenario import Scenario, json_schema, load_scenario, scenario_to_yaml
from adoptsim.store import prepare_folder, write_csv, write_figure, write_text


@contextmanager
def naming_files(sources: dict[str, str]) -> Iterator[None]:
    """Turn a problem found while building a scenario into a line naming its file.

    `sources` maps scenario names to the files they came from.
    """
    try:
        yield
    except ModelBuildError as err:
        source = sources.get(err.scenario or "", err.scenario or "scenario")
        raise ScenarioError(source, err.path, err.problem) from None


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line and exit 2, like every other user mistake."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise AdoptsimError(f"{self.prog}: {message} (see {self.prog} --help)")


def whole_number_at_least(minimum: int):
    """An argparse type: a whole number no smaller than `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


positive_int = whole_number_at_least(1)
non_negative_int = whole_number_at_least(0)


def intervention_windows(scenario: Scenario) -> list[tuple[str, int, int]]:
    """(name, first step, last step) of each intervention, for shading plots."""
    return [(iv.name, iv.start, iv.end if iv.end is not None else scenario.steps - 1) for iv in scenario.interventions]


def format_kpi_table(summary: pd.DataFrame, names: list[str] | None = None) -> str:
    """A short text table: KPI, mean, 95 % CI."""
    lines = [f"{'KPI':<28}{'mean':>12}   95 % CI"]
    for _, row in summary.iterrows():
        if names and row["metric"] not in names:
            continue
        ci = "" if pd.isna(row["ci_low"]) else f"[{row['ci_low']:.4g}, {row['ci_high']:.4g}]"
        reached = "" if row["n"] == row["of"] else f"  (reached in {row['n']}/{row['of']})"
        mean = "never" if pd.isna(row["mean"]) else f"{row['mean']:.4g}"
        lines.append(f"{row['metric']:<28}{mean:>12}   {ci}{reached}")
    return "\n".join(lines)


def network_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """The graph statistics of each replication (the `network_*` KPI columns, prefix dropped)."""
    columns = [c for c in kpis.columns if c.startswith("network_")]
    table = kpis[["replication", "seed", *columns]].copy()
    return table.rename(columns={c: c.removeprefix("network_") for c in columns})


def describe_network(network: pd.DataFrame) -> str:
    """One line: the graph the runs used (means over replications)."""
    mean = network.mean(numeric_only=True)
    return (
        f"network: mean degree {mean['mean_degree']:.1f}, clustering {mean['clustering']:.3f}, "
        f"degree assortativity {mean['degree_assortativity']:.3f}, homophily (assortativity) by age group "
        f"{mean['homophily_age_group']:.2f}, by region {mean['homophily_region']:.2f}"
    )


# ---------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    from adoptsim import plots
    from adoptsim.runner import run

    scenario = load_scenario(args.scenario, args.set)
    if args.seed is not None:
        scenario = scenario.model_copy(update={"seed": args.seed})
    out = prepare_folder(Path(args.out) if args.out else Path("results") / scenario.name)
    export = Export.requested(args.export, scenario, out, args.scenario)
    executor = make_executor(args.workers) if args.workers > 1 else None
    try:
        with naming_files({scenario.name: args.scenario}):
            result = run(scenario, reps=args.reps, progress=True, executor=executor, observe=export)
    finally:
        if executor is not None:
            executor.shutdown()
    series, windows = result.timeseries, intervention_windows(scenario)
    network = network_table(result.kpis)
    written = [
        write_csv(out / "timeseries.csv", series),
        write_csv(out / "kpis.csv", result.kpis),
        write_csv(out / "network.csv", network),
        write_text(out / "scenario.resolved.yaml", scenario_to_yaml(scenario)),
        write_figure(out / "adoption.png", plots.adoption_figure(series, scenario.name, windows, band=args.band)),
        write_figure(out / "funnel.png", plots.funnel_figure(series, scenario.name)),
        write_figure(out / "segments.png", plots.segments_figure(series, scenario.name, band=args.band)),
        *(export.written(args.reps) if export else []),
    ]
    print(
        f"{scenario.name}: {args.reps} replication(s) of {scenario.steps} steps, {scenario.population.size:,} consumers"
    )
    print(format_kpi_table(result.kpi_summary(), list(KPI_NAMES)))
    print(describe_network(network))
    print(f"wrote {len(written)} files to {out}/: " + ", ".join(str(p.relative_to(out)) for p in written))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.files:
        try:
            scenario = load_scenario(path, args.set)
            print(
                f"{path}: ok ({scenario.name}, {scenario.population.size:,} consumers, "
                f"{len(scenario.interventions)} interventions)"
            )
        except AdoptsimError as err:
            print(err, file=sys.stderr)
            failures += 1
    return 2 if failures else 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from adoptsim import plots
    from adoptsim.compare import COMPARE_KPIS, compare, ranked

    if args.uncertain:
        from adoptsim.uncertainty import compare_uncertain

        return compare_uncertain(args)
    paths = list(dict.fromkeys(([args.baseline] if args.baseline else []) + args.scenarios))
    scenarios = [load_scenario(path, args.set) for path in paths]
    baseline = scenarios[0]
    seed = baseline.seed if args.seed is None else args.seed
    default_out = Path("results") / ("compare-" + "-".join(s.name for s in scenarios))[:120]
    out = prepare_folder(Path(args.out) if args.out else default_out)
    executor = make_executor(args.workers) if args.workers > 1 else None
    try:
        with naming_files({s.name: path for s, path in zip(scenarios, paths, strict=True)}):
            comparison = compare(scenarios, baseline.name, args.reps, seed, progress=True, executor=executor)
    except ValueError as err:
        raise AdoptsimError(f"adoptsim compare: {err}") from None
    finally:
        if executor is not None:
            executor.shutdown()
    summary = comparison.summary()
    series = comparison.timeseries
    written = [
        write_csv(out / "kpis.csv", summary),
        write_csv(out / "kpis_by_replication.csv", comparison.kpis),
        write_csv(out / "timeseries.csv", series),
        write_figure(out / "comparison.png", plots.comparison_figure(series, baseline.name, band=args.band)),
        write_figure(out / "comparison_segments.png", plots.comparison_segments_figure(series)),
        write_figure(out / "cost_effectiveness.png", plots.cost_effectiveness_figure(summary)),
    ]
    print(f"{len(scenarios)} scenarios x {args.reps} replications, seed {seed}, baseline {baseline.name}")
    print(format_ranking(ranked(summary), list(COMPARE_KPIS)))
    print(f"wrote {len(written)} files to {out}/: " + ", ".join(p.name for p in written))
    return 0


def format_ranking(summary: pd.DataFrame, kpis: list[str]) -> str:
    """Scenarios best first: final active share, ever adopted, spend, cost per incremental adopter."""
    shown = [
        "final_active_share",
        "final_ever_adopted_share",
        "steps_to_25pct_active",
        "total_spend",
        "incremental_adopters",
        "cost_per_incremental_adopter",
    ]
    rows = [["rank", "scenario", *shown], ["", "", *["mean [95 % CI]"] * len(shown)]]
    for rank, row in enumerate(summary.itertuples(index=False), start=1):
        cells = [str(rank), row.scenario]
        for name in shown:
            mean, low, high = (getattr(row, f"{name}_{s}") for s in ("mean", "ci_low", "ci_high"))
            if pd.isna(mean):
                cells.append("-")
            elif pd.isna(low):
                cells.append(f"{mean:.3g}")
            else:
                cells.append(f"{mean:.3g} [{low:.3g}, {high:.3g}]")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    from adoptsim.experiment import load_experiment
    from adoptsim.sweep import execute, prepare_output, summarize_sweep, terminate_gracefully

    loaded = load_experiment(args.experiment)
    experiment = loaded.experiment
    out = prepare_folder(Path(args.out) if args.out else Path("results") / f"sweep-{experiment.name}")
    finished = prepare_output(loaded, out, args.resume)
    total = len(loaded.points) * experiment.replications
    print(
        f"{experiment.name}: {experiment.design.type} design, {len(loaded.points)} points x "
        f"{experiment.replications} replications = {total} runs; {len(finished)} already finished"
    )
    executor = make_executor(args.workers, args.scheduler)
    terminate_gracefully()
    started = time.perf_counter()
    try:
        with naming_files({loaded.base["name"]: f"{args.experiment} (scenario {experiment.scenario})"}):
            ran = execute(loaded, out, executor, finished)
    except KeyboardInterrupt:
        saved = sweep_saved(out)
        print(f"interrupted: {saved} of {total} runs saved in {out}/; run again with --resume", file=sys.stderr)
        return 130
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    elapsed = time.perf_counter() - started
    summary = summarize_sweep(loaded, out)
    written = write_sweep_analysis(loaded, summary, out)
    rate = f", {elapsed / ran:.3f} s per run" if ran else ""
    print(f"ran {ran} runs in {elapsed:.1f} s{rate}")
    print(f"wrote summary.csv{', ' if written else ''}{', '.join(written)} to {out}/")
    return 0


def sweep_saved(out: Path) -> int:
    from adoptsim.sweep import read_kpis

    return len(read_kpis(out, ["task"]))


def write_sweep_analysis(loaded, summary: pd.DataFrame, out: Path) -> list[str]:
    """Response plots, heatmaps or sensitivity indices, by design kind; names of files written."""
    from adoptsim import analysis

    experiment = loaded.experiment
    parameters = list(experiment.parameters)
    kind = experiment.design.type
    written = []
    for metric in experiment.metrics:
        if kind in ("grid", "paired"):
            write_figure(
                out / f"response_{metric}.png", analysis.response_figure(summary, parameters, metric, kind == "paired")
            )
            written.append(f"response_{metric}.png")
            if kind == "grid" and len(parameters) == 2:
                write_figure(out / f"heatmap_{metric}.png", analysis.heatmap_figure(summary, parameters, metric))
                written.append(f"heatmap_{metric}.png")
        elif kind == "lhs":
            write_figure(out / f"scatter_{metric}.png", analysis.scatter_figure(summary, parameters, metric))
            written.append(f"scatter_{metric}.png")
    if kind in ("sobol", "morris"):
        indices, skipped = analysis.sensitivity(loaded, summary)
        write_csv(out / "sensitivity.csv", indices)
        written.append("sensitivity.csv")
        if not indices.empty:
            write_figure(out / "sensitivity.png", analysis.sensitivity_figure(indices, kind))
            written.append("sensitivity.png")
        if skipped:
            print(f"sensitivity skipped for {', '.join(skipped)}: undefined or constant at some design points")
    return written


def add_run_options(parser: argparse.ArgumentParser, seed_help: str, set_help: str) -> None:
    """--reps, --seed, --set, --workers: shared by run and compare."""
    parser.add_argument("--reps", type=positive_int, default=5, help="replications per scenario (default 5)")
    parser.add_argument("--seed", type=non_negative_int, help=seed_help)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help=f"{set_help} (repeatable)")
    parser.add_argument("--workers", type=positive_int, default=1, help="processes for replications (default 1)")
    parser.add_argument(
        "--band",
        choices=["ci", "range"],
        default="ci",
        help="band around mean curves: 95 %% CI of the mean (default) or range of the replications",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="adoptsim", description="Agent-based simulator of digital-wallet adoption.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    p = sub.add_parser("run", help="run a scenario and write tables and plots")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--out", help="output folder (default results/<scenario name>/)")
    add_run_options(p, "override the scenario's seed", "override a field, e.g. --set population.size=5000")
    p.add_argument(
        "--export",
        action="append",
        default=[],
        choices=EXPORT_KINDS,
        help="also write per replication: agents/ (a Parquet row per consumer) or network/ (the edge list); "
        "repeatable (see docs/export.md)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="run several scenarios on common random numbers and compare")
    p.add_argument("scenarios", nargs="+", help="scenario YAML files; the first is the baseline")
    p.add_argument("--baseline", help="the baseline scenario (default: the first file)")
    p.add_argument("--out", help="output folder (default results/compare-<names>/)")
    add_run_options(p, "seed shared by every scenario", "override a field in every scenario")
    p.add_argument(
        "--uncertain",
        metavar="FILE",
        help="run every scenario once per draw of the uncertain inputs in FILE (--reps unused) and write "
        "fan_chart.png and uncertainty.csv: P(beats the baseline) (see docs/uncertainty.md)",
    )
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("sweep", help="run a parameter sweep from an experiment file")
    p.add_argument("experiment", help="experiment YAML file")
    p.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--out", help="output folder (default results/sweep-<experiment name>/)")
    p.add_argument("--resume", action="store_true", help="skip tasks already finished in --out")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "diff",
        help="what differs between two scenarios, resolved",
        description="List the fields that differ between two scenarios after extends and defaults are resolved, "
        "one line per field path (old -> new); interventions are matched by name. Exit code as diff(1): "
        "0 same, 1 different, 2 a file has a mistake.",
    )
    p.add_argument("first", help="scenario YAML file (old)")
    p.add_argument("second", help="scenario YAML file (new)")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("validate", help="check scenario files")
    p.add_argument("files", nargs="+", help="scenario YAML files")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `adoptsim` console script."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except AdoptsimError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("adoptsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
