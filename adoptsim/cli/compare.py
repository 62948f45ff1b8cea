"""`adoptsim compare`: several scenarios on common random numbers, ranked, with paired differences."""

from __future__ import annotations

import argparse
from pathlib import Path

from adoptsim.cli.arguments import add_run_options
from adoptsim.errors import AdoptsimError


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim compare A B ...`'s options."""
    parser.add_argument("scenarios", nargs="+", help="scenario YAML files; the first is the baseline")
    parser.add_argument("--baseline", help="the baseline scenario (default: the first file)")
    parser.add_argument("--out", help="output folder (default results/compare-<names>/)")
    parser.add_argument("--rank-by", metavar="KPI", help="KPI to rank by (any KPI name; default final_active_share)")
    add_run_options(parser, "seed shared by every scenario", "override a field in every scenario")
    parser.add_argument(
        "--uncertain",
        metavar="FILE",
        help="run every scenario once per draw of the uncertain inputs in FILE (--reps unused) and write "
        "fan_chart.png and uncertainty.csv: P(beats the baseline) (see docs/uncertainty.md)",
    )


def command(args: argparse.Namespace) -> int:
    """`adoptsim compare`: scenarios on common random numbers, ranked, with paired differences."""
    from adoptsim.cli.common import check_run_budget, executor_for, naming_files, open_output, report_if_asked, say
    from adoptsim.cli.tables import format_differences, format_ranking, shown_differences
    from adoptsim.figures import kpi_plots, plots
    from adoptsim.report.asked import write_question
    from adoptsim.report.ranking import ranking
    from adoptsim.results.kpis import percent_label
    from adoptsim.results.store import write_csv, write_figure, write_text
    from adoptsim.results.windows import windows_by_scenario
    from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
    from adoptsim.studies.compare import asking_for, compare, ranked
    from adoptsim.studies.long_run import LONG_RUN
    from adoptsim.world.streams import seed_of

    if args.uncertain:
        from adoptsim.cli import compare_uncertain

        return compare_uncertain.command(args)
    hint = ""
    if args.rank_by is None:  # a target asked for is not what ranks unless named: say how it would
        args.rank_by = "final_active_share"
        if args.targets:
            by = f"steps_to_{percent_label(args.targets[0])}pct_active"
            hint = f"(ranked by the active share at the end; --rank-by {by} ranks by the first target)"
    paths = list(dict.fromkeys(([args.baseline] if args.baseline else []) + args.scenarios))
    loaded = [load_scenario(path, args.set, args.allow_large) for path in paths]
    scenarios = asking_for(loaded, args.targets, args.horizon, [args.rank_by])
    baseline, names = scenarios[0], [s.name for s in scenarios]
    seed = seed_of(baseline, args.seed)
    scenarios = [s.model_copy(update={"seed": seed}) for s in scenarios]  # the resolved files say the seed used
    for scenario, path in zip(scenarios[1:], paths[1:], strict=True):
        if scenario.steps != baseline.steps:
            raise AdoptsimError(
                f"{path}: steps: {scenario.steps} differs from the baseline's {baseline.steps} ({paths[0]}); "
                "compared scenarios must run the same number of steps"
            )
    default_out = default_folder(names)
    target = Path(args.out) if args.out else default_out
    check_run_budget(args, scenarios, args.reps)
    folder = open_output(args, target, "compare")  # replaces target once done() is called
    out = folder.path
    try:
        named = naming_files(dict(zip(names, paths, strict=True)))
        with executor_for(args.workers, tasks=args.reps * len(scenarios)) as executor, named:
            comparison = compare(scenarios, baseline.name, args.reps, seed, progress=True, executor=executor)
    except ValueError as err:
        raise AdoptsimError(f"adoptsim compare: {err}") from None
    summary = comparison.summary()
    currency = baseline.economics.currency
    series = comparison.timeseries
    windows = windows_by_scenario([s.model_dump(mode="json") for s in scenarios], series)
    table = ranking(summary, args.rank_by, comparison.kpis)
    written = [
        write_question(
            out,
            "compare",
            rank_by=args.rank_by,
            targets=args.targets,
            horizons=args.horizon,
            baseline=baseline.name,
            scenarios=names,
            replications=args.reps,
            seed=seed,
        ),
        write_csv(out / "ranking.csv", table),
        write_csv(out / "kpis.csv", summary),
        write_csv(out / "kpis_by_replication.csv", comparison.kpis),
        write_csv(out / "differences.csv", comparison.differences),
        write_csv(out / "timeseries.csv", series),
        *[write_text(out / "scenarios" / f"{s.name}.resolved.yaml", scenario_to_yaml(s)) for s in scenarios],
        write_figure(out / "comparison.png", plots.comparison_figure(series, baseline.name, args.band, windows)),
        write_figure(out / "comparison_segments.png", plots.comparison_segments_figure(series)),
        write_figure(out / "cost_effectiveness.png", kpi_plots.cost_effectiveness_figure(summary, currency)),
    ]
    report = report_if_asked(args, out, target)
    folder.done()  # from here on, a closed pipe or a signal leaves the new folder in place
    order = [name for name in ranked(summary, args.rank_by)["scenario"] if name != baseline.name]
    shown = shown_differences(comparison.kpi_names, args.rank_by, args.targets or baseline.kpis.targets)
    return say(
        f"{len(scenarios)} scenarios x {args.reps} replications, seed {seed}, baseline: {baseline.name}",
        comparison.long_run.describe(LONG_RUN) if comparison.long_run else "",
        format_ranking(summary, args.rank_by, currency, table),
        hint,
        f"\ndifferences against {baseline.name}, paired by replication (all in differences.csv):",
        format_differences(comparison.differences, order, shown, currency),
        f"wrote {len(written)} files to {target}/: " + ", ".join(str(p.relative_to(out)) for p in written),
        report,
    )


def default_folder(names: list[str], kind: str = "compare", limit: int = 32) -> Path:
    """`results/<kind>-<baseline>-and-<n>-more` or, when short, every name: a folder name one reads at
    a glance (the 6 lever scenarios gave 99 characters)."""
    joined = "-".join(names)
    if len(joined) <= limit:
        return Path("results") / f"{kind}-{joined}"
    return Path("results") / f"{kind}-{names[0][:24]}-and-{len(names) - 1}-more"
