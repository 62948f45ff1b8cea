"""`adoptsim run`: replications of one scenario, written as tables, figures and the resolved scenario."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from adoptsim.cli.arguments import add_run_options

if TYPE_CHECKING:
    import pandas as pd


EXPORT_KINDS = ("agents", "network")
"""What `--export` writes (adoptsim/results/export.py's kinds, named here so the parser imports nothing)."""


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim run SCENARIO`'s options."""
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument("--out", help="output folder (default results/<scenario name>/)")
    add_run_options(parser, "override the scenario's seed", "override a field, e.g. --set population.size=5000")
    parser.add_argument(
        "--export",
        action="append",
        default=[],
        choices=EXPORT_KINDS,
        help="also write per replication: agents/ (a Parquet row per consumer) or network/ (the edge list); "
        "repeatable (see docs/export.md)",
    )


def command(args: argparse.Namespace) -> int:
    """`adoptsim run`: replications of one scenario; tables, figures, the resolved scenario."""
    # Mesa first, from a shallow stack: its import walks the stack twice (inspect, for its loggers),
    # which costs per frame of the imports under way: 0.1 s more from deep in the modules below.
    import mesa  # noqa: F401

    from adoptsim.cli.common import check_run_budget, executor_for, naming_files, open_output, report_if_asked, say
    from adoptsim.cli.tables import format_kpi_table
    from adoptsim.figures import plots
    from adoptsim.figures.market_shares import write_rival_figures
    from adoptsim.report.asked import write_question
    from adoptsim.results.export import Export
    from adoptsim.results.metrics import headline_kpis
    from adoptsim.results.store import write_csv, write_figure, write_text
    from adoptsim.results.windows import intervention_windows
    from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
    from adoptsim.studies.compare import asking_for
    from adoptsim.studies.runner import run

    scenario = load_scenario(args.scenario, args.set, args.allow_large)
    if args.seed is not None:
        scenario = scenario.model_copy(update={"seed": args.seed})
    [scenario] = asking_for([scenario], args.targets, args.horizon, [])
    target = Path(args.out) if args.out else Path("results") / scenario.name
    check_run_budget(args, [scenario], args.reps)
    folder = open_output(args, target, "run")  # replaces target once done() is called
    out = folder.path
    export = Export.requested(args.export, scenario, out, args.scenario)
    with executor_for(args.workers, tasks=args.reps) as executor, naming_files({scenario.name: args.scenario}):
        result = run(scenario, reps=args.reps, progress=True, executor=executor, observe=export)
    series = result.timeseries
    windows = intervention_windows(scenario.model_dump(mode="json"), series)
    network = network_table(result.kpis)
    written = [
        write_question(out, "run", targets=args.targets, horizons=args.horizon, replications=args.reps),
        write_csv(out / "timeseries.csv", series),
        write_csv(out / "kpis.csv", result.kpis),
        write_csv(out / "network.csv", network),
        write_text(out / "scenario.resolved.yaml", scenario_to_yaml(scenario)),
        write_figure(out / "adoption.png", plots.adoption_figure(series, scenario.name, windows, band=args.band)),
        write_figure(out / "funnel.png", plots.funnel_figure(series, scenario.name)),
        write_figure(out / "segments.png", plots.segments_figure(series, scenario.name, band=args.band)),
        *write_rival_figures(out, series, scenario, args.band),
        *(export.written(args.reps) if export else []),
    ]
    report = report_if_asked(args, out, target)
    folder.done()  # from here on, a closed pipe or a signal leaves the new folder in place
    return say(
        f"{scenario.name}: {args.reps} replication(s) of {scenario.steps} steps, "
        f"{scenario.population.size:,} consumers",
        format_kpi_table(result.kpi_summary(), headline_kpis(scenario), scenario.economics.currency),
        describe_network(network),
        f"wrote {len(written)} files to {target}/: " + ", ".join(str(p.relative_to(out)) for p in written),
        report,
    )


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
