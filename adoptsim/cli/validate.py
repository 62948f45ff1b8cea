"""`adoptsim validate`: check input files of every kind without running anything.

The kind of a file is recognised from its top-level fields; `FILE_KINDS` lists the kinds in
the order they are tried, scenario last (anything else is read as a scenario). A new kind of
input (calibration, optimisation) is one entry: how to recognise it, and its loader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adoptsim.errors import AdoptsimError
from adoptsim.scenario.loading import load_scenario
from adoptsim.scenario.yaml_guard import read_yaml


@dataclass(frozen=True)
class FileKind:
    """Recognise a file from its raw mapping; check it fully and describe it in a few words."""

    matches: Callable[[dict[str, Any]], bool]
    check: Callable[[Path, list[str], bool], str]


def check_scenario(path: Path, overrides: list[str], allow_large: bool) -> str:
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
    loaded = load_experiment(path, allow_large)
    experiment = loaded.experiment
    return (
        f"experiment {experiment.name}, {experiment.design.type} design, {len(loaded.points)} points x "
        f"{experiment.replications} replications"
    )


def check_optimization(path: Path, overrides: list[str], allow_large: bool) -> str:
    from adoptsim.studies.optimization.spec import load_problem

    scenario_files_only(path, overrides, "optimisation")
    spec = load_problem(path).spec
    return (
        f"optimisation {spec.name}, budget {spec.budget:,.0f} over {len(spec.split.interventions)} interventions, "
        f"{len(spec.decisions)} decisions, {spec.trials} trials x {spec.replications} replications"
    )


def check_calibration(path: Path, overrides: list[str], allow_large: bool) -> str:
    from adoptsim.studies.calibration.spec import load_calibration

    scenario_files_only(path, overrides, "calibration")
    spec = load_calibration(path).spec
    return f"calibration {spec.name}, {len(spec.parameters)} parameters"


def check_uncertainty(path: Path, overrides: list[str], allow_large: bool) -> str:
    """An uncertainty file of `compare --uncertain`: its fields and every distribution (the inputs'
    paths are checked against scenarios when it runs, since it names none)."""
    from pydantic import ValidationError

    from adoptsim.errors import ScenarioError
    from adoptsim.scenario.loading import format_validation_error
    from adoptsim.studies.distributions import resolve
    from adoptsim.studies.uncertainty import Uncertainty

    scenario_files_only(path, overrides, "uncertainty file")
    try:
        spec = Uncertainty.model_validate(read_yaml(path, str(path)))
    except ValidationError as err:
        raise ScenarioError(str(path), *format_validation_error(err.errors()[0])) from None
    for dotted, entry in spec.inputs.items():
        resolve(entry.spec(), str(path), f"inputs.{dotted}.distribution")
    return f"uncertainty file, {len(spec.inputs)} uncertain inputs x {spec.draws} draws (for compare --uncertain)"


FILE_KINDS: dict[str, FileKind] = {
    "uncertainty": FileKind(
        lambda raw: {"inputs", "draws"} <= raw.keys() or raw.keys() == {"inputs"}, check_uncertainty
    ),
    "calibration": FileKind(lambda raw: {"target", "parameters"} <= raw.keys(), check_calibration),
    "experiment": FileKind(lambda raw: {"parameters", "design"} <= raw.keys(), check_experiment),
    "optimization": FileKind(lambda raw: {"split", "objectives"} <= raw.keys(), check_optimization),
    "scenario": FileKind(lambda raw: True, check_scenario),
}


def validate_file(path: str | Path, overrides: list[str] | None = None, allow_large: bool = False) -> str:
    """Check one file of any kind; a short description of it, or a ScenarioError listing every problem."""
    path = Path(path)
    raw = read_yaml(path, str(path))
    kind = next(kind for kind in FILE_KINDS.values() if kind.matches(raw))
    return kind.check(path, overrides or [], allow_large)
