"""Headline KPIs in plain sentences, each with its 95 % confidence interval (and, for a target
reached in only some replications, in how many)."""

from __future__ import annotations

import math
import re

from adoptsim.figures.formatting import kpi_label, with_interval
from adoptsim.report.blocks import Bullets, Text
from adoptsim.report.results import Results

TITLE = "Headline"
THRESHOLD = re.compile(r"^steps_to_(\d+(?:\.\d+)?)pct_(active|ever_adopted)$")
MONEY = ("total_spend", "customer_value", "net_value", "roi")
RATIOS_OF_ALL = ("roi", "cost_per_adopter")
"""Ratios over every user, those the baseline gets anyway included: beside a baseline they order
scenarios differently from what the spending adds (a cheap lever riding the baseline's adopters
reads as the best return), so a comparison shows what each adds against the baseline instead."""


def _value(rows, metric: str, currency: str) -> str | None:
    row = rows.get(metric)
    if row is None or row["mean"] is None or math.isnan(row["mean"]):
        return None
    return with_interval(metric, row["mean"], row["ci_low"], row["ci_high"], currency)


def scenario_sentence(name: str, rows: dict, currency: str, baseline: str | None, steps: int | None) -> str:
    """'paypal_referral: 25 % active in week 46 (45 to 46); 82.4 % active at the end (...); ...'"""
    parts = []
    for metric in sorted(
        rows,
        key=lambda m: (m.endswith("ever_adopted"), float(THRESHOLD.match(m).group(1)) if THRESHOLD.match(m) else 0),
    ):
        match = THRESHOLD.match(metric)
        if not match:
            continue
        what = f"{match.group(1)} % {match.group(2).replace('_', ' ')}"
        value = _value(rows, metric, currency)
        n, of = rows[metric].get("n"), rows[metric].get("of")
        partial = n is not None and of and not math.isnan(n) and 0 < n < of
        if value:
            parts.append(f"{what} in {value}" + (f", reached in {n:.0f} of {of:.0f} replications" if partial else ""))
        else:
            parts.append(f"{what} never reached" + (f" in {steps} weeks" if steps else ""))
    final = _value(rows, "final_active_share", currency)
    if final:
        parts.append(f"{final} active at the end")
    for metric in MONEY:
        if baseline is not None and metric in RATIOS_OF_ALL:
            continue
        value = _value(rows, metric, currency)
        if value and not (metric == "total_spend" and rows[metric]["mean"] == 0):
            parts.append(f"{kpi_label(metric)} {value}")
    if baseline is not None and name != baseline:
        added = _value(rows, "incremental_net_value", currency)
        if added:
            parts.append(f"net value against the baseline {added}")
        extra = _value(rows, "incremental_adopters", currency)
        cost = _value(rows, "cost_per_incremental_adopter", currency)
        if extra:
            parts.append(f"{extra} extra adopters" + (f" at {cost} each" if cost else ""))
    suffix = " (baseline)" if name == baseline else ""
    return f"{name}{suffix}: " + "; ".join(parts) + "."


def render(results: Results) -> list | None:
    if results.kind not in ("run", "compare"):
        return None  # a sweep's best points are in the brief
    kpis = results.kpis
    if kpis is None or kpis.empty:
        return None
    steps = {s["name"]: int(s["steps"]) for s in results.scenarios}
    sentences = []
    for name, part in kpis.groupby("scenario", sort=False):
        rows = {r["metric"]: r for r in part.to_dict("records")}
        sentences.append(scenario_sentence(str(name), rows, results.currency, results.baseline, steps.get(name)))
    blocks: list = [Bullets(sentences)]
    said = ["Numbers in brackets are 95 % confidence intervals of the mean over replications."]
    if results.baseline is None and any(m in set(kpis["metric"]) for m in ("net_value", "roi")):
        said.append(
            "Net value and return on spend count every user's value, those who would have adopted without the "
            "interventions included: what the spending adds needs a comparison against a baseline."
        )
    blocks.append(Text([" ".join(said)]))
    return blocks
