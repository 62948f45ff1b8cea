"""`adoptsim run`: replications of one scenario, written as tables, figures and the resolved scenario."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from adoptsim.cli.common import executor_for, naming_files, report_if_asked
from adoptsim.cli.tables import format_kpi_table
from adoptsim.figures import plots
from adoptsim.figures.market_shares import write_rival_figures
from adoptsim.report.asked import write_question
from adoptsim.results.export import Export
from adoptsim.results.metrics import headline_kpis
from adoptsim.results.store import OutputFolder, write_csv, write_figure, write_text
from adoptsim.results.windows import intervention_windows
from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
from adoptsim.studies.compare import asking_for
from adoptsim.studies.runner import run


def command(args: argparse.Namespace) -> int:
    """`adoptsim run`: replications of one scenario; tables, figures, the resolved scenario."""
    scenario = load_scenario(args.scenario, args.set, args.allow_large)
    if args.seed is not None:
        scenario = scenario.model_copy(update={"seed": args.seed})
    [scenario] = asking_for([scenario], args.targets, args.horizon, [])
    target = Path(args.out) if args.out else Path("results") / scenario.name
    out = args.cleanup.enter_context(OutputFolder(target))  # moved into place once the command succeeds
    export = Export.requested(args.export, scenario, out, args.scenario)
    with executor_for(args.workers) as executor, naming_files({scenario.name: args.scenario}):
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
    print(
        f"{scenario.name}: {args.reps} replication(s) of {scenario.steps} steps, {scenario.population.size:,} consumers"
    )
    print(format_kpi_table(result.kpi_summary(), headline_kpis(scenario), scenario.economics.currency))
    print(describe_network(network))
    print(f"wrote {len(written)} files to {target}/: " + ", ".join(str(p.relative_to(out)) for p in written))
    return report_if_asked(args, out, target)


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
