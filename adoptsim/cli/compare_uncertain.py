"""`adoptsim compare --uncertain FILE`: every scenario once per draw of the uncertain inputs
(adoptsim/studies/uncertainty.py); fan chart and P(beats baseline) per scenario."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import yaml

from adoptsim.cli.common import check_run_budget, executor_for, naming_files, open_output, report_if_asked, say
from adoptsim.cli.compare import default_folder
from adoptsim.errors import AdoptsimError
from adoptsim.figures.uncertainty import fan_chart
from adoptsim.report.asked import write_question
from adoptsim.results.metrics import kpi_problem
from adoptsim.results.store import write_csv, write_figure, write_text
from adoptsim.scenario.loading import load_scenario, scenario_to_yaml
from adoptsim.studies.compare import asking_for
from adoptsim.studies.uncertainty import DEFAULT_RANK_BY, beats_baseline, load_uncertainty, run_uncertain
from adoptsim.world.streams import seed_of


def command(args: argparse.Namespace) -> int:
    """`adoptsim compare --uncertain FILE`: fan chart and P(beats baseline) per scenario."""
    kpi = getattr(args, "rank_by", None) or DEFAULT_RANK_BY
    if kpi_problem(kpi, paired=False):
        raise AdoptsimError(f"adoptsim compare: --uncertain ranks by a KPI of a run: {kpi_problem(kpi, paired=False)}")
    paths = list(dict.fromkeys(([args.baseline] if args.baseline else []) + args.scenarios))
    scenarios = asking_for([load_scenario(path, args.set, args.allow_large) for path in paths], [], [], [kpi])
    seed = seed_of(scenarios[0], args.seed)
    loaded = load_uncertainty(args.uncertain, scenarios, seed)
    check_run_budget(args, scenarios, loaded.spec.draws)
    default_out = default_folder([s.name for s in scenarios], "uncertain")
    target = Path(args.out) if args.out else default_out
    folder = open_output(args, target, "compare --uncertain")  # replaces target once done() is called
    out = folder.path
    sources = {s.name: path for s, path in zip(scenarios, paths, strict=True)}
    with executor_for(args.workers, tasks=loaded.spec.draws * len(scenarios)) as executor, naming_files(sources):
        result = run_uncertain(scenarios, loaded, seed, progress=True, executor=executor)
    table = beats_baseline(result, kpi)
    seeded = [s.model_copy(update={"seed": seed}) for s in scenarios]
    asked = {"rank_by": kpi, "baseline": result.baseline, "draws": loaded.spec.draws, "seed": seed}
    inputs = yaml.safe_dump(loaded.spec.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    written = [
        write_question(out, "compare --uncertain", **asked, uncertain=str(args.uncertain), settings=args.set or []),
        write_csv(out / "uncertainty.csv", table),
        write_csv(out / "uncertain_kpis.csv", result.kpis),
        write_figure(out / "fan_chart.png", fan_chart(result.curves, result.baseline)),
        write_text(out / "uncertainty.resolved.yaml", inputs),  # what was drawn: enough, with the above, to repeat it
        # the scenarios as given (before the draws), with the seed draw d's runs come from: replication_seed(seed, d)
        *[write_text(out / "scenarios" / f"{s.name}.resolved.yaml", scenario_to_yaml(s)) for s in seeded],
    ]
    report = report_if_asked(args, out, target)
    folder.done()
    return say(
        f"{len(scenarios)} scenarios x {loaded.spec.draws} draws of {len(loaded.spec.inputs)} uncertain inputs, "
        f"baseline {result.baseline}, seed {seed}, ranked by {kpi}",
        format_table(table),
        f"wrote {len(written)} files to {target}/: " + ", ".join(str(p.relative_to(out)) for p in written),
        report,
    )


def format_table(table: pd.DataFrame) -> str:
    """Scenario, median [5-95 percentile] of the KPI, P(beats baseline) [95 % interval]."""
    target = str(table["kpi"].iloc[0]).startswith("steps_to_") if len(table) else False
    reached = f"{'reached':>10}" if target else ""
    lines = [f"{'scenario':<28}{'median [p5, p95]':>34}{reached}   P(beats baseline) [95 % Jeffreys]"]
    for row in table.itertuples(index=False):
        spread = f"{_week(row.p50)} [{_week(row.p5)}, {_week(row.p95)}]"
        chance = "baseline" if row.is_baseline else f"{row.p_beats_baseline:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]"
        count = f"{f'{row.reached} of {row.draws}':>10}" if target else ""
        lines.append(f"{row.scenario:<28}{spread:>34}{count}   {chance}")
    return "\n".join(lines)


def _week(value: float) -> str:
    """A percentile, or 'not reached' where it falls among the draws that never reached the target."""
    return "not reached" if pd.isna(value) else f"{value:.4g}"
