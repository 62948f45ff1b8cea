"""Numbers and names as a planner reads them: one place for figures, tables and the report.

Money has thousands separators and its currency (`150,000 USD`, never `1.5e+05`); shares are
percentages; parameter paths read `refer_a_friend: reward`, not `interventions[refer_a_friend].reward`.
"""

from __future__ import annotations

from adoptsim.results.kpis import lookup
from adoptsim.scenario.paths import split_path

KINDS = {"share": "share", "week": "week", "duration": "duration", "money": "money", "ratio": "ratio"}
"""How a KPI is read, by its unit in the registry: a share, a week (a point in time: 'week 32'), a
duration ('32 weeks'), money, a ratio; any other unit is a count."""


def _missing(value: float | None) -> bool:
    return value is None or value != value  # NaN is the one value unequal to itself


def kpi_kind(name: str) -> str:
    """How a KPI is read: 'share', 'week', 'duration', 'money', 'ratio' or 'count' (by its unit
    in the registry, adoptsim/results/kpis.py; a name the registry does not know is a count)."""
    found = lookup(name)
    return KINDS.get(found[0].unit, "count") if found is not None else "count"


def kpi_label(name: str) -> str:
    """A KPI's name in words, from its registry label (`steps_to_30pct_active` -> 'weeks to 30 %
    active', `roi_at_52` -> 'return on spend at week 52'); otherwise the name with spaces."""
    found = lookup(name)
    if found is None or not found[0].label:
        return name.replace("_", " ")
    kpi, match, horizon = found
    label = kpi.label.format(**{k: v.replace("_", " ") for k, v in match.groupdict().items()})
    if horizon is None:  # the registry's "week T" is the run's horizon, a symbol a reader is not told
        return label.replace("week T", "the run's last week")
    at = f"at week {horizon}"
    for end in ("at the end", "at week T"):  # the label already says when: that is the horizon
        if end in label:
            return label.replace(end, at)
    return f"{label.replace('week T', f'week {horizon}')} {at}"


def _path_text(parts: list[str | int]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int) or part.startswith("["):
            text += f"[{part}]" if isinstance(part, int) else part
        else:
            text += f".{part}" if text else part
    return text


def parameter_label(path: str, currency: str | None = None) -> str:
    """A parameter path in words: `interventions[refer_a_friend].reward` -> 'refer_a_friend: reward',
    `behaviour.q_wom` -> 'behaviour: q_wom' (read by scenario/paths.py's one path parser). With a
    `currency` (the path holds money: `scenario.paths.holds_money`), the label names it:
    'refer_a_friend: reward (EUR)', or '(money)' when the scenario names none ('')."""
    try:
        parts = split_path(path)
    except ValueError:
        parts = [path]
    if len(parts) >= 3 and (isinstance(parts[1], int) or parts[1].startswith("[")):
        label = f"{str(parts[1]).strip('[]')}: {_path_text(parts[2:])}"
    else:
        label = f"{parts[0]}: {_path_text(parts[1:])}" if len(parts) > 1 else path
    return label if currency is None else money_axis_label(label, currency)


def money(value: float, currency: str = "") -> str:
    """`150000` -> '150,000 USD'; cents only below 100 and when there are any."""
    if _missing(value):
        return "-"
    digits = 2 if abs(value) < 100 and value != round(value) else 0
    text = f"{value:,.{digits}f}"
    return f"{text} {currency}" if currency else text


def number(value: float, digits: int = 3, grouped_from: float = 100, sign: str = "") -> str:
    """Whole numbers with thousands separators from `grouped_from` on, smaller values with `digits`
    significant digits (figures and the report: 3 and 100; the commands' text tables: 4 and
    10,000); `sign="+"` shows the sign of differences."""
    if _missing(value):
        return "-"
    if abs(value) >= grouped_from:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.{digits}g}"


def weeks(value: float) -> str:
    """A duration: 32 -> '32 weeks', 1 -> '1 week'."""
    if _missing(value):
        return "-"
    text = f"{value:.0f}"
    return f"{text} week" if text in ("1", "-1") else f"{text} weeks"


def percent(value: float) -> str:
    """A share as a percentage: 0.3012 -> '30.1 %' (a return on spend of 10.9 -> '1,090.8 %')."""
    if _missing(value):
        return "-"
    return f"{100 * value:,.1f} %"


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
        return "-" if _missing(value) else f"week {value:.0f}"
    if kind == "duration":
        return weeks(value)
    return number(value)


def thousands_ticks():
    """A matplotlib tick formatter with thousands separators (the currency goes in the axis label)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{value:,.0f}" if abs(value) >= 100 or value == 0 else f"{value:g}")


def percent_ticks():
    """A matplotlib tick formatter for a share (0 to 1) in percent, as the tables write one: 0.3 ->
    '30 %', 0.025 -> '2.5 %' (six significant digits, so that 100 x 0.07 reads '7 %', not '7.000000000000001 %')."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{100 * value + 0.0:g} %")


def money_axis_label(what: str, currency: str = "") -> str:
    """'total spend (USD)', or 'total spend (money)' when no currency is given."""
    return f"{what} ({currency or 'money'})"


def no_upper_bound(value: float, currency: str = "") -> str:
    """A cost per extra adopter whose Fieller set has no upper bound: the estimate, and why no bound."""
    return f"{money(float(value), currency)} (no upper bound: the extra adopters' interval reaches 0)"


def short_value(value: object, currency: str | None = None) -> str:
    """A swept value as a reader wants it: 0.0213, not 0.021345678901234567; with a `currency` (the
    parameter holds money, as in `parameter_label`), '40 EUR', or '40 money' when none is named."""
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text if currency is None else f"{text} {currency or 'money'}"


def with_interval(name: str, mean: float, low: float, high: float, currency: str = "") -> str:
    """A KPI with its 95 % CI in words: 'week 57 (54 to 60)', '82.4 % (81.5 to 83.4 %)'; share
    intervals are cut to [0, 1]."""
    text = kpi_value(name, mean, currency)
    if _missing(low) or _missing(high) or _missing(mean):
        return text
    if high - low <= 1e-9 * max(abs(mean), 1.0):
        return text
    kind = kpi_kind(name)
    if kind in ("week", "duration"):
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
    if _missing(value):
        return "-"
    kind = kpi_kind(name)
    if kind in ("week", "duration"):
        unit, show = " weeks", lambda v: f"{v:+.1f}"
    elif kind in ("share", "ratio"):
        unit, show = " points", lambda v: f"{100 * v:+.1f}"
    elif kind == "money":
        unit, show = f" {currency}" if currency else "", lambda v: f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+.2f}"
    else:
        unit, show = "", lambda v: number(v, sign="+")
    text = show(value) + unit
    if _missing(low) or _missing(high):
        return text
    return f"{text} ({show(low)} to {show(high)})"
