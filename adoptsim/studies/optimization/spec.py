"""Optimisation files: a base scenario, a budget split on the simplex, decisions by path, objectives.

An optimisation file says what the strategist may change (each intervention's share of one budget,
and any scenario field by the sweep's dotted paths: start week, duration, target, prioritize) and
what they want (minimise weeks to P % active, maximise active share at a horizon, net value, ...).
`load_problem` checks it against the resolved base scenario and fails with one line naming the
file and the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, model_validator

from adoptsim.errors import ScenarioError
from adoptsim.results.economics import currency_of
from adoptsim.results.metrics import kpi_problem, requirements, smaller_is_better
from adoptsim.scenario.loading import scenario_to_yaml, validate_scenario
from adoptsim.scenario.paths import LEVERS
from adoptsim.scenario.schema import Fraction, Label, NonNegativeInt, Positive, PositiveInt, StrictModel
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.evaluation import read_base, read_spec, scenario_at
from adoptsim.studies.experiment import check_path

TARGET_KPI = re.compile(r"^steps_to_(?P<pct>\d+(\.\d+)?)pct_(?P<what>active|ever_adopted)$")


class Decision(StrictModel):
    """A range to search (`range`, optionally whole numbers or on a log scale) or `choices`."""

    range: tuple[float, float] | None = Field(None, description="[low, high] of a number.")
    integer: bool = Field(False, description="Whole numbers only (weeks, seats).")
    log: bool = Field(False, description="Search on a log scale (a scale parameter).")
    choices: list[Any] | None = Field(None, description="Values to choose from (a target, a priority rule).")

    @model_validator(mode="after")
    def _one_kind(self) -> Decision:
        if (self.range is None) == (self.choices is None):
            raise ValueError("give either range or choices")
        if self.range is not None:
            low, high = self.range
            if not low < high:
                raise ValueError(f"range: low ({low}) must be below high ({high})")
            if self.log and low <= 0:
                raise ValueError("range: a log scale needs a positive low end")
        if self.choices is not None and not self.choices:
            raise ValueError("choices: give at least one")
        return self


class BudgetSplit(StrictModel):
    """How the one budget is shared between interventions: shares on the simplex (sum <= 1)."""

    interventions: list[str] = Field(description="Names of the interventions that draw on the budget.")
    most: dict[str, Fraction] = Field(
        default_factory=dict, description="Largest share of the budget per intervention (by name)."
    )
    allow_unspent: bool = Field(
        False, description="Let the search keep part of the budget unspent (worth it when spend is an objective)."
    )

    @model_validator(mode="after")
    def _names(self) -> BudgetSplit:
        if not self.interventions:
            raise ValueError("interventions: name at least one")
        if len(set(self.interventions)) != len(self.interventions):
            raise ValueError("interventions: a name is given twice")
        for name in self.most:
            if name not in self.interventions:
                raise ValueError(f"most.{name}: not one of split.interventions")
        return self


class Objective(StrictModel):
    """A KPI to minimise or maximise (direction defaults to what is better for the KPI)."""

    kpi: str = Field(
        description="Any run KPI of the registry (docs/model.md): steps_to_<P>pct_active, "
        "final_active_share_at_<step>, net_value, total_spend, ..."
    )
    direction: Literal["minimize", "maximize"] | None = None

    @property
    def sense(self) -> str:
        if self.direction is not None:
            return self.direction
        return "minimize" if smaller_is_better(self.kpi) else "maximize"


class Optimization(StrictModel):
    """A search for the best mix, timing and targeting of interventions for one budget."""

    name: Label = Field(description="Short name; results go to results/optimize-<name>/ by default.")
    description: str = ""
    scenario: str = Field(description="Base scenario file, relative to this file; it defines the interventions.")
    budget: Positive = Field(description="The total budget, in the scenario's currency.")
    split: BudgetSplit = Field(description="Which interventions share the budget.")
    decisions: dict[str, Decision] = Field(default_factory=dict, description="Other decisions by dotted path.")
    latest_start: NonNegativeInt | None = Field(None, description="No intervention may start after this week.")
    objectives: list[Objective] = Field(description="One objective, or several for a Pareto front.")
    replications: PositiveInt = Field(2, description="Replications per trial (the same seeds for every trial).")
    trials: PositiveInt = Field(60, description="Most trials of the search.")
    patience: PositiveInt | None = Field(
        None, description="Stop early when this many trials in a row fail to improve the best by `tolerance`."
    )
    tolerance: float = Field(0.0, ge=0, description="Smallest improvement of the first objective that counts.")
    refine: NonNegativeInt | None = Field(
        None,
        description="Trials after the `trials` of the search: a local search around its best point "
        "(search.py); default a quarter of `trials` with one objective, none with several.",
    )
    batch: PositiveInt = Field(4, description="Trials asked at once (fixed, so results do not depend on workers).")
    sampler: Literal["tpe", "cmaes", "random", "nsga2"] | None = Field(
        None, description="Search method: tpe (default, one objective), cmaes, random; nsga2 (several)."
    )
    seed: NonNegativeInt = Field(0, description="Seed of the search and of the replications.")
    steps: PositiveInt | None = Field(None, description="Override the scenario's steps (the horizon).")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Overrides applied to every trial.")
    finalists: PositiveInt = Field(3, description="Best trials re-evaluated at the end.")
    final_replications: PositiveInt = Field(10, description="Replications of the final, paired comparison.")
    playbooks: list[str] = Field(
        default_factory=list, description="Ready scenarios compared with the winner at the same budget."
    )
    posterior: str | None = Field(
        None, description="A calibration's posterior.csv (relative to this file): optimise the mean over its draws."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Optimization:
        if not 1 <= len(self.objectives) <= 3:
            raise ValueError("objectives: give one, two or three")
        if len(self.objectives) > 1 and self.sampler not in (None, "nsga2", "random"):
            raise ValueError(f"sampler: '{self.sampler}' handles one objective; use nsga2 for several")
        if len(self.objectives) > 1 and self.refine:
            raise ValueError("refine: the refinement stage handles one objective; leave it out for several")
        return self

    def refinement(self, trials: int | None = None) -> int:
        """Trials of the refinement stage after a search of `trials` (default the file's)."""
        trials = self.trials if trials is None else trials
        if len(self.objectives) > 1:
            return 0
        return self.refine if self.refine is not None else trials // 4

    @property
    def method(self) -> str:
        return self.sampler or ("tpe" if len(self.objectives) == 1 else "nsga2")


class Problem:
    """A checked optimisation: its file, the resolved base scenario mapping, and how to vary it."""

    def __init__(self, spec: Optimization, base: dict[str, Any], source: Path, posterior: Any = None) -> None:
        self.spec = spec
        self.base = base
        self.source = source
        self.posterior = posterior
        """The posterior draws' table (posterior.py), or None."""

    @property
    def currency(self) -> str:
        """The base scenario's currency, or '' when its economics block names none."""
        return currency_of(self.base)

    def scenario_with(self, shares: dict[str, float], values: dict[str, Any], name: str | None = None) -> Scenario:
        """The base with each split intervention's budget = share * budget and the decisions set
        (through the evaluation layer, like a sweep's design point)."""
        budgets = {f"interventions[{n}].budget": round(share * self.spec.budget, 6) for n, share in shares.items()}
        named = {"name": name} if name is not None else {}
        return scenario_at(self.base, {**budgets, **values, **named}, str(self.source), "decisions", "this trial")


def market_settings(spec: Optimization) -> dict[str, Any]:
    """The `fixed:` settings of the market (population, network, behaviour, steps...): every
    playbook is judged under them, as the candidates are; those of the base's own interventions
    and budget are not a playbook's."""
    return {k: v for k, v in spec.fixed.items() if not k.startswith(LEVERS)}


def read_playbook(path: Path, spec: Optimization, playbook: str, field: str) -> Scenario:
    """A playbook scenario (relative to the optimisation file) under the market's `fixed:` settings."""
    return validate_scenario(read_base(path, playbook, market_settings(spec), field=field), str(path))


def load_problem(path: str | Path) -> Problem:
    """Read and check an optimisation file against its base scenario."""
    path = Path(path)
    shown = str(path)
    spec = read_spec(path, Optimization)
    for objective in spec.objectives:
        problem = kpi_problem(objective.kpi, paired=False)
        if problem:
            raise ScenarioError(shown, "objectives", problem)
    base = read_base(path, spec.scenario, spec.fixed, spec.steps, [o.kpi for o in spec.objectives])
    scenario = validate_scenario(base, shown)
    resolved = yaml.safe_load(scenario_to_yaml(scenario))
    names = [iv.name for iv in scenario.interventions]
    for name in spec.split.interventions:
        if name not in names:
            raise ScenarioError(
                shown, "split.interventions", f"no intervention named '{name}' (valid: {', '.join(names)})"
            )
    for dotted in spec.decisions:
        problem = check_path(resolved, dotted)
        if problem:
            raise ScenarioError(shown, f"decisions.{dotted}", problem)
    for horizon in requirements([o.kpi for o in spec.objectives])[1]:
        if horizon > scenario.steps:
            raise ScenarioError(shown, "objectives", f"step {horizon} is after the horizon ({scenario.steps})")
    for i, playbook in enumerate(spec.playbooks):
        if not (path.parent / playbook).is_file():
            raise ScenarioError(shown, f"playbooks[{i}]", f"file not found: {Path(shown).parent / playbook}")
        read_playbook(path, spec, playbook, f"playbooks[{i}]")  # the market's `fixed:` settings must fit it too
    posterior = None
    if spec.posterior is not None:
        from adoptsim.studies.optimization.posterior import load_draws

        posterior = load_draws(path.parent / spec.posterior, shown, resolved)
    return Problem(spec, resolved, path, posterior)
