"""`adoptsim compare`: several scenarios on common random numbers, ranked, with paired differences."""

from __future__ import annotations

import argparse
from pathlib import Path

from adoptsim.cli.common import executor_for, naming_files, report_if_asked
from adoptsim.cli.tables import format_differences, format_ranking, shown_differences
from adoptsim.errors import AdoptsimError
from adoptsim.figures import kpi_plots, plots
from adoptsim.report.asked import write_question
from adoptsim.report.ranking import ranking
from adoptsim.results.store import OutputFolder, write_csv, write_figure, write_text
from adoptsim.results.windows import windows_by_scenario
from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
from adoptsim.studies.compare import asking_for, compare, ranked
from adoptsim.world.streams import seed_of


def command(args: argparse.Namespace) -> int:
    """`adoptsim compare`: scenarios on common random numbers, ranked, with paired differences."""
    if args.uncertain:
        from adoptsim.cli import compare_uncertain

        return compare_uncertain.command(args)
    paths = list(dict.fromkeys(([args.baseline] if args.baseline else []) + args.scenarios))
    loaded = [load_scenario(path, args.set, args.allow_large) for path in paths]
    scenarios = asking_for(loaded, args.targets, args.horizon, [args.rank_by])
    baseline, names = scenarios[0], [s.name for s in scenarios]
    seed = seed_of(baseline, args.seed)
    default_out = default_folder(names)
    target = Path(args.out) if args.out else default_out
    out = args.cleanup.enter_context(OutputFolder(target))  # moved into place once the command succeeds
    try:
        with executor_for(args.workers) as executor, naming_files(dict(zip(names, paths, strict=True))):
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
    print(f"{len(scenarios)} scenarios x {args.reps} replications, seed {seed}, baseline: {baseline.name}")
    print(format_ranking(summary, args.rank_by, currency, table))
    order = [name for name in ranked(summary, args.rank_by)["scenario"] if name != baseline.name]
    shown = shown_differences(comparison.kpi_names, args.rank_by, args.targets or baseline.kpis.targets)
    print(f"\ndifferences against {baseline.name}, paired by replication (all in differences.csv):")
    print(format_differences(comparison.differences, order, shown, currency))
    print(f"wrote {len(written)} files to {target}/: " + ", ".join(p.name for p in written))
    return report_if_asked(args, out, target)


def default_folder(names: list[str], limit: int = 40) -> Path:
    """`results/compare-<baseline>-and-<n>-more` or, when short, every name: a folder name one reads at
    a glance (the 6 lever scenarios gave 99 characters)."""
    joined = "compare-" + "-".join(names)
    if len(joined) <= limit:
        return Path("results") / joined
    return Path("results") / f"compare-{names[0][:24]}-and-{len(names) - 1}-more"
