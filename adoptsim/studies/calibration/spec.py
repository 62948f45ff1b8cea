"""Calibration files: a base scenario, observations, time alignment, parameters, method.

Observations are turned into shares of the simulated population at simulated steps:
step = round((date - launch) in years * steps_per_year); a month `YYYY-MM` means its last day
(surveys report "as of December"). Counts become shares by dividing by the population they come
from, so a 3,000-consumer simulation fits a country of millions.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import Field, ValidationError, model_validator

from adoptsim.errors import ScenarioError
from adoptsim.scenario.loading import format_validation_error, scenario_to_yaml, validate_scenario
from adoptsim.scenario.paths import set_path
from adoptsim.scenario.schema import Label, NonNegative, NonNegativeInt, Positive, PositiveInt, StrictModel
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.calibration.observations import read_observations
from adoptsim.studies.evaluation import read_base, read_spec
from adoptsim.studies.experiment import check_path

LAUNCH = "launch"
"""Name of the launch date when it is fitted (a decimal year)."""


class Target(StrictModel):
    """The observed curve: a CSV with `date` or `step` and a value column."""

    file: str = Field(description="CSV file, relative to the calibration file.")
    column: str = Field("value", description="Column holding the observations.")
    measure: Literal["active_share", "ever_adopted_share", "active_count", "ever_adopted_count"] = Field(
        description="What the values measure; counts need `population`."
    )
    population: Positive | None = Field(
        None, description="Counts only: the population the counts come from, in the same unit (e.g. millions)."
    )

    @model_validator(mode="after")
    def _population_for_counts(self) -> Target:
        counts = self.measure.endswith("_count")
        if counts and self.population is None:
            raise ValueError("population: counts need the population they come from")
        if not counts and self.population is not None:
            raise ValueError("population: only for counts (the values are shares already)")
        return self


class SegmentTarget(StrictModel):
    """One observation of a segment series (or a gap between two), e.g. an age gap at a date."""

    series: str = Field(description="A recorder column, e.g. share_active_age_18-29.")
    minus: str | None = Field(None, description="Another column: the target is the gap series - minus.")
    date: dt.date | None = Field(None, description="Date of the observation (or give step).")
    step: NonNegativeInt | None = Field(None, description="Step of the observation (or give date).")
    value: float = Field(description="The observed share or gap.")
    weight: NonNegative = Field(1.0, description="Weight in the objective (the main target's points weigh 1).")

    @model_validator(mode="after")
    def _when(self) -> SegmentTarget:
        if (self.date is None) == (self.step is None):
            raise ValueError("give either date or step")
        return self


class LaunchWindow(StrictModel):
    """A launch date to fit, between two dates."""

    earliest: dt.date
    latest: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> LaunchWindow:
        if not self.earliest < self.latest:
            raise ValueError(f"earliest ({self.earliest}) must be before latest ({self.latest})")
        return self


class ParameterRange(StrictModel):
    """Bounds of a fitted parameter; `log: true` searches a scale parameter on a log scale."""

    low: float
    high: float
    log: bool = Field(False, description="Search and sample log(value) uniformly.")

    @model_validator(mode="after")
    def _bounds(self) -> ParameterRange:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"low: must be above 0 with log: true (got {self.low:g})")
        return self


class Posterior(StrictModel):
    """ABC-SMC (pyabc): a likelihood-free posterior of the parameters for intervals and bands."""

    enabled: bool = True
    population: PositiveInt = Field(40, description="Particles per generation.")
    generations: PositiveInt = Field(4, description="Most generations (the tolerance shrinks each time).")
    max_simulations: PositiveInt = Field(1500, description="Stop after this many simulations.")
    draws: PositiveInt = Field(20, description="Posterior draws simulated for the bands.")


class Method(StrictModel):
    """The optimiser and the posterior."""

    optimizer: Literal["tpe", "cmaes"] = Field("tpe", description="Optuna sampler: TPE or CMA-ES.")
    trials: PositiveInt = Field(80, description="Optimiser trials (each runs `replications` runs).")
    batch: PositiveInt = Field(
        4, description="Trials proposed at once and run in parallel; fixed, so results do not depend on --workers."
    )
    posterior: Posterior = Field(default_factory=Posterior)


class Calibration(StrictModel):
    """A calibration file."""

    name: Label = Field(description="Short name; results go to results/calibrate-<name>/ by default.")
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to the calibration file.")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Overrides of the base (e.g. population.size).")
    seed: NonNegativeInt | None = Field(None, description="Seed of the replications (default: the scenario's).")
    target: Target
    segments: list[SegmentTarget] = Field(default_factory=list)
    launch: dt.date | LaunchWindow | None = Field(None, description="Launch date, or a window to fit it in.")
    steps_per_year: PositiveInt = Field(52, description="Steps per year (52: weekly).")
    parameters: dict[str, ParameterRange] = Field(description="Parameter path -> bounds.")
    objective: Literal["sse", "relative_sse"] = Field(
        "sse", description="sse: sum of w (sim - obs)^2 on shares; relative_sse: of w ((sim - obs)/obs)^2."
    )
    replications: PositiveInt = Field(3, description="Replications per evaluation (common random numbers).")
    holdout: NonNegativeInt = Field(0, description="Keep the last N observations out of the fit.")
    method: Method = Field(default_factory=Method)

    @model_validator(mode="after")
    def _consistent(self) -> Calibration:
        if not self.parameters and not isinstance(self.launch, LaunchWindow):
            raise ValueError("parameters: give at least one (or a launch window)")
        if LAUNCH in self.parameters:
            raise ValueError(f"parameters.{LAUNCH}: fit the launch with launch: {{earliest, latest}}")
        return self

    @property
    def fits_launch(self) -> bool:
        return isinstance(self.launch, LaunchWindow)


class LoadedCalibration:
    """A checked calibration: its spec, the resolved base mapping and the observations."""

    def __init__(
        self, spec: Calibration, base: dict[str, Any], source: str, observations: pd.DataFrame, folder: Path
    ) -> None:
        self.spec = spec
        self.base = base
        self.source = source
        self.observations = observations
        self.folder = folder

    @property
    def seed(self) -> int:
        return self.spec.seed if self.spec.seed is not None else int(self.base["seed"])

    @property
    def scale(self) -> float:
        """Observed units per simulated share (1 for shares, the population for counts)."""
        return self.spec.target.population or 1.0

    def fingerprint(self) -> str:
        """Identifies the calibration problem; a resumed calibration must match it."""
        payload = {
            "calibration": self.spec.model_dump(mode="json"),
            "base": self.base,
            "observations": self.observations.astype(str).to_dict("list"),
        }
        return json.dumps(payload, sort_keys=True, default=str)


def segment_columns(scenario: Scenario) -> list[str]:
    """Recorder columns a segment target may name."""
    return (
        ["share_active", "share_ever_adopted", "share_merchants_accepting"]
        + [f"share_active_age_{g}" for g in scenario.population.age_groups]
        + [f"share_active_region_{r}" for r in scenario.population.regions]
    )


def load_calibration(path: str | Path) -> LoadedCalibration:
    """Read and check a calibration file: schema, scenario, parameter paths, observations."""
    path = Path(path)
    shown = str(path)
    spec = read_spec(path, Calibration)
    base = read_base(path, spec.scenario, spec.fixed)
    scenario = validate_scenario(base, shown)
    resolved = yaml.safe_load(scenario_to_yaml(scenario))
    for dotted, bounds in spec.parameters.items():
        problem = check_path(resolved, dotted)
        if problem:
            raise ScenarioError(shown, f"parameters.{dotted}", problem)
        for end in (bounds.low, bounds.high):
            data = yaml.safe_load(scenario_to_yaml(scenario))
            set_path(data, dotted, end)
            try:
                Scenario.model_validate(data)
            except ValidationError as err:
                field, message = format_validation_error(err.errors()[0])
                raise ScenarioError(shown, f"parameters.{dotted}", f"bound {end:g}: {field}: {message}") from None
    valid = segment_columns(scenario)
    for i, segment in enumerate(spec.segments):
        for name, column in (("series", segment.series), ("minus", segment.minus)):
            if column is not None and column not in valid:
                raise ScenarioError(
                    shown, f"segments[{i}].{name}", f"unknown series '{column}' (valid: {', '.join(valid)})"
                )
    observations = read_observations(spec, path.parent / spec.target.file, shown)
    return LoadedCalibration(spec, resolved, shown, observations, path.parent)
