"""The brief of a study's folder: a sweep, `compare --uncertain`, a calibration, an optimisation.

Their internals change in parallel, so every file is read defensively and by column name: a column
missing means a sentence left out, never an error.
"""

from __future__ import annotations

import pandas as pd

from adoptsim.figures.formatting import difference, kpi_label, kpi_value, money, parameter_label, with_interval
from adoptsim.report.blocks import Bullets, Table, Text
from adoptsim.report.ranking import finite, smaller_is_better
from adoptsim.report.results import Results

NOISE = (
    "The intervals cover simulation noise only: not the behaviour coefficients left fixed, the market's size, "
    "nor anything the model leaves out."
)


def phrase(metric: str, value: str) -> str:
    """'30 % active in week 70 (68 to 71)' for a target, else 'final active share 58.1 % (...)'."""
    if metric.startswith("steps_to_") and value.startswith("week"):
        return f"{kpi_label(metric).removeprefix('weeks to ')} in {value}"
    if metric.startswith("steps_to_") and value.startswith("not reached"):
        return f"{kpi_label(metric).removeprefix('weeks to ')} {value}"
    return f"{kpi_label(metric)} {value}"


def _has(table: pd.DataFrame | None, *columns: str) -> bool:
    return table is not None and not table.empty and set(columns) <= set(table.columns)


def sweep_best(results: Results) -> list[tuple[str, dict, list[str], list[str]]]:
    """Per metric: the best design point (direction-aware), its row, the parameters, and the points
    whose 95 % intervals overlap the best's (tied with it)."""
    summary = results.table("summary.csv")
    if not _has(summary, "point", "metric", "mean"):
        return []
    columns = list(summary.columns)
    parameters = [c for c in columns[1 : columns.index("metric")] if c not in ("n", "of")]
    found = []
    for metric, part in summary.groupby("metric", sort=False):
        part = part.dropna(subset=["mean"])
        if part.empty:
            continue
        best = part.loc[part["mean"].idxmin() if smaller_is_better(str(metric)) else part["mean"].idxmax()]
        tied = []
        if _has(part, "ci_low", "ci_high") and finite(best["ci_low"]):
            overlap = (part["ci_low"] <= best["ci_high"]) & (part["ci_high"] >= best["ci_low"])
            tied = [str(p) for p in part.loc[overlap & (part["point"] != best["point"]), "point"]]
        found.append((str(metric), best.to_dict(), parameters, tied))
    return found


def sweep_brief(results: Results) -> list:
    found = sweep_best(results)
    if not found:
        return []
    parameters = found[0][2]
    metrics = [kpi_label(m) for m, *_ in found]
    blocks: list = [
        Text(
            [
                f"Question: how do {', '.join(metrics)} respond to "
                f"{', '.join(parameter_label(p) for p in parameters) or 'the swept parameters'}?"
            ]
        )
    ]
    lines = []
    for metric, best, _, tied in found:
        word = "Lowest" if smaller_is_better(metric) else "Highest"
        where = ", ".join(f"{parameter_label(p)} = {best[p]}" for p in parameters)
        value = with_interval(metric, best["mean"], best.get("ci_low"), best.get("ci_high"), results.currency)
        n, of = best.get("n"), best.get("of")
        if finite(n) and finite(of) and int(n) < int(of):
            value += f", reached in {int(n)} of {int(of)} replications"
        line = f"{word} {kpi_label(metric)}: {value} at {where} (point {best['point']})"
        if tied:
            line += f"; tied with point{'s' if len(tied) > 1 else ''} {', '.join(tied[:8])} (intervals overlap)"
        lines.append(line + ".")
    blocks.append(Text(["Answer:"]))
    blocks.append(Bullets(lines))
    blocks.append(Bullets(["How sure: " + sweep_replications(results) + NOISE, *sweep_changes(results)]))
    return blocks


def sweep_replications(results: Results) -> str:
    summary = results.table("summary.csv")
    if _has(summary, "of"):
        return f"{int(summary['of'].max())} replication(s) per design point; brackets are 95 % CIs of the mean. "
    return "brackets are 95 % CIs of the mean over replications. "


def sweep_changes(results: Results) -> list[str]:
    """The parameters that matter most: by sensitivity index where there is one."""
    indices = results.table("sensitivity.csv")
    if not _has(indices, "metric", "parameter"):
        return []
    score = next((c for c in ("ST", "mu_star", "S1") if c in indices), None)
    if score is None:
        return []
    lines = []
    for metric, part in indices.groupby("metric", sort=False):
        top = part.sort_values(score, ascending=False).head(2)
        named = ", ".join(f"{parameter_label(r['parameter'])} ({score} {r[score]:.2f})" for r in top.to_dict("records"))
        lines.append(f"What would change {kpi_label(str(metric))} most: {named}.")
    return lines


def uncertain_brief(results: Results) -> list:
    table = results.table("uncertainty.csv")
    if not _has(table, "scenario", "p_beats_baseline"):
        return []
    kpi = str(table["kpi"].iloc[0]) if "kpi" in table else "the KPI"
    others = table[~table.get("is_baseline", pd.Series(False, index=table.index)).astype(bool)]
    others = others.dropna(subset=["p_beats_baseline"]).sort_values("p_beats_baseline", ascending=False)
    baseline = table.loc[table.get("is_baseline", pd.Series(False, index=table.index)).astype(bool), "scenario"]
    base = str(baseline.iloc[0]) if len(baseline) else "the baseline"
    draws = int(table["draws"].max()) if "draws" in table else None
    blocks: list = [
        Text(
            [
                f"Question: when the uncertain inputs vary over their plausible ranges, how often does each scenario "
                f"beat {base} on {kpi_label(kpi)}?"
            ]
        )
    ]
    if others.empty:
        return blocks
    best = others.iloc[0]
    chance = f"{100 * best['p_beats_baseline']:.0f} %"
    if _has(others, "ci_low", "ci_high"):
        chance += f" (95 % interval {100 * best['ci_low']:.0f} to {100 * best['ci_high']:.0f} %)"
    verdict = "choose" if best.get("ci_low", 0) > 0.5 else "no scenario reliably beats the baseline; the most likely is"
    blocks.append(Text([f"Answer: {verdict} {best['scenario']}: it beats {base} in {chance} of the draws."]))
    rows = []
    for r in table.to_dict("records"):
        spread = "-"
        if all(finite(r.get(c)) for c in ("p50", "p5", "p95")):
            show = [kpi_value(kpi, r[c], results.currency) for c in ("p50", "p5", "p95")]
            spread = f"{show[0]} ({show[1]} to {show[2]})"
        p = r.get("p_beats_baseline")
        beats = (
            "baseline" if not finite(p) else f"{100 * p:.0f} % ({100 * r['ci_low']:.0f} to {100 * r['ci_high']:.0f} %)"
        )
        rows.append([str(r["scenario"]), spread, beats])
    blocks.append(
        Table(
            ["scenario", f"{kpi_label(kpi)}: median (5th to 95th percentile)", "P(beats baseline)"],
            rows,
            "Percentiles over the draws; P: share of draws in which the scenario beats the baseline on the same draw, "
            "with its 95 % Jeffreys interval.",
        )
    )
    blocks.append(
        Bullets(
            [
                f"How sure: {draws} draws of the uncertain inputs, one run each; the spread covers the inputs' "
                "uncertainty as written in the uncertainty file, not inputs it leaves fixed.",
            ]
        )
    )
    return blocks


def calibrate_brief(results: Results) -> list:
    fit, parameters, forecast = (results.table(n) for n in ("fit.csv", "parameters.csv", "forecast.csv"))
    blocks: list = [
        Text(
            ["Question: which behaviour coefficients reproduce the observed adoption curve, and what do they forecast?"]
        )
    ]
    answer = []
    if _has(parameters, "parameter", "best"):
        shown = []
        for r in parameters.to_dict("records"):
            text = f"{parameter_label(str(r['parameter']))} = {r['best']:.3g}"
            if finite(r.get("lower")) and finite(r.get("upper")):
                text += f" (posterior {r['lower']:.3g} to {r['upper']:.3g})"
            shown.append(text)
        answer.append("best fit " + "; ".join(shown))
    if _has(forecast, "mean"):
        last = forecast.iloc[-1]
        when = str(last.get("time", last.get("step", "")))[:10]
        text = f"forecast at {when}: {last['mean']:,.4g}"
        if finite(last.get("lower")) and finite(last.get("upper")):
            text += f" (band {last['lower']:,.4g} to {last['upper']:,.4g})"
        answer.append(text)
    if answer:
        blocks.append(Text(["Answer: " + "; ".join(answer) + "."]))
    sure = []
    if _has(fit, "observed", "simulated"):
        markets = fit.groupby("market", sort=False) if "market" in fit else [("", fit)]
        for market, part in markets:
            error = (part["simulated"] - part["observed"]).abs()
            share = 100 * error.mean() / (part["observed"].abs().mean() or 1.0)
            held = part[part["heldout"].astype(bool)] if "heldout" in part else part.iloc[0:0]
            where = f" in {market}" if market else ""
            sure.append(
                f"How sure: the fit misses the observed points{where} by {share:.1f} % on average ({len(part)} points"
                + (f", {len(held)} held out" if len(held) else "")
                + ")."
            )
    if _has(parameters, "interval"):
        sure.append(f"Parameter intervals: {parameters['interval'].iloc[0]}.")
    sure.append(
        "A good fit to one curve does not make the forecast's mechanism right: other coefficients may fit as well; "
        "the forecast's band covers the fitted coefficients' spread and simulation noise, not a change of market."
    )
    blocks.append(Bullets(sure))
    return blocks


def optimize_brief(results: Results) -> list:
    candidates, differences = results.table("candidates.csv"), results.table("differences.csv")
    blocks: list = [Text(["Question: which mix, timing and targeting of the interventions does best for the budget?"])]
    if not _has(candidates, "candidate"):
        return blocks
    columns = _kpi_columns(candidates)
    objective = next((k for k in columns if k != "total_spend"), None)
    if objective is None:
        return blocks
    goal = (
        f"reaches {kpi_label(objective).removeprefix('weeks to ')} soonest"
        if objective.startswith("steps_to_")
        else f"gives the {'smallest' if smaller_is_better(objective) else 'largest'} {kpi_label(objective)}"
    )
    blocks[0] = Text([f"Question: which mix, timing and targeting of the interventions {goal} for the budget?"])
    winner = candidates.iloc[0].to_dict()
    mean, low, high = (winner.get(c) for c in columns[objective])
    value = with_interval(objective, mean, low, high, results.currency)
    text = f"Answer: choose {winner['candidate']} ({phrase(objective, value)}"
    if "total_spend" in columns:
        text += f", spending {money(winner[columns['total_spend'][0]], results.currency)}"
    blocks.append(Text([text + "); its settings are in best.yaml." + allocation(results, str(winner["candidate"]))]))
    if _has(differences, "against", "kpi", "difference", "lower", "upper"):
        rows = []
        for r in differences[differences["kpi"] == objective].to_dict("records"):
            tied = finite(r["lower"]) and r["lower"] <= 0 <= r["upper"]
            rows.append(
                [
                    str(r["against"]),
                    difference(objective, r["difference"], r["lower"], r["upper"], results.currency),
                    "equivalent: the interval includes 0"
                    if tied
                    else "the winner is better"
                    if _better(objective, r["difference"])
                    else "the winner is worse",
                ]
            )
        blocks.append(
            Table(
                ["against", f"winner minus other: {kpi_label(objective)}", "verdict"],
                rows,
                "Paired over fresh replications (not the search's own seeds), 95 % t interval.",
            )
        )
        equivalent = [row[0] for row in rows if row[2].startswith("equivalent")]
        blocks.append(
            Text(
                [
                    "Equivalent to the winner (chance alone could order them): " + ", ".join(equivalent) + "."
                    if equivalent
                    else "No other candidate or playbook is equivalent: the winner is better than each."
                ]
            )
        )
    blocks.append(Bullets(["How sure: finalists and playbooks re-run on fresh seeds. " + NOISE]))
    return blocks


def allocation(results: Results, candidate: str) -> str:
    """' Budget split: classes 25 %, refer 25 %, ...' for a winner named 'trial <n>', from trials.csv."""
    trials = results.table("trials.csv")
    number = candidate.removeprefix("trial ").strip()
    if not _has(trials, "trial") or not number.isdigit():
        return ""
    row = trials[trials["trial"] == int(number)]
    shares = [c for c in trials.columns if c.startswith("share_")]
    if row.empty or not shares:
        return ""
    split = ", ".join(f"{c.removeprefix('share_')} {100 * float(row.iloc[0][c]):.0f} %" for c in shares)
    return f" Budget split: {split}."


def _kpi_columns(table: pd.DataFrame) -> dict[str, tuple[str, str | None, str | None]]:
    """KPI -> (mean, low, high) columns, in table order: `<kpi>_mean`/`_ci_low`/`_ci_high` or
    `<kpi>`/`_lower`/`_upper` (optimize's candidates.csv has used both)."""
    found: dict[str, tuple[str, str | None, str | None]] = {}
    names = set(table.columns)
    for column in table.columns:
        if column in ("candidate", "scenario") or not pd.api.types.is_numeric_dtype(table[column]):
            continue
        if column.endswith("_mean"):
            kpi = column[: -len("_mean")]
            found[kpi] = (
                column,
                f"{kpi}_ci_low" if f"{kpi}_ci_low" in names else None,
                f"{kpi}_ci_high" if f"{kpi}_ci_high" in names else None,
            )
        elif f"{column}_lower" in names and f"{column}_upper" in names:
            found[column] = (column, f"{column}_lower", f"{column}_upper")
    return found


def _better(metric: str, difference: float) -> bool:
    return (difference < 0) if smaller_is_better(metric) else (difference > 0)


def brief(results: Results) -> list:
    """The brief for the folder's kind, or [] when its files say too little."""
    kind = results.kind
    builder = {
        "sweep": sweep_brief,
        "uncertain": uncertain_brief,
        "calibrate": calibrate_brief,
        "optimize": optimize_brief,
    }.get(kind)
    return builder(results) if builder else []
