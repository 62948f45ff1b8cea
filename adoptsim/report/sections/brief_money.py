"""The money in a comparison's brief: each cell with its interval or why it has none, whether the
choice pays for itself against the baseline, and which scenarios left their budget unspent."""

from __future__ import annotations

from adoptsim.figures.formatting import money, no_upper_bound, with_interval
from adoptsim.report.ranking import finite
from adoptsim.report.results import Results
from adoptsim.results.windows import shared_budget

COST = "cost_per_incremental_adopter"
EXTRA = "incremental_net_value"
VALUES = (EXTRA, "net_value")
"""Money columns of the ranking: what a scenario adds against the baseline (paired, on common
random numbers), then its own total, which counts users the baseline would have had anyway."""


def money_cell(wide_row: dict, metric: str, currency: str) -> str:
    """Money with its interval; cost per extra adopter says why it is undefined."""
    mean = wide_row.get(f"{metric}_mean")
    if metric == COST and not finite(mean):
        spend = wide_row.get("total_spend_mean")
        if finite(spend) and float(spend) == 0:
            return "undefined (no spend)"
        extra = wide_row.get("incremental_adopters_mean")
        if finite(extra) and float(extra) <= 0:
            return "undefined (no extra adopters)"
        return "-"
    if not finite(mean):
        return "-"
    low, high = wide_row.get(f"{metric}_ci_low"), wide_row.get(f"{metric}_ci_high")
    if wide_row.get(f"{metric}_verdict") == "unbounded":
        return no_upper_bound(mean, currency)
    if metric == "total_spend" and float(mean) == 0:
        return money(0, currency)
    return with_interval(metric, float(mean), float(low), float(high), currency).replace("-0 ", "0 ")


def worth_it(pick: str, rows: dict, baseline: str | None, currency: str) -> str:
    """Whether the choice pays for itself against the baseline (its paired net value's 95 % CI
    above 0, below, or across), and, when it does not, which scenarios do."""
    row = rows[pick]
    low, high = row.get(f"{EXTRA}_ci_low"), row.get(f"{EXTRA}_ci_high")
    if baseline is None or not finite(row.get(f"{EXTRA}_mean")) or not (finite(low) and finite(high)):
        return ""
    value = f"its net value against the baseline is {money_cell(row, EXTRA, currency)}"
    if low > 0:
        return f" It pays for itself: {value}."
    if high < 0:
        verdict = f"It does not pay for itself: {value}"
    else:
        verdict = f"Whether it pays for itself is not clear: {value}, an interval including 0"
    lows = {n: r.get(f"{EXTRA}_ci_low") for n, r in rows.items() if n not in (pick, baseline)}
    paying = [n for n, low in lows.items() if finite(low) and low > 0]
    if not paying:
        return f" {verdict}; no scenario here pays for itself against the baseline."
    named = ", ".join(f"{n} ({money_cell(rows[n], EXTRA, currency)})" for n in paying)
    return f" {verdict}; " + (f"{named} pays for itself." if len(paying) == 1 else f"{named} pay for themselves.")


UNDERSPENT = 0.9
"""A scenario that spent less than this share of its budget is named: ranked "for this budget",
it did not use it (nothing left to buy, or its money could not be spent in the run)."""


def budget_of(scenario: dict) -> float | None:
    """A scenario's money: its shared budget, else the sum of its interventions' own budgets
    (None when one of them has none: no limit to compare with)."""
    shared = shared_budget(scenario)
    if shared is not None:
        return shared
    budgets = [iv.get("budget") for iv in scenario.get("interventions") or []]
    if not budgets or any(b is None for b in budgets):
        return None
    return float(sum(budgets))


def underspent(results: Results, rows: dict, currency: str) -> list[str]:
    """The scenarios that left a tenth or more of their budget unspent, with what they spent."""
    named = []
    for scenario in results.scenarios:
        budget, row = budget_of(scenario), rows.get(scenario["name"], {})
        spent = row.get("total_spend_mean")
        if budget and finite(spent) and float(spent) < UNDERSPENT * budget:
            named.append(
                f"{scenario['name']} {money(float(spent), currency)} of {money(budget, currency)} "
                f"({100 * float(spent) / budget:.0f} %)"
            )
    if not named:
        return []
    return [
        "Spent less than its budget: " + "; ".join(named) + ". Compared for the same budget, these left money "
        "unspent (nothing left to buy in the run, e.g. everyone eligible already trained); their cost per extra "
        "adopter counts only what they spent."
    ]
