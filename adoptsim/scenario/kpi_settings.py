"""The scenario's `kpis:` block: which time-to-target KPIs its runs report and the horizon steps
at which every KPI is read too (the KPIs themselves: adoptsim/results/kpis.py)."""

from __future__ import annotations

from pydantic import Field, field_validator

from adoptsim.scenario.schema import OpenFraction, PositiveInt, StrictModel

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
