"""Experiment files: a base scenario, parameters addressed by path, a design, replications.

A design is a table of points (one row per point, one column per parameter path). Grid and
paired designs are built here; LHS, Sobol and Morris come from SALib's samplers, seeded from the
experiment seed so the design is the same on every run.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import Field, model_validator

from adoptsim.errors import ScenarioError
from adoptsim.results.metrics import kpi_problem
from adoptsim.scenario.loading import scenario_to_yaml, validate_scenario
from adoptsim.scenario.paths import path_problem as check_path
from adoptsim.scenario.schema import Label, NonNegativeInt, PositiveInt, StrictModel
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.distributions import Distribution, quantiles, resolve
from adoptsim.studies.evaluation import read_base, read_spec, scenario_at


class Parameter(StrictModel):
    """Values to try (grid, paired), or a range or distribution to sample (lhs, sobol, morris)."""

    values: list[Any] | None = Field(None, description="Explicit values (grid and paired designs).")
    range: tuple[float, float] | None = Field(None, description="[low, high] for sampled designs.")
    distribution: Distribution | None = Field(
        None, description="For sampled designs: a distribution instead of a range (see docs/experiments.md)."
    )
    integer: bool = Field(False, description="Round sampled values to whole numbers.")

    @model_validator(mode="after")
    def _one_of(self) -> Parameter:
        if [self.values, self.range, self.distribution].count(None) != 2:
            raise ValueError("give one of values, range or distribution")
        if self.values is not None and not self.values:
            raise ValueError("values: give at least one value")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: low ({self.range[0]}) must be below high ({self.range[1]})")
        return self


class Design(StrictModel):
    """How parameter values are combined into points."""

    type: Literal["grid", "paired", "lhs", "sobol", "morris"] = Field(description="Design kind.")
    samples: PositiveInt | None = Field(
        None, description="lhs: points; sobol: base N (N*(2D+2) points); morris: trajectories (N*(D+1) points)."
    )
    levels: PositiveInt = Field(4, description="morris: grid levels.")


class Experiment(StrictModel):
    """A sweep over a base scenario."""

    name: Label = Field(description="Short name; results go to results/sweep-<name>/ by default.")
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to the experiment file.")
    seed: NonNegativeInt = Field(0, description="Seed of the design and of every replication.")
    replications: PositiveInt = Field(5, description="Replications per design point.")
    steps: PositiveInt | None = Field(None, description="Override the scenario's steps.")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Overrides applied at every point.")
    parameters: dict[str, Parameter] = Field(description="Parameter path -> values or range.")
    design: Design
    metrics: list[str] = Field(default_factory=lambda: ["final_active_share", "final_ever_adopted_share"])

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if not self.parameters:
            raise ValueError("parameters: give at least one")
        for metric in self.metrics:
            problem = kpi_problem(metric, paired=False)
            if problem:
                raise ValueError(f"metrics: {problem}")
        kind = self.design.type
        sampled = kind in ("lhs", "sobol", "morris")
        for path, parameter in self.parameters.items():
            if sampled and parameter.values is not None:
                raise ValueError(f"parameters.{path}: a {kind} design needs a range or a distribution")
            if not sampled and parameter.values is None:
                raise ValueError(f"parameters.{path}: a {kind} design needs values")
        if kind == "paired":
            lengths = {len(p.values) for p in self.parameters.values()}
            if len(lengths) > 1:
                raise ValueError(f"parameters: a paired design needs value lists of one length (got {sorted(lengths)})")
        if sampled and self.design.samples is None:
            raise ValueError(f"design.samples: a {kind} design needs samples")
        samples = self.design.samples or 0
        if kind == "sobol" and samples & (samples - 1):  # Saltelli's estimates hold for N = 2^n only
            below = 1 << (samples.bit_length() - 1)
            raise ValueError(
                f"design.samples: a sobol design needs a power of 2 (got {samples}: {below} or {below * 2})"
            )
        return self


def _sampled_design(experiment: Experiment) -> np.ndarray:
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(experiment)
    design, n = experiment.design, experiment.design.samples
    if design.type == "lhs":
        return latin.sample(problem, n, seed=experiment.seed)
    if design.type == "sobol":
        return sobol.sample(problem, n, calc_second_order=True, seed=experiment.seed)
    return morris.sample(problem, n, num_levels=design.levels, seed=experiment.seed)


def salib_problem(experiment: Experiment) -> dict[str, Any]:
    """SALib's problem definition for the sampled parameters."""
    names = list(experiment.parameters)
    bounds = [list(p.range) if p.range else [0.0, 1.0] for p in experiment.parameters.values()]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_points(experiment: Experiment, source: str = ".") -> pd.DataFrame:
    """One row per design point, one column per parameter path; a distribution's column is sampled
    in [0, 1] and mapped through its inverse CDF (files it names are relative to `source`)."""
    names = list(experiment.parameters)
    kind = experiment.design.type
    if kind == "grid":
        rows = list(itertools.product(*(p.values for p in experiment.parameters.values())))
    elif kind == "paired":
        rows = list(zip(*(p.values for p in experiment.parameters.values()), strict=True))
    else:
        rows = _sampled_design(experiment)
    points = pd.DataFrame(rows, columns=names)
    for name, parameter in experiment.parameters.items():
        if parameter.distribution is not None:
            sampler = resolve(parameter.distribution, source, f"parameters.{name}.distribution")
            points[name] = quantiles(sampler, points[name].to_numpy())
        if parameter.integer:
            points[name] = points[name].round().astype(int)
    points.index.name = "point"
    return points


def planned_points(experiment: Experiment) -> int:
    """How many points the design has, counted without building it (a typo of 10^9 samples must
    be refused, not sampled): grid the product of the value lists, lhs N, sobol N(2D+2), morris N(D+1)."""
    values = [len(p.values or []) for p in experiment.parameters.values()]
    n, d = experiment.design.samples or 0, len(experiment.parameters)
    return {
        "grid": int(np.prod(values, dtype=object)),
        "paired": values[0],
        "lhs": n,
        "sobol": n * (2 * d + 2),
        "morris": n * (d + 1),
    }[experiment.design.type]


class LoadedExperiment:
    """An experiment with its base scenario mapping and design, ready to make scenarios."""

    def __init__(self, experiment: Experiment, base: dict[str, Any], source: str, allow_large: bool = False) -> None:
        self.experiment = experiment
        self.base = base
        self.source = source
        self.allow_large = allow_large
        self.points = design_points(experiment, source)

    def scenario_at(self, point: int) -> Scenario:
        """The validated scenario of one design point."""
        values = self.points.loc[point].to_dict()
        return scenario_at(self.base, values, self.source, "parameters", f"design point {point}", self.allow_large)

    def money_parameters(self) -> set[str]:
        """The swept parameters that hold money (`scenario.paths.holds_money` on the first design
        point's scenario), whose axes and headers name the currency."""
        from adoptsim.scenario.paths import holds_money

        first = self.scenario_at(int(self.points.index[0]))
        return {path for path in self.experiment.parameters if holds_money(first, path)}

    def fingerprint(self) -> str:
        """Identifies the experiment's tasks; a resumed sweep must match it."""
        payload = {"experiment": self.experiment.model_dump(mode="json"), "base": self.base}
        return json.dumps(payload, sort_keys=True, default=str)


def load_experiment(path: str | Path, allow_large: bool = False) -> LoadedExperiment:
    """Read and check an experiment file: schema, scenario, parameter paths, every design point.

    `allow_large` lets through design points whose memory estimate exceeds the machine's.
    """
    path = Path(path)
    shown = str(path)
    experiment = read_spec(path, Experiment)
    base = read_base(path, experiment.scenario, experiment.fixed, experiment.steps, experiment.metrics)
    resolved = yaml.safe_load(scenario_to_yaml(validate_scenario(base, shown, allow_large)))
    for dotted in experiment.parameters:
        problem = check_path(resolved, dotted)
        if problem:
            raise ScenarioError(shown, f"parameters.{dotted}", problem)
    from adoptsim.studies.executors import check_budget, default_workers

    runs = planned_points(experiment) * experiment.replications
    size, steps = resolved["population"]["size"], resolved["steps"]
    check_budget(shown, runs, size, steps, default_workers(), allow_large)
    loaded = LoadedExperiment(experiment, resolved, shown, allow_large)
    for point in loaded.points.index:
        loaded.scenario_at(point)
    return loaded
