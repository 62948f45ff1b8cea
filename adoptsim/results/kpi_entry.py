"""One KPI registry entry (`Kpi`) and the view of a replication its formula reads (`RunView`);
the registry itself is adoptsim/results/kpis.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from adoptsim.results.economics import money_kpis, terminal_value

if TYPE_CHECKING:
    import pandas as pd

    from adoptsim.scenario.spec import Scenario


@dataclass(frozen=True)
class RunView:
    """One replication's time series up to the step KPIs are read at."""

    series: pd.DataFrame
    population: int
    discount_rate: float
    lifetime_window: int = 0
    """Weeks over which the lapse hazard of the terminal value is measured (0: no terminal value)."""

    def column(self, name: str) -> np.ndarray:
        return self.series[name].to_numpy(dtype=float)

    def money(self) -> dict[str, float]:
        """customer_value (in-run margin plus the value of users active at the last row), net_value, roi."""
        margin = self.column("margin")
        terminal = 0.0
        if self.lifetime_window:
            active, lapses = self.column("n_active"), self.column("new_lapses")
            terminal = terminal_value(active, lapses, margin, self.discount_rate, self.lifetime_window)
        return money_kpis(margin, self.column("spend_total"), self.discount_rate, terminal)


@dataclass(frozen=True)
class Kpi:
    """One KPI (or a family by name pattern): unit, direction, meaning, formula."""

    pattern: str
    unit: str
    smaller_is_better: bool
    meaning: str
    compute: Callable[[RunView, re.Match], float] | None = None
    """None for paired KPIs, which compare.py computes against the baseline."""
    family: Callable[[Scenario], list[str]] | None = None
    """The names a scenario reports for a pattern (None: the pattern is the one name)."""
    at_horizons: bool = True
    """Whether it is also read at each horizon step (`<name>_at_<step>`)."""
    label: str = ""
    """Its name in words for figures and the report (default: the name with spaces); a pattern's
    label may name its groups, e.g. 'weeks to {p} % {what}'."""

    def match(self, name: str) -> re.Match | None:
        return re.fullmatch(self.pattern, name)

    def names(self, scenario: Scenario) -> list[str]:
        """The KPI names this entry gives a scenario's runs."""
        return self.family(scenario) if self.family is not None else [self.pattern]

    @property
    def paired(self) -> bool:
        return self.compute is None
