"""The `adoptsim` command: run, compare, sweep, report, calibrate, optimize, app, validate, schema.

Every user mistake ends as one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from adoptsim.errors import AdoptsimError, ModelBuildError, ScenarioError
from adoptsim.executors import make_executor
from adoptsim.store import (
    FolderLock,
    OutputFolder,
    kept_only_if,
    prepare_folder,
    remove_leftovers,
    write_csv,
    write_figure,
    write_text,
)


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


REPORT_HELP = "also write report.html in the output folder (see adoptsim report)"
positive_int = whole_number_at_least(1)
non_negative_int = whole_number_at_least(0)


def comma_list(item):
    """An argparse type: comma-separated values, each parsed by `item`."""

    def parse(text: str) -> list:
        return [item(part) for part in text.split(",") if part.strip()]

    return parse


def open_share(text: str) -> float:
    """A share strictly between 0 and 1, e.g. 0.3."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share such as 0.3, got '{text}'") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"a share must be between 0 and 1 (exclusive), got {value:g}")
    return value


if TYPE_CHECKING:
    import pandas as pd

EXPORT_KINDS = ("agents", "network")
"""What `run --export` writes (adoptsim/export.py; named here so the parser needs no import)."""


def cmd_diff(args: argparse.Namespace) -> int:
    from adoptsim.diff import command

    return command(args)


def format_kpi_table(summary: pd.DataFrame, names: list[str] | None = None) -> str:
    """A short text table: KPI, mean, 95 % CI."""
    lines = [f"{'KPI':<28}{'mean':>12}   95 % CI"]
    for _, row in summary.iterrows():
        if names and row["metric"] not in names:
            continue
        ci = "" if math.isnan(row["ci_low"]) else f"[{_figure(row['ci_low'])}, {_figure(row['ci_high'])}]"
        reached = "" if row["n"] == row["of"] else f"  (reached in {row['n']}/{row['of']})"
        mean = "never" if math.isnan(row["mean"]) else _figure(row["mean"])
        lines.append(f"{row['metric']:<28}{mean:>12}   {ci}{reached}")
    return "\n".join(lines)


def _figure(value: float) -> str:
    """4 significant digits, with thousands separators instead of an exponent for large numbers."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


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
    from adoptsim.compare import asking_for
    from adoptsim.export import Export
    from adoptsim.loading import load_scenario, scenario_to_yaml
    from adoptsim.metrics import headline_kpis
    from adoptsim.runner import run
    from adoptsim.windows import intervention_windows

    scenario = load_scenario(args.scenario, args.set, args.allow_large)
    if args.seed is not None:
        scenario = scenario.model_copy(update={"seed": args.seed})
    [scenario] = asking_for([scenario], args.targets, args.horizon, [])
    target = Path(args.out) if args.out else Path("results") / scenario.name
    out = args.cleanup.enter_context(OutputFolder(target))  # moved into place once the command succeeds
    export = Export.requested(args.export, scenario, out, args.scenario)
    executor = make_executor(args.workers) if args.workers > 1 else None
    try:
        with naming_files({scenario.name: args.scenario}):
            result = run(scenario, reps=args.reps, progress=True, executor=executor, observe=export)
    finally:
        if executor is not None:
            executor.shutdown()
    series = result.timeseries
    windows = intervention_windows(scenario.model_dump(mode="json"), series)
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
    print(format_kpi_table(result.kpi_summary(), headline_kpis(scenario)))
    print(describe_network(network))
    print(f"wrote {len(written)} files to {target}/: " + ", ".join(str(p.relative_to(out)) for p in written))
    return report_if_asked(args, out, target)


def cmd_validate(args: argparse.Namespace) -> int:
    from adoptsim.validate import validate_file

    failures = 0
    for path in args.files:
        try:
            print(f"{path}: ok ({validate_file(path, args.set, args.allow_large)})")
        except AdoptsimError as err:
            print(err, file=sys.stderr)
            failures += 1
    return 2 if failures else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from adoptsim.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from adoptsim import plots
    from adoptsim.compare import asking_for, compare, format_differences, format_ranking, ranked, shown_differences
    from adoptsim.loading import load_scenario, scenario_to_yaml
    from adoptsim.streams import seed_of
    from adoptsim.windows import windows_by_scenario

    if args.uncertain:
        from adoptsim.uncertainty import compare_uncertain

        return compare_uncertain(args)
    paths = list(dict.fromkeys(([args.baseline] if args.baseline else []) + args.scenarios))
    loaded = [load_scenario(path, args.set, args.allow_large) for path in paths]
    scenarios = asking_for(loaded, args.targets, args.horizon, [args.rank_by])
    baseline = scenarios[0]
    seed = seed_of(baseline, args.seed)
    default_out = Path("results") / ("compare-" + "-".join(s.name for s in scenarios))[:120]
    target = Path(args.out) if args.out else default_out
    out = args.cleanup.enter_context(OutputFolder(target))  # moved into place once the command succeeds
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
    windows = windows_by_scenario([s.model_dump(mode="json") for s in scenarios], series)
    written = [
        write_csv(out / "kpis.csv", summary),
        write_csv(out / "kpis_by_replication.csv", comparison.kpis),
        write_csv(out / "differences.csv", comparison.differences),
        write_csv(out / "timeseries.csv", series),
        *[write_text(out / "scenarios" / f"{s.name}.resolved.yaml", scenario_to_yaml(s)) for s in scenarios],
        write_figure(out / "comparison.png", plots.comparison_figure(series, baseline.name, args.band, windows)),
        write_figure(out / "comparison_segments.png", plots.comparison_segments_figure(series)),
        write_figure(out / "cost_effectiveness.png", plots.cost_effectiveness_figure(summary)),
    ]
    print(f"{len(scenarios)} scenarios x {args.reps} replications, seed {seed}, baseline {baseline.name}")
    print(format_ranking(summary, args.rank_by, baseline.economics.currency))
    order = [name for name in ranked(summary, args.rank_by)["scenario"] if name != baseline.name]
    shown = shown_differences(comparison.kpi_names, args.rank_by, args.targets or baseline.kpis.targets)
    print(f"\ndifferences against {baseline.name}, paired by replication (all in differences.csv):")
    print(format_differences(comparison.differences, order, shown))
    print(f"wrote {len(written)} files to {target}/: " + ", ".join(p.name for p in written))
    return report_if_asked(args, out, target)


def cmd_sweep(args: argparse.Namespace) -> int:
    from adoptsim.experiment import load_experiment
    from adoptsim.sweep import execute, prepare_output, summarize_sweep, terminate_gracefully

    loaded = load_experiment(args.experiment, args.allow_large)
    experiment = loaded.experiment
    out = Path(args.out) if args.out else Path("results") / f"sweep-{experiment.name}"
    args.cleanup.enter_context(FolderLock(out))
    executor = args.cleanup.enter_context(shut_down_on_error(make_executor(args.workers, args.scheduler)))
    args.cleanup.enter_context(kept_only_if(out, lambda: sweep_saved(out) > 0))  # a new folder with no run goes
    remove_leftovers(prepare_folder(out))
    finished = prepare_output(loaded, out, args.resume)
    total = len(loaded.points) * experiment.replications
    print(
        f"{experiment.name}: {experiment.design.type} design, {len(loaded.points)} points x "
        f"{experiment.replications} replications = {total} runs; {len(finished)} already finished"
    )
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
    return report_if_asked(args, out)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from adoptsim.calibration.command import calibrate_command

    return calibrate_command(args)


def sweep_saved(out: Path) -> int:
    from adoptsim.sweep import read_kpis

    try:
        return len(read_kpis(out, ["task"]))
    except Exception:  # noqa: BLE001 - damaged shards: count none
        return 0


@contextmanager
def shut_down_on_error(executor):
    """The executor, shut down if the command fails before handing it work."""
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise


def write_sweep_analysis(loaded, summary: pd.DataFrame, out: Path) -> list[str]:
    """Response plots, heatmaps or sensitivity indices, by design kind; names of files written."""
    from adoptsim import analysis

    experiment = loaded.experiment
    parameters = list(experiment.parameters)
    kind = experiment.design.type
    written = ["marginal_cost.csv"] if (out / "marginal_cost.csv").exists() else []
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


def cmd_report(args: argparse.Namespace) -> int:
    from adoptsim.report.build import run_report

    return run_report(args.folders, args.out, args.pdf)


def report_if_asked(args: argparse.Namespace, out: Path, shown: Path | None = None) -> int:
    """--report: the HTML report of the folder a command just wrote (`out`, which may be the
    staging folder that becomes `shown` when the command succeeds)."""
    if args.report:
        from adoptsim.report.build import write_report

        written = write_report([out])
        print("wrote " + ", ".join(str((shown or out) / path.name) for path in written))
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from adoptsim.app.server import serve

    serve(args.scenario, args.set, args.host, args.port)
    return 0


def add_run_options(parser: argparse.ArgumentParser, seed_help: str, set_help: str) -> None:
    """--reps, --seed, --set, --workers: shared by run and compare."""
    parser.add_argument("--reps", type=positive_int, default=5, help="replications per scenario (default 5)")
    parser.add_argument("--seed", type=non_negative_int, help=seed_help)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help=f"{set_help} (repeatable)")
    parser.add_argument("--workers", type=positive_int, default=1, help="processes for replications (default 1)")
    parser.add_argument("--report", action="store_true", help=REPORT_HELP)
    parser.add_argument(
        "--band",
        choices=["ci", "range"],
        default="ci",
        help="band around mean curves: 95 %% CI of the mean (default) or range of the replications",
    )
    parser.add_argument(
        "--targets", type=comma_list(open_share), default=[], help="shares for steps_to_<P>pct_ KPIs, e.g. 0.3,0.5"
    )
    parser.add_argument(
        "--horizon", type=comma_list(positive_int), default=[], help="steps at which every KPI is read too, e.g. 52"
    )
    add_allow_large(parser)


def add_allow_large(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-large", action="store_true", help="run even if the memory estimate exceeds this machine's memory"
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
    p.add_argument("--rank-by", default="final_active_share", metavar="KPI", help="KPI to rank by (any KPI name)")
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
    add_allow_large(p)
    p.add_argument("--report", action="store_true", help=REPORT_HELP)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("report", help="one self-contained HTML page (and PDF) from output folders")
    p.add_argument("folders", nargs="+", metavar="DIR", help="folders written by run, compare, sweep, ...")
    p.add_argument("--out", help="HTML file (default: report.html in the first DIR)")
    p.add_argument("--pdf", action="store_true", help="also print it to PDF with headless Chromium")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("calibrate", help="fit a scenario to an observed adoption curve and forecast")
    p.add_argument("file", help="calibration YAML file (see docs/calibration.md)")
    p.add_argument("--out", help="output folder (default results/calibrate-<name>/)")
    p.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true", help="continue the study already in --out")
    p.add_argument("--trials", type=positive_int, help="optimiser trials (default: the file's method.trials)")
    p.add_argument("--horizon", type=float, default=3.0, help="forecast years past the data (default 3)")
    p.set_defaults(func=cmd_calibrate)

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

    p = sub.add_parser("validate", help="check scenario, experiment and optimisation files")
    p.add_argument("files", nargs="+", help="scenario, experiment or optimisation YAML files")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    add_allow_large(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("app", help="explore a scenario interactively in the browser")
    p.add_argument("scenario", nargs="?", default="scenarios/baseline.yaml", help="scenario file (default: baseline)")
    p.add_argument("--port", type=positive_int, default=8765, help="port to serve on (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a field (repeatable)")
    p.set_defaults(func=cmd_app)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(func=cmd_schema)

    from adoptsim.optimization import register as register_optimize

    register_optimize(sub, positive_int)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `adoptsim` console script."""
    try:
        args = build_parser().parse_args(argv)
        with contextlib.ExitStack() as args.cleanup:  # output folders, locks: committed or undone on exit
            code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader stopped early (`adoptsim schema | head`): not an error
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except AdoptsimError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("adoptsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
