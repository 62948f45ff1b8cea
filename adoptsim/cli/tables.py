"""The text tables commands print: a run's KPIs, a ranking of scenarios, paired differences.

Numbers have 4 significant digits, and thousands separators instead of an exponent from 10,000 on.
"""

from __future__ import annotations

import math

import pandas as pd

from adoptsim.figures.formatting import number
from adoptsim.results.kpis import lookup, percent_label
from adoptsim.studies.compare import PAIRED_KPIS, RATIO, ranked


def format_kpi_table(summary: pd.DataFrame, names: list[str] | None = None) -> str:
    """A short text table of one scenario's KPIs: KPI, mean, 95 % CI."""
    rows = [row for _, row in summary.iterrows() if not names or row["metric"] in names]
    width = max([28, *(len(row["metric"]) + 2 for row in rows)])
    lines = [f"{'KPI':<{width}}{'mean':>12}   95 % CI"]
    for row in rows:
        ci = "" if math.isnan(row["ci_low"]) else f"[{_number(row['ci_low'])}, {_number(row['ci_high'])}]"
        reached = "" if row["n"] == row["of"] else f"  (reached in {row['n']}/{row['of']})"
        mean = "never" if math.isnan(row["mean"]) else _number(row["mean"])
        lines.append(f"{row['metric']:<{width}}{mean:>12}   {ci}{reached}")
    return "\n".join(lines)


def _number(value: float, sign: str = "") -> str:
    """4 significant digits; whole numbers with thousands separators from 10,000 on."""
    return number(value, digits=4, grouped_from=1e4, sign=sign)


def _interval(low: float, high: float) -> str:
    return "" if pd.isna(low) or pd.isna(high) else f"[{_number(low)}, {_number(high)}]"


def format_ranking(summary: pd.DataFrame, by: str, currency: str = "") -> str:
    """Scenarios best first by `by`, with its mean and 95 % CI, spend and final active share."""
    direction = "smallest" if lookup(by)[0].smaller_is_better else "largest"
    rows = [["rank", "scenario", by, "95 % CI", "final active", f"spend {currency}".strip()]]
    for rank, row in enumerate(ranked(summary, by).to_dict("records"), start=1):
        rows.append(
            [
                str(rank),
                row["scenario"],
                _number(row[f"{by}_mean"]),
                _interval(row[f"{by}_ci_low"], row[f"{by}_ci_high"]),
                _number(row["final_active_share_mean"]),
                _number(row["total_spend_mean"]),
            ]
        )
    return f"ranked by {by}, {direction} first (mean over replications)\n" + _columns(rows, left=(1, 3))


def shown_differences(names: list[str], by: str, targets: list[float]) -> list[str]:
    """The KPIs the printed table of differences shows (differences.csv holds them all)."""
    wanted = [by, "final_active_share", "final_ever_adopted_share"]
    wanted += [f"steps_to_{percent_label(t)}pct_active" for t in targets]
    wanted += ["total_spend", "customer_value", "net_value", *PAIRED_KPIS[:3], RATIO, "cost_per_expansion_adopter"]
    horizons = sorted({n.rsplit("_at_", 1)[1] for n in names if "_at_" in n}, key=int)
    wanted += [f"{k}_at_{h}" for h in horizons for k in ("incremental_adopters", RATIO)]
    return [n for n in dict.fromkeys(wanted) if n in names]


def format_differences(table: pd.DataFrame, order: list[str], kpis: list[str]) -> str:
    """Paired differences against the baseline, one line per scenario and KPI."""
    rows = [["scenario", "kpi", "difference", "95 % CI"]]
    replications = table["n"].max() if len(table) else 0
    for scenario in order:
        part = table[table["scenario"] == scenario].set_index("kpi")
        first = True
        for name in kpis:
            if name not in part.index:
                continue
            row = part.loc[name]
            difference = _number(row["difference"], "" if name.startswith(RATIO) else "+")
            interval = _interval(row["lower"], row["upper"])
            if row["n"] < replications:
                interval = f"{interval} (from {row['n']} of {replications})".strip()
            rows.append([scenario if first else "", name, difference, interval])
            first = False
    return _columns(rows, left=(0, 1, 3))


def _columns(rows: list[list[str]], left: tuple[int, ...]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    )
