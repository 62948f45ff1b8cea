"""Statistics of replications: means with t intervals, paired differences, Fieller's ratio
interval, and the tidy summary every command writes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoptsim.results.kpis import lookup


def t_quantile(p: float, df):
    """Student's t quantile t_df(p), elementwise over df; scipy.special's (what scipy.stats.t.ppf
    calls), because importing scipy.stats would add half a second to every command."""
    from scipy.special import stdtrit

    return stdtrit(df, p)


def ci_half_width(sd, n, level: float = 0.95):
    """Half-width of the t-based confidence interval of a mean: t_{n-1} * sd / sqrt(n).

    Works elementwise on arrays and Series (sd and n per group); meaningless for n < 2.
    """
    return t_quantile(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the t-based confidence interval of the mean (NaN bounds for one value)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = ci_half_width(values.std(ddof=1), values.size, level)
    return mean, mean - half, mean + half


def summarize(
    table: pd.DataFrame, metrics: list[str], by: list[str] | None = None, horizon: int | None = None
) -> pd.DataFrame:
    """Tidy summary: one row per group and metric with n, mean, sd, ci_low, ci_high (95 %).

    Intervals are clipped to what the metric can be: shares to [0, 1]; weeks to [0, the week it is
    read at], a `_at_<step>` KPI's step or else `horizon`, the run's last week (a mean of weeks to
    a target reached at 101 and 103 of 104 has a t interval reaching 105). `n` counts
    replications where the metric is defined (e.g. a threshold actually reached).
    """
    rows = []
    groups = table.groupby(by, sort=False) if by else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            values = part[metric].to_numpy(dtype=float)
            defined = values[~np.isnan(values)]
            mean, low, high = mean_ci(defined)
            found = lookup(metric)
            if found and found[0].unit == "share" and not np.isnan(low):
                low, high = max(low, 0.0), min(high, 1.0)
            if found and found[0].unit in ("week", "duration") and not np.isnan(low):
                last = found[2] if found[2] is not None else horizon
                low, high = max(low, 0.0), high if last is None else min(high, float(last))
            sd = float(defined.std(ddof=1)) if defined.size > 1 else float("nan")
            rows.append(
                {
                    **dict(zip(by or [], key, strict=True)),
                    "metric": metric,
                    "n": defined.size,
                    "of": values.size,
                    "mean": mean,
                    "sd": sd,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(rows)


def paired_ci(baseline: np.ndarray, other: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of the paired differences other_r - baseline_r with its t interval.

    Replications where either value is undefined (NaN) drop out of both.
    """
    return mean_ci(np.asarray(other, dtype=float) - np.asarray(baseline, dtype=float), level)


def fieller(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Ratio of means R = mean(x)/mean(y) of paired samples, with Fieller's interval.

    The bounds are the roots in R of (x̄ - R ȳ)^2 = t^2 (s_xx - 2 R s_xy + R^2 s_yy) / n, i.e.
    a R^2 + b R + c = 0 with a = ȳ^2 - g s_yy, b = -2 (x̄ ȳ - g s_xy), c = x̄^2 - g s_xx, g = t^2/n.
    When a <= 0 (ȳ not clearly away from 0) the set is unbounded and the bounds are NaN.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = x.size
    if n == 0 or y.mean() == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(x.mean() / y.mean())
    if n < 2:
        return ratio, float("nan"), float("nan")
    covariance = np.cov(x, y, ddof=1)
    g = t_quantile(0.5 + level / 2, n - 1) ** 2 / n
    a = y.mean() ** 2 - g * covariance[1, 1]
    b = -2 * (x.mean() * y.mean() - g * covariance[0, 1])
    c = x.mean() ** 2 - g * covariance[0, 0]
    discriminant = b * b - 4 * a * c
    if a <= 0 or discriminant < 0:
        return ratio, float("nan"), float("nan")
    root = np.sqrt(discriminant)
    return ratio, float((-b - root) / (2 * a)), float((-b + root) / (2 * a))
