"""The text tables commands print: a run's KPIs, a ranking of scenarios, paired differences.

Numbers have 4 significant digits, and thousands separators instead of an exponent from 10,000 on.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import pandas as pd

from adoptsim.figures.formatting import kpi_kind, number, percent
from adoptsim.results.kpis import lookup, percent_label
from adoptsim.studies.compare import PAIRED_KPIS, RATIO, RATIOS, ranked

RATIOS_OF_SPEND = ("roi", "cost_per_adopter")
"""KPIs divided by spend: undefined, not 'never reached', when nothing was spent."""


def format_kpi_table(summary: pd.DataFrame, names: list[str] | None = None, currency: str = "") -> str:
    """A short text table of one scenario's KPIs: KPI, mean, 95 % CI ('reached in k of n' for targets)."""
    rows = [row for _, row in summary.iterrows() if not names or row["metric"] in names]
    spend = summary.loc[summary["metric"] == "total_spend", "mean"]
    no_spend = len(spend) > 0 and float(spend.iloc[0]) == 0
    width = max([28, *(len(_name(row["metric"], currency)) + 2 for row in rows)])
    lines = [f"{'KPI':<{width}}{'mean':>12}   95 % CI"]
    for row in rows:
        metric = row["metric"]
        if math.isnan(row["mean"]) and (metric.startswith(RATIOS_OF_SPEND) and no_spend):
            lines.append(f"{_name(metric, currency):<{width}}{'undefined':>12}   (no spend)")
            continue
        ci = "" if math.isnan(row["ci_low"]) else f"[{_value(metric, row['ci_low'])}, {_value(metric, row['ci_high'])}]"
        reached = "" if row["n"] == row["of"] else f"  (reached in {row['n']} of {row['of']} replications)"
        mean = "never" if math.isnan(row["mean"]) else _value(metric, row["mean"])
        lines.append(f"{_name(metric, currency):<{width}}{mean:>12}   {ci}{reached}")
    return "\n".join(lines)


def _name(metric: str, currency: str) -> str:
    """The KPI's name, with its currency where it is money."""
    return f"{metric} ({currency})" if currency and kpi_kind(metric) == "money" else metric


def _value(metric: str, value: float) -> str:
    """Shares and ratios (return on spend) as percentages, as the report writes them; everything
    else as a number."""
    if kpi_kind(metric) in ("share", "ratio") and not pd.isna(value):
        return percent(value)
    return _number(value)


def _number(value: float, sign: str = "") -> str:
    """4 significant digits; whole numbers with thousands separators from 10,000 on; never "-0"."""
    value = 0.0 if value == 0 or abs(value) < 5e-5 else value
    return number(value, digits=4, grouped_from=1e4, sign=sign)


def _interval(low: float, high: float, metric: str = "") -> str:
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"[{_value(metric, low)}, {_value(metric, high)}]" if metric else f"[{_number(low)}, {_number(high)}]"


def format_sweep_best(
    found: list[tuple[str, dict, list[str], list[str]]],
    currency: str = "",
    money: Collection[str] = (),
    never: Sequence[tuple[str, str]] = (),
) -> str:
    """Per metric, the best design point (report.sections.brief_studies.sweep_best: a target first by
    how often it was reached), its mean and 95 % CI and the points tied with it; then each named
    point's parameter values, once (with the currency for the parameters in `money`); then each
    metric of `never` (report.sections.brief_studies.sweep_never): not reached at any point."""
    nowhere = [f"{metric}: not reached at any design point ({of})" for metric, of in never]
    if not found:
        return "\n".join(nowhere)
    from adoptsim.figures.formatting import parameter_label, short_value

    rows = [["metric", "best", "mean", "95 % CI", "at", "tied with (intervals overlap)"]]
    points: dict[str, str] = {}
    for metric, best, parameters, tied in found:
        word = "lowest" if lookup(metric)[0].smaller_is_better else "highest"
        n, of = best.get("n"), best.get("of")
        mean = reached_value(best["mean"], n, of) if metric.startswith("steps_to_") else _value(metric, best["mean"])
        interval = _interval(best.get("ci_low", math.nan), best.get("ci_high", math.nan), metric)
        point = f"point {best['point']}"
        points[point] = ", ".join(
            f"{parameter_label(p)} = {short_value(best[p], currency if p in money else None)}" for p in parameters
        )
        shown = ", ".join(tied[:6]) + (f" and {len(tied) - 6} more" if len(tied) > 6 else "")
        rows.append([_name(metric, currency), word, mean, interval, point, shown or "none"])
    named = [f"{point}: {values}" for point, values in points.items()]
    return "\n".join([_columns(rows, left=(0, 1, 4, 5)), *named, *nowhere])


def reached_value(mean: float, reached: int | None, of: int | None) -> str:
    """A target's mean weeks, saying in how many replications it was reached when not in all; never
    a number for a target never reached."""
    if reached is not None and of and reached == 0:
        return f"never reached (0 of {of})"
    if reached is not None and of and reached < of:
        return f"{_number(mean)} (reached in {reached} of {of})"
    return _number(mean)


def format_ranking(summary: pd.DataFrame, by: str, currency: str = "", table: pd.DataFrame | None = None) -> str:
    """Scenarios best first by `by`, with its mean and 95 % CI, the tie group (tied scenarios share
    one: chance alone could order them), final active share, spend and cost per extra adopter."""
    direction = "smallest" if lookup(by)[0].smaller_is_better else "largest"
    unit = f" {currency}" if currency else ""
    rows = [["rank", "scenario", by, "95 % CI", "tie", "active", f"spend{unit}", f"per extra{unit}"]]
    groups = {} if table is None else dict(zip(table["scenario"], table["tie_group"], strict=True))
    counts = {} if table is None else {r["scenario"]: (r.get("reached"), r.get("of")) for r in table.to_dict("records")}
    order = ranked(summary, by) if table is None else summary.set_index("scenario").loc[table["scenario"]].reset_index()
    for rank, row in enumerate(order.to_dict("records"), start=1):
        cost = row.get(f"{RATIO}_mean")
        if row.get("is_baseline"):
            per = "baseline"
        elif pd.isna(cost):
            per = "undefined (no spend)" if row["total_spend_mean"] == 0 else "undefined"
        else:
            per = _number(cost)
        rows.append(
            [
                str(rank),
                row["scenario"],
                reached_value(row[f"{by}_mean"], *counts.get(row["scenario"], (None, None)))
                if by.startswith("steps_to_")
                else _value(by, row[f"{by}_mean"]),
                _interval(row[f"{by}_ci_low"], row[f"{by}_ci_high"], by),
                str(groups.get(row["scenario"], "")),
                _value("final_active_share", row["final_active_share_mean"]),
                _number(row["total_spend_mean"]),
                per,
            ]
        )
    ties = "; same tie: chance could order them" if groups else ""
    head = f"ranked by {by}, {direction} first (means{ties})\n"
    return head + _columns(rows, left=(1, 3))


def shown_differences(names: list[str], by: str, targets: list[float]) -> list[str]:
    """The KPIs the printed table of differences shows (differences.csv holds them all)."""
    wanted = [by, "final_active_share", "final_ever_adopted_share"]
    wanted += [f"steps_to_{percent_label(t)}pct_active" for t in targets]
    wanted += ["total_spend", "customer_value", "net_value", *PAIRED_KPIS[:3], RATIO, "cost_per_expansion_adopter"]
    horizons = sorted({n.rsplit("_at_", 1)[1] for n in names if "_at_" in n}, key=int)
    wanted += [f"{k}_at_{h}" for h in horizons for k in ("incremental_adopters", RATIO)]
    return [n for n in dict.fromkeys(wanted) if n in names]


def format_differences(table: pd.DataFrame, order: list[str], kpis: list[str], currency: str = "") -> str:
    """Paired differences against the baseline, one line per scenario and KPI (money KPIs name the
    currency, shares differ in percentage points)."""
    rows = [["scenario", "kpi", "difference", "95 % CI"]]
    replications = table["n"].max() if len(table) else 0
    for scenario in order:
        part = table[table["scenario"] == scenario].set_index("kpi")
        first = True
        for name in kpis:
            if name not in part.index:
                continue
            row = part.loc[name]
            difference, interval = _difference(name, row)
            if row["n"] == 0 and name.startswith("steps_to_"):  # never a number for "never reached"
                difference, interval = "undefined", f"(reached by both in 0 of {replications})"
            elif row["n"] < replications:
                interval = f"{interval} (from {row['n']} of {replications})".strip()
            rows.append([scenario if first else "", _name(name, currency), difference, interval])
            first = False
    return _columns(rows, left=(0, 1, 3))


def _difference(name: str, row: pd.Series) -> tuple[str, str]:
    """A difference and its interval in the KPI's unit: shares in percentage points; a cost per
    extra adopter (at the horizon or in the long run) is a ratio, unsigned, or its verdict."""
    if name.split("_at_")[0] in RATIOS:
        if pd.isna(row["difference"]):
            verdict = row.get("verdict")
            return verdict if isinstance(verdict, str) and verdict else "undefined", ""
        if row.get("verdict") == "unbounded":
            return _number(row["difference"]), "no upper bound"  # the extra adopters' CI reaches 0
        return _number(row["difference"]), _interval(row["lower"], row["upper"])
    if kpi_kind(name) == "share":
        points = lambda v: f"{100 * v:+.1f}" if not pd.isna(v) else "-"  # noqa: E731
        interval = "" if pd.isna(row["lower"]) else f"[{points(row['lower'])}, {points(row['upper'])}]"
        return f"{points(row['difference'])} points", interval
    return _number(row["difference"], "+"), _interval(row["lower"], row["upper"])


def _columns(rows: list[list[str]], left: tuple[int, ...]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    )
