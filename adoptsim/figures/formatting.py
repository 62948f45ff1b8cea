"""Numbers and names as a planner reads them: one place for figures, tables and the report.

Money has thousands separators and its currency (`150,000 USD`, never `1.5e+05`); shares are
percentages; parameter paths read `refer_a_friend: reward`, not `interventions[refer_a_friend].reward`.
"""

from __future__ import annotations

import math
import re

from adoptsim.results.kpis import lookup

KINDS = {"share": "share", "weeks": "week", "money": "money", "ratio": "ratio"}
"""How a registered KPI is read, by its unit (anything else is a count)."""

MONEY_WORDS = ("spend", "cost", "value", "revenue", "volume", "budget", "margin")
_THRESHOLD = re.compile(r"^steps_to_(\d+(?:\.\d+)?)pct_(\w+)$")
_PATH_ITEM = re.compile(r"^interventions\[([^\]]+)\]\.(.+)$")


def kpi_kind(name: str) -> str:
    """How a KPI is read: 'share', 'week', 'money', 'ratio' or 'count' (by its unit in the
    registry; other columns by their name)."""
    found = lookup(name)
    if found is not None:
        return KINDS.get(found[0].unit, "count")
    if _THRESHOLD.match(name) or name.endswith("_step"):
        return "week"
    if name == "roi" or name.endswith("_roi"):
        return "ratio"
    if "share" in name:
        return "share"
    if any(word in name for word in MONEY_WORDS):
        return "money"
    return "count"


def kpi_label(name: str) -> str:
    """A KPI's name in words: `steps_to_30pct_active` -> 'weeks to 30 % active'."""
    found = lookup(name)
    if found is not None and found[0].label and found[2] is None:
        return found[0].label
    match = _THRESHOLD.match(name)
    if match:
        return f"weeks to {match.group(1)} % {match.group(2).replace('_', ' ')}"
    return name.replace("_", " ")


def parameter_label(path: str) -> str:
    """A parameter path in words: `interventions[refer_a_friend].reward` -> 'refer_a_friend: reward',
    `behaviour.q_wom` -> 'behaviour: q_wom'."""
    match = _PATH_ITEM.match(path)
    if match:
        return f"{match.group(1)}: {match.group(2)}"
    head, _, rest = path.partition(".")
    return f"{head}: {rest}" if rest else path


def money(value: float, currency: str = "") -> str:
    """`150000` -> '150,000 USD'; cents only below 100 and when there are any."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    digits = 2 if abs(value) < 100 and value != round(value) else 0
    text = f"{value:,.{digits}f}"
    return f"{text} {currency}" if currency else text


def number(value: float) -> str:
    """Counts with thousands separators; small values with three significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def percent(value: float) -> str:
    """A share as a percentage: 0.3012 -> '30.1 %'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{100 * value:.1f} %"


def kpi_value(name: str, value: float, currency: str = "") -> str:
    """A KPI's value formatted by its kind."""
    kind = kpi_kind(name)
    if kind == "share":
        return percent(value)
    if kind == "ratio":
        return percent(value)
    if kind == "money":
        return money(value, currency)
    if kind == "week":
        return "-" if value is None or math.isnan(value) else f"week {value:.0f}"
    return number(value)


def thousands_ticks():
    """A matplotlib tick formatter with thousands separators (the currency goes in the axis label)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{value:,.0f}" if abs(value) >= 100 or value == 0 else f"{value:g}")


def money_axis_label(what: str, currency: str = "") -> str:
    """'total spend (USD)', or 'total spend (money)' when no currency is given."""
    return f"{what} ({currency or 'money'})"


def with_interval(name: str, mean: float, low: float, high: float, currency: str = "") -> str:
    """A KPI with its 95 % CI in words: 'week 57 (54 to 60)', '82.4 % (81.5 to 83.4 %)'; share
    intervals are cut to [0, 1]."""
    text = kpi_value(name, mean, currency)
    if low is None or high is None or math.isnan(low) or math.isnan(high) or math.isnan(mean):
        return text
    if high - low <= 1e-9 * max(abs(mean), 1.0):
        return text
    kind = kpi_kind(name)
    if kind == "week":
        return f"{text} ({low:.0f} to {high:.0f})"
    if kind == "share":
        return f"{text} ({100 * max(low, 0.0):.1f} to {100 * min(high, 1.0):.1f} %)"
    if kind == "ratio":
        return f"{text} ({100 * low:.1f} to {100 * high:.1f} %)"
    if kind == "money":
        return f"{text} ({money(low)} to {money(high)})"
    return f"{text} ({number(low)} to {number(high)})"


def difference(name: str, value: float, low: float, high: float, currency: str = "") -> str:
    """A paired difference of a KPI with its 95 % CI: '-9.5 weeks (-11.0 to -8.0)',
    '+3.2 points (1.0 to 5.4)', '+1,200 USD (800 to 1,600)'."""
    if value is None or math.isnan(value):
        return "-"
    kind = kpi_kind(name)
    if kind == "week":
        unit, show = " weeks", lambda v: f"{v:+.1f}"
    elif kind in ("share", "ratio"):
        unit, show = " points", lambda v: f"{100 * v:+.1f}"
    elif kind == "money":
        unit, show = f" {currency}" if currency else "", lambda v: f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+.2f}"
    else:
        unit, show = "", lambda v: f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+.3g}"
    text = show(value) + unit
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return text
    return f"{text} ({show(low)} to {show(high)})"
