"""Loading a calibration: its base scenario and target, or several market files, into parts.

A part is one market (or the single scenario of a one-market file): its resolved base mapping,
launch, observed curve and what it measures. A calibration naming `markets:` fits one shared
core (`parameters`, applied to every market whose scenario has the path) and `per_market`
parameters once per market (named `<market>:<path>`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from adoptsim.errors import ScenarioError
from adoptsim.scenario.loading import format_validation_error, scenario_to_yaml, validate_scenario
from adoptsim.scenario.paths import set_path
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.calibration.observations import decimal_year, read_observations, segment_rows
from adoptsim.studies.calibration.spec import Calibration, LaunchWindow, ParameterRange, Target
from adoptsim.studies.evaluation import read_base, read_spec
from adoptsim.studies.experiment import check_path

SEPARATOR = ":"
"""Between a market and a per-market parameter's path: `uk:behaviour.p_media`."""


@dataclass(eq=False)
class Part:
    """One market of a calibration."""

    name: str
    base: dict[str, Any]
    source: str
    file: Path
    target: Target
    launch: dt.date | LaunchWindow | None
    shared: list[str]
    observations: pd.DataFrame | None = None
    curve: Path | None = None
    """The observed curve's CSV, as read (calibrated.yaml ships a copy of it)."""
    reading: tuple | None = None
    """What its observations are read from (target, CSV, field): load_calibration reads them after every
    part is made, so that a missing column is listed beside the file's other problems."""

    @property
    def scale(self) -> float:
        """Observed units per simulated share (1 for shares, the population for counts)."""
        return self.target.population or 1.0


class LoadedCalibration:
    """A checked calibration: its spec, its parts (markets) and all their observations."""

    def __init__(self, spec: Calibration, parts: list[Part], source: str, observations: pd.DataFrame, folder: Path):
        self.spec = spec
        self.parts = parts
        self.source = source
        self.observations = observations
        self.folder = folder

    @property
    def base(self) -> dict[str, Any]:
        return self.parts[0].base

    @property
    def seed(self) -> int:
        return self.spec.seed if self.spec.seed is not None else int(self.base["seed"])

    @property
    def scale(self) -> float:
        return self.parts[0].scale

    @property
    def several(self) -> bool:
        return bool(self.spec.markets)

    def fingerprint(self) -> str:
        """Identifies the calibration problem; a resumed calibration must match it."""
        payload = {
            "calibration": self.spec.model_dump(mode="json"),
            "bases": [part.base for part in self.parts],
            "observations": self.observations.astype(str).to_dict("list"),
        }
        return json.dumps(payload, sort_keys=True, default=str)


def segment_columns(scenario: Scenario) -> list[str]:
    """Recorder columns a segment target may name (market columns only with a `market:` block)."""
    columns = (
        ["share_active", "share_ever_adopted", "share_merchants_accepting"]
        + [f"share_active_age_{g}" for g in scenario.population.age_groups]
        + [f"share_active_region_{r}" for r in scenario.population.regions]
    )
    if scenario.market is not None:
        columns += [f"share_ever_adopted_age_{g}" for g in scenario.population.age_groups]
        for band in scenario.market.age_bands:
            columns += [f"share_active_ages_{band}", f"share_ever_adopted_ages_{band}"]
    return columns


def _check_bounds(shown: str, field: str, scenario: Scenario, dotted: str, bounds: ParameterRange) -> None:
    for end in (bounds.low, bounds.high):
        data = yaml.safe_load(scenario_to_yaml(scenario))
        set_path(data, dotted, end)
        try:
            Scenario.model_validate(data)
        except ValidationError as err:
            where, message = format_validation_error(err.errors()[0])
            raise ScenarioError(shown, field, f"bound {end:g}: {where}: {message}") from None


def _load_part(path: Path, spec: Calibration, name: str, file: str, field: str) -> tuple[Part, Scenario]:
    shown = str(path)
    base = read_base(path, file, spec.fixed, field=field)
    try:
        scenario = validate_scenario(base, shown)
    except ScenarioError as err:
        if not spec.markets:
            raise
        # the market file (with this file's `fixed:` values) is what failed: name it and its field
        raise ScenarioError.listing(shown, [(field, f"{file}: {p}: {m}") for p, m in err.problems]) from None
    resolved = yaml.safe_load(scenario_to_yaml(scenario))
    if spec.markets:
        if scenario.market is None:
            raise ScenarioError(shown, field, f"{file} has no `market:` block")
        try:
            target = Target.model_validate(scenario.market.observed)
        except ValidationError as err:
            where, message = format_validation_error(err.errors()[0])
            raise ScenarioError(shown, field, f"{file}: market.observed.{where}: {message}") from None
        csv, launch = (path.parent / file).parent / target.file, scenario.market.launch
    else:
        target, csv, launch = spec.target, path.parent / spec.target.file, spec.launch
    shared = [p for p in spec.parameters if not spec.markets or check_path(resolved, p) is None]
    part = Part(name, resolved, shown, (path.parent / file).resolve(), target, launch, shared, curve=csv.resolve())
    part.reading = (target, csv, field if spec.markets else "target")
    return part, scenario


def _check_parameter(shown: str, spec: Calibration, loaded: list, dotted: str, bounds: ParameterRange) -> None:
    users = [(part, scenario) for part, scenario in loaded if dotted in part.shared]
    if not spec.markets and loaded:
        problem = check_path(loaded[0][0].base, dotted)
        if problem:
            raise ScenarioError(shown, f"parameters.{dotted}", problem)
    elif spec.markets and loaded and not users:
        raise ScenarioError(shown, f"parameters.{dotted}", "no market's scenario has this path")
    for _, scenario in users:
        _check_bounds(shown, f"parameters.{dotted}", scenario, dotted, bounds)


def _check_per_market(shown: str, part: Part, scenario: Scenario, dotted: str, bounds: ParameterRange) -> None:
    problem = check_path(part.base, dotted)
    if problem:
        raise ScenarioError(shown, f"per_market.{dotted}", f"{part.name}: {problem}")
    _check_bounds(shown, f"per_market.{dotted}", scenario, dotted, bounds)


def _segment(shown: str, i: int, segment, by_name: dict, spec: Calibration) -> pd.DataFrame:
    name = segment.market if segment.market is not None else ("" if not spec.markets else None)
    if name not in by_name:
        valid = ", ".join(n for n in by_name if n)
        raise ScenarioError(shown, f"segments[{i}].market", f"name one of the markets ({valid})")
    valid = segment_columns(by_name[name][1])
    for key in ("series", "minus", "over"):
        column = getattr(segment, key)
        if column is not None and column not in valid:
            raise ScenarioError(shown, f"segments[{i}].{key}", f"unknown series '{column}' (valid: {', '.join(valid)})")
    return segment_rows(name, segment)


def _all(shown: str, problems: list[ScenarioError]) -> ScenarioError:
    """One error listing every problem found, in the order found; a problem of another file (a
    scenario the calibration names) keeps its own file in its line."""
    lines = [(p if err.source == shown else f"{err.source}: {p}", m) for err in problems for p, m in err.problems]
    return ScenarioError.listing(shown, lines)


def load_calibration(path: str | Path) -> LoadedCalibration:
    """Read and check a calibration file: schema, scenarios or markets, parameter paths, observations."""
    path = Path(path)
    shown = str(path)
    spec = read_spec(path, Calibration)
    entries = spec.markets or {"": spec.scenario}
    problems: list[ScenarioError] = []  # after the schema, every check that can still run does: all are listed

    def check(step, *args):
        try:
            return step(*args)
        except ScenarioError as err:
            problems.append(err)
            return None

    field_of = (lambda name: f"markets.{name}") if spec.markets else (lambda name: "scenario")
    loaded = [check(_load_part, path, spec, name, file, field_of(name)) for name, file in entries.items()]
    loaded = [found for found in loaded if found is not None]
    for part, _ in loaded:
        target, csv, field = part.reading
        part.observations = check(read_observations, target, csv, shown, spec.holdout, field)
    for dotted, bounds in spec.parameters.items():
        check(_check_parameter, shown, spec, loaded, dotted, bounds)
    for dotted, bounds in spec.per_market.items():
        for part, scenario in loaded:
            check(_check_per_market, shown, part, scenario, dotted, bounds)
    by_name = {part.name: (part, scenario) for part, scenario in loaded}
    segments = [check(_segment, shown, i, segment, by_name, spec) for i, segment in enumerate(spec.segments)]
    if problems:
        raise _all(shown, problems)
    tables = []
    for part, _ in loaded:
        rows = part.observations
        rows.insert(0, "market", part.name)
        rows["scale"] = part.scale
        tables.append(rows)
    observations = pd.concat([*tables, *segments], ignore_index=True)
    observations["year"] = [decimal_year(d) if pd.notna(d) else float("nan") for d in observations["date"]]
    for part, _ in loaded:
        years = observations.loc[observations["market"] == part.name, "year"]
        if part.launch is None and years.notna().any():
            problems.append(ScenarioError(shown, "launch", "dated observations need a launch date or window"))
            continue
        first = part.launch.latest if isinstance(part.launch, LaunchWindow) else part.launch
        if first is not None and (years < decimal_year(first)).any():
            field = "launch.latest" if isinstance(part.launch, LaunchWindow) else "launch"
            field = field if not spec.markets else f"markets.{part.name}"
            problems.append(ScenarioError(shown, field, f"{first} is after an observation"))
    if problems:
        raise _all(shown, problems)
    return LoadedCalibration(spec, [part for part, _ in loaded], shown, observations, path.parent)
