"""The KPI registry: every KPI declared once, as Mesa's model reporters are.

An entry (`Kpi`) gives a KPI's name (or a name pattern for a family such as
`steps_to_<P>pct_active`), unit, whether smaller is better, what it means, how it is computed from
one replication's time series, and which names a scenario's runs report. Run KPIs are computed per
replication (metrics.run_kpis) in the order listed here; paired KPIs (no formula: differences
against a baseline on the same seed) are computed by compare.py. Any KPI can be read at a horizon
step as well as at the end: `<name>_at_<step>`. A new KPI is one entry in `KPIS`: metrics, compare,
sweeps, the report and docs/kpis.md all read it from here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from adoptsim.results.kpi_entry import Kpi, RunView
from adoptsim.results.rival_kpis import RIVAL_KPIS
from adoptsim.world.segments import SEGMENTATIONS, segment_labels

if TYPE_CHECKING:
    from adoptsim.scenario.spec import Scenario


def steps_to_reach(share: np.ndarray, level: float) -> float:
    """Time to target by linear interpolation between weekly rows; NaN if never reached.

    With k the first row where share >= level: t* = (k-1) + (level - s_{k-1}) / (s_k - s_{k-1});
    0 if the start already reaches it. Fractional weeks keep small differences visible.
    """
    hits = np.flatnonzero(share >= level)
    if not hits.size:
        return float("nan")
    k = int(hits[0])
    if k == 0:
        return 0.0
    before, after = share[k - 1], share[k]
    return float(k - 1 + (level - before) / (after - before))


def percent_label(level: float) -> str:
    """0.3 -> '30', 0.125 -> '12.5' (the <P> of steps_to_<P>pct_...)."""
    return f"{round(level * 100, 6):g}"


def _first_step(flags: np.ndarray) -> float:
    hits = np.flatnonzero(flags > 0)
    return float(hits[0]) if hits.size else float("nan")


def _cost_per_adopter(v: RunView, m: re.Match) -> float:
    ever = v.column("n_ever_adopted")[-1]
    return float(v.column("spend_total").sum() / ever) if ever else float("nan")


def _segment_labels(scenario: Scenario) -> list[tuple[str, str]]:
    return segment_labels(list(scenario.population.age_groups), list(scenario.population.regions))


RATIO_KPIS = ("cost_per_incremental_adopter", "cost_per_expansion_adopter")
"""Costs per extra adopter: a ratio of two paired means (a cost, not a difference of costs)."""

SEGMENT_PATTERN = "|".join(sorted(SEGMENTATIONS, key=len, reverse=True))
KPIS: tuple[Kpi, ...] = (
    Kpi(
        "final_active_share",
        "share",
        False,
        "share of consumers active at the end",
        lambda v, m: float(v.column("share_active")[-1]),
        label="active share at the end",
    ),
    Kpi(
        "final_ever_adopted_share",
        "share",
        False,
        "share of consumers who ever adopted",
        lambda v, m: float(v.column("n_ever_adopted")[-1] / v.population),
        label="ever adopted at the end",
    ),
    Kpi(
        "ever_adopted",
        "adopters",
        False,
        "consumers who ever adopted, N(T)",
        lambda v, m: float(v.column("n_ever_adopted")[-1]),
        label="consumers who ever adopted",
    ),
    Kpi(
        "peak_weekly_adoptions",
        "adopters/week",
        False,
        "largest number of adoptions in one step",
        lambda v, m: float(v.column("new_adopters").max()),
        label="most adoptions in one week",
    ),
    Kpi(
        "peak_adoption_step",
        "week",
        True,
        "step of the largest number of adoptions",
        lambda v, m: float(v.column("step")[int(v.column("new_adopters").argmax())]),
        label="week of most adoptions",
    ),
    Kpi(
        r"steps_to_(?P<p>\d+(?:\.\d+)?)pct_(?P<what>active|ever_adopted)",
        "duration",
        True,
        "weeks until the share active (or ever adopted) first reaches P %, interpolated; NaN if never",
        lambda v, m: steps_to_reach(v.column(f"share_{m['what']}"), float(m["p"]) / 100),
        lambda s: [
            f"steps_to_{percent_label(t)}pct_{what}" for what in ("active", "ever_adopted") for t in s.kpis.targets
        ],
        label="weeks to {p} % {what}",
    ),
    Kpi(
        "total_transactions",
        "payments",
        False,
        "wallet payments over the run",
        lambda v, m: float(v.column("transactions").sum()),
        label="transactions",
    ),
    Kpi(
        "payment_volume",
        "money",
        False,
        "value of wallet payments over the run",
        lambda v, m: float(v.column("payment_volume").sum()),
    ),
    Kpi(
        "revenue",
        "money",
        False,
        "the wallet's fee revenue over the run",
        lambda v, m: float(v.column("revenue").sum()),
    ),
    Kpi(
        "customer_value",
        "money",
        False,
        "net present value of the margin from wallet use, in the run plus terminal_value (includes value after week T)",
        lambda v, m: v.money()["customer_value"],
        label="customer value (includes value after week T)",
    ),
    Kpi(
        "terminal_value",
        "money",
        False,
        "discounted margin after week T of users active at T, over their expected life at the run's lapse hazard",
        lambda v, m: v.money()["terminal_value"],
        label="value after week T",
    ),
    Kpi(
        "total_spend",
        "money",
        True,
        "money paid by interventions",
        lambda v, m: float(v.column("spend_total").sum()),
        label="total spend",
    ),
    Kpi(
        "net_value",
        "money",
        False,
        "customer value minus discounted intervention spend (includes value after week T)",
        lambda v, m: v.money()["net_value"],
        label="net value (includes value after week T)",
    ),
    Kpi(
        "roi",
        "ratio",
        False,
        "net value per unit of discounted spend (includes value after week T); NaN without spend",
        lambda v, m: v.money()["roi"],
        label="return on spend (includes value after week T)",
    ),
    Kpi(
        "cost_per_adopter",
        "money",
        True,
        "total spend per consumer who ever adopted",
        _cost_per_adopter,
        label="cost per adopter",
    ),
    Kpi(
        rf"final_active_share_(?P<segment>(?:{SEGMENT_PATTERN})_.+)",
        "share",
        False,
        "share of a segment active at the end (age, region, income, online, agegroup_region)",
        lambda v, m: float(v.column(f"share_active_{m['segment']}")[-1]),
        lambda s: [f"final_active_share_{segment}_{label}" for segment, label in _segment_labels(s)],
    ),
    Kpi(
        r"budget_exhausted_step_(?P<name>.+)",
        "week",
        False,
        "first step at which an intervention could not pay for all it wanted; NaN if never",
        lambda v, m: _first_step(v.column(f"exhausted_{m['name']}")),
        lambda s: [f"budget_exhausted_step_{iv.name}" for iv in s.interventions],
        at_horizons=False,
    ),
    *RIVAL_KPIS,
    Kpi(
        "incremental_adopters",
        "adopters",
        False,
        "adopters ahead at week T: N1(T) - N0(T), ever adopted against the baseline (some only came sooner)",
        label="adopters ahead at week T",
    ),
    Kpi(
        "expansion_adopters",
        "adopters",
        False,
        "adopters gained for good: N1(T_L) - N0(T_L) in the long run T_L (the baseline settled, or the cap)",
        at_horizons=False,
        label="adopters gained for good (long run)",
    ),
    Kpi(
        "acceleration_adopter_weeks",
        "adopter-weeks",
        False,
        "adoption that only came sooner: sum_{t<=T_L} max(0, min(N1(t), N0(T_L)) - N0(t))",
        at_horizons=False,
    ),
    Kpi(
        "cost_per_incremental_adopter",
        "money",
        True,
        "incremental spend over adopters ahead at week T, a ratio of means (Fieller interval); "
        "'dominates' when cheaper with more adopters, 'undefined' without spend or extra adopters, "
        "'unbounded' when the extra adopters' interval reaches 0",
        label="cost per adopter ahead at week T",
    ),
    Kpi(
        "cost_per_expansion_adopter",
        "money",
        True,
        "incremental spend to T_L over adopters gained for good, a ratio of means (Fieller interval)",
        at_horizons=False,
        label="cost per adopter gained for good",
    ),
    Kpi("long_run_week", "weeks", False, "the long run T_L: week the baseline settled, or the cap", at_horizons=False),
    Kpi("long_run_extra_spend", "money", True, "spend to T_L against the baseline", at_horizons=False),
    Kpi(
        "incremental_customer_value",
        "money",
        False,
        "customer value against the baseline (includes value after week T)",
    ),
    Kpi(
        "acceleration_value",
        "money",
        False,
        "the part of long-run incremental customer value from earlier adoption",
        at_horizons=False,
    ),
    Kpi(
        "expansion_value",
        "money",
        False,
        "long-run incremental customer value minus its acceleration part (includes value after T_L)",
        at_horizons=False,
    ),
    Kpi(
        "incremental_net_value",
        "money",
        False,
        "incremental customer value minus incremental discounted spend",
        label="net value against the baseline (includes value after week T)",
    ),
)

HORIZON = re.compile(r"(?P<base>.+)_at_(?P<step>\d+)")


def lookup(name: str) -> tuple[Kpi, re.Match, int | None] | None:
    """The registry entry of a KPI name, its match, and its horizon step (None: at the end)."""
    at = HORIZON.fullmatch(name)
    candidates = ([(at["base"], int(at["step"]))] if at else []) + [(name, None)]
    for candidate, horizon in candidates:
        for kpi in KPIS:
            found = kpi.match(candidate)
            if found:
                return kpi, found, horizon
    return None
