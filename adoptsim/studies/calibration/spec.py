"""Calibration files: a base scenario, observations, time alignment, parameters, method.

Observations are turned into shares of the simulated population at simulated steps:
step = round((date - launch) in years * steps_per_year); a month `YYYY-MM` means its last day
(surveys report "as of December"). Counts become shares by dividing by the population they come
from, so a 3,000-consumer simulation fits a country of millions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, model_validator

from adoptsim.scenario.schema import Label, NonNegative, NonNegativeInt, Positive, PositiveInt, StrictModel

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
    """One observation of a segment series, a gap (series - minus) or a ratio (series / over),
    e.g. an age gap at a date; with several markets, `market` names whose series it is."""

    series: str = Field(description="A recorder column, e.g. share_active_age_18-29 or share_ever_adopted_ages_65+.")
    minus: str | None = Field(None, description="Another column: the target is the gap series - minus.")
    over: str | None = Field(None, description="Another column: the target is the ratio series / over.")
    market: str | None = Field(None, description="The market whose series it is (calibrations of several markets).")
    date: dt.date | None = Field(None, description="Date of the observation (or give step).")
    step: NonNegativeInt | None = Field(None, description="Step of the observation (or give date).")
    value: float = Field(description="The observed share or gap.")
    weight: NonNegative = Field(1.0, description="Weight in the objective (the main target's points weigh 1).")

    @model_validator(mode="after")
    def _when(self) -> SegmentTarget:
        if (self.date is None) == (self.step is None):
            raise ValueError("give either date or step")
        if self.minus is not None and self.over is not None:
            raise ValueError("give minus (a gap) or over (a ratio), not both")
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
    tolerance: Positive | None = Field(
        None,
        description="Stop after the first generation whose tolerance, as an RMS error a fitted point, is at most this.",
    )
    draws: PositiveInt = Field(20, description="Posterior draws simulated for the bands.")
    blocks: PositiveInt = Field(
        32,
        description="Particles a worker simulates at once, as blocks of one model: the same posterior "
        "whatever the value; more is faster a simulation (each task is sized to the jobs a generation still needs).",
    )


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
    scenario: str | None = Field(None, description="Base scenario file, relative to the calibration file.")
    markets: dict[Label, str] = Field(
        default_factory=dict,
        description="Market files (markets/*.yaml) by name, fitted jointly: each brings its scenario, launch and "
        "observed curve; `scenario`, `target` and `launch` are then not given.",
    )
    per_market: dict[str, ParameterRange] = Field(
        default_factory=dict, description="Parameters fitted once per market (at most two), named <market>:<path>."
    )
    fixed: dict[str, Any] = Field(default_factory=dict, description="Overrides of the base (e.g. population.size).")
    seed: NonNegativeInt | None = Field(None, description="Seed of the replications (default: the scenario's).")
    target: Target | None = None
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
        if self.markets:
            for name in ("scenario", "target", "launch"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name}: comes from each market file when `markets` is given")
            if len(self.per_market) > 2:
                raise ValueError("per_market: at most two parameters per market")
        else:
            if self.scenario is None or self.target is None:
                raise ValueError("scenario and target: give both (or `markets`)")
            if self.per_market:
                raise ValueError("per_market: only with `markets`")
        if not self.parameters and not self.per_market and not isinstance(self.launch, LaunchWindow):
            raise ValueError("parameters: give at least one (or a launch window)")
        if LAUNCH in self.parameters:
            raise ValueError(f"parameters.{LAUNCH}: fit the launch with launch: {{earliest, latest}}")
        return self

    @property
    def fits_launch(self) -> bool:
        return isinstance(self.launch, LaunchWindow)


def __getattr__(name: str) -> Any:
    """Loading lives in loading.py (it reads market files); its names stay importable from here."""
    if name in ("LoadedCalibration", "load_calibration", "segment_columns", "Part"):
        from adoptsim.studies.calibration import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
