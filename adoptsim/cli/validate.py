"""`adoptsim validate`: check input files of every kind without running anything.

The kind of a file is recognised from its top-level fields; `FILE_KINDS` lists the kinds in
the order they are tried, scenario last (anything else is read as a scenario). A new kind of
input (calibration, optimisation) is one entry: how to recognise it, and its loader.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adoptsim.cli.arguments import add_allow_large
from adoptsim.errors import AdoptsimError


@dataclass(frozen=True)
class FileKind:
    """Recognise a file from its raw mapping; check it fully and describe it in a few words."""

    matches: Callable[[dict[str, Any]], bool]
    check: Callable[[Path, list[str], bool], str]


def check_scenario(path: Path, overrides: list[str], allow_large: bool) -> str:
    from adoptsim.scenario.loading import load_scenario

    scenario = load_scenario(path, overrides, allow_large)
    return (
        f"scenario {scenario.name}, {scenario.population.size:,} consumers, {len(scenario.interventions)} interventions"
    )


def scenario_files_only(path: Path, overrides: list[str], kind: str) -> None:
    """--set changes scenario files; a file that varies a scenario has `fixed:` for that."""
    if overrides:
        raise AdoptsimError(f"{path}: --set applies to scenario files; change the {kind}'s fixed: instead")


def check_experiment(path: Path, overrides: list[str], allow_large: bool) -> str:
    from adoptsim.studies.experiment import load_experiment

    scenario_files_only(path, overrides, "experiment")
    from adoptsim.studies.executors import check_budget, default_workers

    loaded = load_experiment(path, allow_large)
    experiment = loaded.experiment
    runs = len(loaded.points) * experiment.replications
    size, steps = loaded.base["population"]["size"], loaded.base["steps"]
    estimate = check_budget(str(path), runs, size, steps, default_workers(), True)
    return f"experiment {experiment.name}, {experiment.design.type} design, {len(loaded.points)} points; {estimate}"


def check_optimization(path: Path, overrides: list[str], allow_large: bool) -> str:
    from adoptsim.cli.optimize import optimization_runs
    from adoptsim.studies.optimization.spec import load_problem

    scenario_files_only(path, overrides, "optimisation")
    problem = load_problem(path)
    spec = problem.spec
    study_budget(path, optimization_runs(spec), problem.base, allow_large)
    return (
        f"optimisation {spec.name}, budget {spec.budget:,.0f} over {len(spec.split.interventions)} interventions, "
        f"{len(spec.decisions)} decisions, {spec.trials} trials x {spec.replications} replications"
    )


def check_calibration(path: Path, overrides: list[str], allow_large: bool) -> str:
    from adoptsim.cli.calibrate import calibration_runs
    from adoptsim.studies.calibration.spec import load_calibration

    scenario_files_only(path, overrides, "calibration")
    loaded = load_calibration(path)
    spec = loaded.spec
    study_budget(path, calibration_runs(spec), loaded.base, allow_large)
    return f"calibration {spec.name}, {len(spec.parameters)} parameters"


def study_budget(path: Path, runs: int, base: dict, allow_large: bool) -> None:
    """Refuse a study beyond the limits `run` would refuse it at (adoptsim/studies/executors.py)."""
    from adoptsim.studies.executors import check_budget, default_workers

    size, steps = int(base["population"]["size"]), int(base["steps"])
    check_budget(str(path), runs, size, steps, default_workers(), allow_large)


def check_uncertainty(path: Path, overrides: list[str], allow_large: bool) -> str:
    """An uncertainty file (compare --uncertain): schema, every distribution resolved (empirical
    CSVs read) and the draws made; its paths are checked against the scenarios by compare."""
    from pydantic import ValidationError

    from adoptsim.errors import ScenarioError
    from adoptsim.scenario.loading import format_validation_error
    from adoptsim.scenario.yaml_guard import read_yaml
    from adoptsim.studies.distributions import resolve
    from adoptsim.studies.uncertainty import Uncertainty

    scenario_files_only(path, overrides, "uncertainty file")
    try:
        spec = Uncertainty.model_validate(read_yaml(path, str(path)))
    except ValidationError as err:
        raise ScenarioError.listing(str(path), [format_validation_error(e) for e in err.errors()]) from None
    for dotted, entry in spec.inputs.items():
        resolve(entry.spec(), str(path), f"inputs.{dotted}.distribution")
    return f"uncertainty file, {len(spec.inputs)} uncertain inputs x {spec.draws} draws (for compare --uncertain)"


FILE_KINDS: dict[str, FileKind] = {
    "calibration": FileKind(
        lambda raw: "parameters" in raw and ("target" in raw or "markets" in raw), check_calibration
    ),
    "experiment": FileKind(lambda raw: {"parameters", "design"} <= raw.keys(), check_experiment),
    "optimization": FileKind(lambda raw: {"split", "objectives"} <= raw.keys(), check_optimization),
    "uncertainty": FileKind(lambda raw: {"draws", "inputs"} <= raw.keys(), check_uncertainty),
    "scenario": FileKind(lambda raw: True, check_scenario),
}


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim validate FILE...`'s options."""
    parser.add_argument("files", nargs="+", help="scenario, experiment or optimisation YAML files")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    add_allow_large(parser)


def command(args: argparse.Namespace) -> int:
    """Check every file; one line each (ok on stdout, the mistakes on stderr); exit 2 if any failed."""
    from adoptsim.errors import ScenarioError, one_line

    failures = 0
    for path in args.files:
        try:
            print(f"{path}: ok ({validate_file(path, args.set, args.allow_large)})")
        except ScenarioError as err:  # one line per problem already
            print(err, file=sys.stderr)
            failures += 1
        except AdoptsimError as err:
            print(one_line(str(err)), file=sys.stderr)
            failures += 1
    return 2 if failures else 0


def validate_file(path: str | Path, overrides: list[str] | None = None, allow_large: bool = False) -> str:
    """Check one file of any kind; a short description of it, or a ScenarioError listing every problem."""
    from adoptsim.scenario.yaml_guard import read_yaml

    path = Path(path)
    raw = read_yaml(path, str(path))
    kind = next(kind for kind in FILE_KINDS.values() if kind.matches(raw))
    return kind.check(path, overrides or [], allow_large)
