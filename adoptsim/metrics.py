"""Per-step aggregates (the Recorder) and the KPIs of one replication computed from them.

Names follow one convention: `n_` counts, `new_` flows in a step, `share_` fractions,
`spend_` money in a step. Row `step` k is the state after k steps; row 0 is the start.

Which KPIs exist, and how each is computed, is the registry in kpis.py; this module applies it
(`run_kpis`, `run_kpi_names`, `requirements`). Intervals over replications are in intervals.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from adoptsim.kpis import HORIZON, KPIS, RunView, lookup
from adoptsim.rivals import outputs as rival_outputs
from adoptsim.schema import OpenFraction, PositiveInt, StrictModel, did_you_mean
from adoptsim.segments import SegmentCounter, segmentations
from adoptsim.stages import Stage

if TYPE_CHECKING:
    from adoptsim.model import StepOutcome, WalletAdoptionModel
    from adoptsim.scenario import Scenario

DEFAULT_TARGETS = (0.10, 0.25, 0.50)


class KpiSettings(StrictModel):
    """Which time-to-target KPIs a run reports, and the steps at which every KPI is also read."""

    targets: list[OpenFraction] = Field(
        list(DEFAULT_TARGETS), description="Shares for steps_to_<P>pct_active and steps_to_<P>pct_ever_adopted."
    )
    horizons: list[PositiveInt] = Field(
        default_factory=list, description="Steps at which every KPI is read too (suffix _at_<step>)."
    )

    @field_validator("targets", "horizons")
    @classmethod
    def _sorted_unique(cls, values: list) -> list:
        return sorted(set(values))


class Recorder:
    """Preallocated columns, one row per step (0..steps)."""

    def __init__(self, model: WalletAdoptionModel, steps: int) -> None:
        rows = steps + 1
        self.rows = 0
        people = model.people
        self.segmentations = segmentations(
            people.age_group, people.region, people.income, people.online, model.age_group_labels, model.region_labels
        )
        self._segments = SegmentCounter(self.segmentations)
        economics = model.spec.economics
        self._payment_values = economics.payment_values(people.income)
        names = [
            "n_unaware",
            "n_aware",
            "n_active",
            "n_lapsed",
            "n_ever_adopted",
            "new_aware",
            "new_adopters",
            "new_lapses",
            "n_merchants_accepting",
            "share_active",
            "share_ever_adopted",
            "share_merchants_accepting",
            "mean_trust",
            "transactions",
            "payment_volume",
            "revenue",
            "margin",
        ]
        names += [f"share_active_{s.name}_{label}" for s in self.segmentations for label in s.labels]
        names += [f"spend_{name}" for name in model.intervention_names] + ["spend_total"]
        names += [f"exhausted_{name}" for name in model.intervention_names]
        names += rival_outputs.column_names(model.rivals, model)
        self.columns: dict[str, np.ndarray] = {name: np.zeros(rows) for name in names}

    def record(self, model: WalletAdoptionModel, row: int, outcome: StepOutcome | None) -> None:
        """Aggregate the model's arrays into row `row`."""
        self.rows = row + 1
        people, c = model.people, self.columns
        counts = np.bincount(people.stage, minlength=len(Stage))
        n = people.size
        c["n_unaware"][row], c["n_aware"][row], c["n_active"][row], c["n_lapsed"][row] = counts
        c["n_ever_adopted"][row] = people.ever_adopted.sum()
        c["share_active"][row] = counts[Stage.ACTIVE] / n
        c["share_ever_adopted"][row] = c["n_ever_adopted"][row] / n
        accepting = model.shops.accepts.sum()
        c["n_merchants_accepting"][row] = accepting
        c["share_merchants_accepting"][row] = accepting / max(model.shops.size, 1)
        c["mean_trust"][row] = people.trust.mean()
        active = people.stage == Stage.ACTIVE
        for segmentation, shares in zip(self.segmentations, self._segments.shares(active), strict=True):
            for label, share in zip(segmentation.labels, shares, strict=True):
                c[f"share_active_{segmentation.name}_{label}"][row] = share
        for spec, run in model.interventions:
            c[f"exhausted_{spec.name}"][row] = float(run.exhausted)
        rival_outputs.record(model.rivals, model, c, row)
        if outcome is not None:
            economics = model.spec.economics
            c["new_aware"][row] = outcome.new_aware
            c["new_adopters"][row] = outcome.new_adopters.sum()
            c["new_lapses"][row] = outcome.new_lapses
            payments = outcome.transactions.sum()
            c["transactions"][row] = payments
            c["payment_volume"][row] = np.multiply(outcome.transactions, self._payment_values).sum()  # no BLAS threads
            c["revenue"][row] = economics.revenue(c["payment_volume"][row], payments)
            c["margin"][row] = economics.margin * c["revenue"][row]
            for name, spend in outcome.spend.items():
                c[f"spend_{name}"][row] = spend
            c["spend_total"][row] = sum(outcome.spend.values())

    def table(self) -> pd.DataFrame:
        """The time series of the steps run so far, as a tidy table."""
        frame = pd.DataFrame({name: values[: self.rows] for name, values in self.columns.items()})
        frame.insert(0, "step", np.arange(len(frame)))
        return frame


# ---------------------------------------------------------------- KPIs of a replication


def kpi_problem(name: str, paired: bool = True) -> str | None:
    """Why `name` is not a KPI (or, with paired=False, not one a single run reports), or None."""
    found = lookup(name)
    if found is None:
        examples = [k.pattern for k in KPIS if k.pattern.isidentifier()] + ["steps_to_30pct_active"]
        return f"unknown metric '{name}' ({did_you_mean(HORIZON.sub(r'\g<base>', name), examples)})"
    if found[0].paired and not paired:
        return f"'{name}' is a difference against a baseline, reported by compare only"
    return None


def smaller_is_better(name: str) -> bool:
    found = lookup(name)
    return bool(found and found[0].smaller_is_better)


def requirements(names: list[str]) -> tuple[list[float], list[int]]:
    """Targets and horizons a list of KPI names needs the runs to report."""
    targets, horizons = set(), set()
    for name in names:
        found = lookup(name)
        if found is None:
            continue
        _, match, horizon = found
        if "p" in match.groupdict():
            targets.add(float(match["p"]) / 100)
        if horizon is not None:
            horizons.add(horizon)
    return sorted(targets), sorted(horizons)


def run_kpi_names(scenario: Scenario, horizons: bool = True) -> list[str]:
    """Every run KPI a scenario reports, in registry order (at the end, then at each horizon)."""
    run = [kpi for kpi in KPIS if not kpi.paired]
    names = [name for kpi in run if kpi.at_horizons for name in kpi.names(scenario)]
    if not horizons:
        return names
    once = [name for kpi in run if not kpi.at_horizons for name in kpi.names(scenario)]
    return names + once + [f"{n}_at_{h}" for h in scenario.kpis.horizons for n in names]


def headline_kpis(scenario: Scenario) -> list[str]:
    """Run KPIs worth printing: all but the per-segment ones."""
    return [n for n in run_kpi_names(scenario) if not lookup(n)[0].pattern.startswith("final_active_share_")]


def run_kpis(series: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """KPIs of one replication from its time series, at the end and at each horizon."""
    population, rate = scenario.population.size, scenario.economics.discount_rate
    views = {None: RunView(series, population, rate)}
    views |= {h: RunView(series.iloc[: h + 1], population, rate) for h in scenario.kpis.horizons}
    kpis: dict[str, float] = {}
    for name in run_kpi_names(scenario):
        kpi, match, horizon = lookup(name)
        kpis[name] = kpi.compute(views[horizon], match)
    return kpis
