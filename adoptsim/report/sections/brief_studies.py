"""The brief of a study's folder: a sweep, `compare --uncertain`, a calibration, an optimisation.

Their internals change in parallel, so every file is read defensively and by column name: a column
missing means a sentence left out, never an error.
"""

from __future__ import annotations

import pandas as pd

from adoptsim.figures.formatting import kpi_label, kpi_value, parameter_label, short_value, with_interval
from adoptsim.report.blocks import Bullets, Table, Text
from adoptsim.report.ranking import finite, smaller_is_better
from adoptsim.report.results import Results

NOISE = (
    "The intervals cover simulation noise only: not the behaviour coefficients left fixed, the market's size, "
    "nor anything the model leaves out."
)


def phrase(metric: str, value: str) -> str:
    """'30 % active in 70 weeks (68 to 71)' for a target, else 'final active share 58.1 % (...)'."""
    if metric.startswith("steps_to_") and value[:1].isdigit():
        return f"{kpi_label(metric).removeprefix('weeks to ')} in {value}"
    if metric.startswith("steps_to_") and value.startswith("not reached"):
        return f"{kpi_label(metric).removeprefix('weeks to ')} {value}"
    return f"{kpi_label(metric)} {value}"


def _has(table: pd.DataFrame | None, *columns: str) -> bool:
    return table is not None and not table.empty and set(columns) <= set(table.columns)


def swept_parameters(summary: pd.DataFrame) -> list[str]:
    """A sweep's parameter columns in summary.csv: those between `point` and `metric`."""
    columns = list(summary.columns)
    return [c for c in columns[1 : columns.index("metric")] if c not in ("n", "of")]


def sweep_best(results: Results) -> list[tuple[str, dict, list[str], list[str]]]:
    """Per metric: the best design point (direction-aware), its row, the parameters, and the points
    whose 95 % intervals overlap the best's (tied with it). A target is ranked first by the share of
    replications that reached it: a mean of the few that did comes out earlier the fewer they are."""
    summary = results.table("summary.csv")
    if not _has(summary, "point", "metric", "mean"):
        return []
    parameters = swept_parameters(summary)
    found = []
    for metric, part in summary.groupby("metric", sort=False):
        part = part.dropna(subset=["mean"])
        if part.empty:
            continue
        if str(metric).startswith("steps_to_") and _has(part, "n", "of"):
            reached = part["n"] / part["of"]
            part = part[reached == reached.max()]  # the most often reached first
        best = part.loc[part["mean"].idxmin() if smaller_is_better(str(metric)) else part["mean"].idxmax()]
        tied = []
        if _has(part, "ci_low", "ci_high") and finite(best.get("ci_low")):
            overlap = (part["ci_low"] <= best["ci_high"]) & (part["ci_high"] >= best["ci_low"])
            tied = [str(p) for p in part.loc[overlap & (part["point"] != best["point"]), "point"]]
        found.append((str(metric), best.to_dict(), parameters, tied))
    return found


def sweep_never(results: Results) -> list[tuple[str, str]]:
    """The metrics no design point has a value for (a target no replication reached, anywhere),
    each with how many replications a point ran: said in words, never dropped from the answer."""
    summary = results.table("summary.csv")
    if not _has(summary, "point", "metric", "mean"):
        return []
    never = []
    for metric, part in summary.groupby("metric", sort=False):
        if part["mean"].isna().all():
            of = f"0 of {int(part['of'].max())} replications each" if _has(part, "of") else "no replication"
            never.append((str(metric), of))
    return never


def sweep_brief(results: Results) -> list:
    found, never = sweep_best(results), sweep_never(results)
    if not found and not never:
        return []
    summary = results.table("summary.csv")
    parameters = swept_parameters(summary)
    metrics = [kpi_label(m) for m in dict.fromkeys(summary["metric"])]
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
        where = ", ".join(
            f"{parameter_label(p)} = {short_value(best[p], results.currency if results.holds_money(p) else None)}"
            for p in parameters
        )
        value = with_interval(metric, best["mean"], best.get("ci_low"), best.get("ci_high"), results.currency)
        n, of = best.get("n"), best.get("of")
        if finite(n) and finite(of) and int(n) < int(of):
            value += f", reached in {int(n)} of {int(of)} replications"
        line = f"{word} {kpi_label(metric)}: {value} at {where} (point {best['point']})"
        if tied:
            more = f" and {len(tied) - 8} more" if len(tied) > 8 else ""
            line += f"; tied with point{'s' if len(tied) > 1 else ''} {', '.join(tied[:8])}{more} (intervals overlap)"
        lines.append(line + ".")
    for metric, of in never:
        lines.append(f"{kpi_label(metric)[:1].upper()}{kpi_label(metric)[1:]}: not reached at any design point ({of}).")
    blocks.append(Text(["Answer:"]))
    blocks.append(Bullets(lines))
    blocks.append(Bullets(["How sure: " + sweep_replications(results) + NOISE, *sweep_changes(results)]))
    return blocks


def sweep_replications(results: Results) -> str:
    summary = results.table("summary.csv")
    if _has(summary, "of") and int(summary["of"].max()) == 1:
        return "1 replication per design point: no interval, so no two points can be told apart. "
    if _has(summary, "of"):
        return f"{int(summary['of'].max())} replications per design point; brackets are 95 % CIs of the mean. "
    return "brackets are 95 % CIs of the mean over replications. "


def sweep_changes(results: Results) -> list[str]:
    """The parameters that matter most: by sensitivity index where there is one."""
    indices = results.table("sensitivity.csv")
    if not _has(indices, "metric", "parameter"):
        return []
    score = next((c for c in ("ST", "mu_star", "S1") if c in indices), None)
    if score is None:
        return []
    conf = f"{score}_conf" if f"{score}_conf" in indices else None
    lines = []
    for metric, part in indices.groupby("metric", sort=False):
        groups = _overlapping(part.sort_values(score, ascending=False).to_dict("records"), score, conf)
        what = f"What would change {kpi_label(str(metric))} most"
        if conf and any(r[conf] >= abs(r[score]) for r in groups[0]):
            named = _indices(part.sort_values(score, ascending=False).head(3).to_dict("records"), score, conf)
            lines.append(
                f"{what} cannot be told from these samples: {named}; the 95 % intervals are as wide as the indices "
                "themselves (more samples, design.samples, would narrow them)."
            )
            continue
        line = f"{what}: {_indices(groups[0], score, conf)}"
        if len(groups[0]) > 1:
            line += ", whose 95 % intervals overlap (not ordered among themselves)"
        elif len(groups) > 1:
            line += f"; then {_indices(groups[1], score, conf)}"
            line += ", whose 95 % intervals overlap" if len(groups[1]) > 1 else ""
        lines.append(line + ".")
    return lines


def _overlapping(rows: list[dict], score: str, conf: str | None) -> list[list[dict]]:
    """Parameters best first, in groups whose 95 % intervals (index +- conf) overlap their group's first."""
    groups: list[list[dict]] = []
    for r in rows:
        if groups and conf and groups[-1][0][score] - groups[-1][0][conf] <= r[score] + r[conf]:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def _indices(rows: list[dict], score: str, conf: str | None) -> str:
    """'behaviour: p_media (ST 0.62 +- 0.82), ...', at most four."""
    shown = [
        f"{parameter_label(str(r['parameter']))} ({score} {r[score]:.2f}" + (f" ± {r[conf]:.2f})" if conf else ")")
        for r in rows[:4]
    ]
    return ", ".join(shown) + (f" and {len(rows) - 4} more" if len(rows) > 4 else "")


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
    verdict = "choose" if best.get("ci_low", 0) > 0.5 else "no scenario reliably beats the baseline; the most likely is"
    rivals = others.iloc[1:]
    if _has(others, "ci_low", "ci_high"):  # as likely to beat the baseline: which beats the other, draw by draw?
        rivals = rivals[rivals["ci_high"] >= best["ci_low"]]
    duel = _duel(results.table("uncertain_kpis.csv"), kpi, str(best["scenario"]), list(rivals["scenario"]))
    pick, said = duel if duel is not None else (str(best["scenario"]), "")
    if pick is None:
        pick, verdict = str(best["scenario"]), "no clear choice; the most likely to beat the baseline is"
    row = others.set_index("scenario").loc[pick]
    chance = f"{100 * row['p_beats_baseline']:.0f} %"
    if _has(others, "ci_low", "ci_high"):
        chance += f" (95 % interval {100 * row['ci_low']:.0f} to {100 * row['ci_high']:.0f} %)"
    answer = f"Answer: {verdict} {pick}: it beats {base} in {chance} of the draws{said}."
    blocks.append(Text([answer]))
    target = kpi.startswith("steps_to_")
    rows = []
    for r in table.to_dict("records"):
        spread = "-"
        if target or all(finite(r.get(c)) for c in ("p50", "p5", "p95")):
            cells = ("p50", "p5", "p95")
            show = [kpi_value(kpi, r[c], results.currency) if finite(r.get(c)) else "not reached" for c in cells]
            spread = f"{show[0]} ({show[1]} to {show[2]})"
        if target and finite(r.get("reached")):
            spread += f"; reached in {int(r['reached'])} of {int(r['draws'])} draws"
        p = r.get("p_beats_baseline")
        beats = (
            "baseline" if not finite(p) else f"{100 * p:.0f} % ({100 * r['ci_low']:.0f} to {100 * r['ci_high']:.0f} %)"
        )
        rows.append([str(r["scenario"]), spread, beats])
    blocks.append(
        Table(
            ["scenario", f"{kpi_label(kpi)}: median (5th to 95th percentile)", "P(beats baseline)"],
            rows,
            "Percentiles over the draws"
            + ("; a draw that never reached the target counts as later than any week" if target else "")
            + "; P: share of draws in which the scenario beats the baseline on the same draw, a tie (equal"
            + (", or neither reached the target" if target else "")
            + ") counting half, with its 95 % Jeffreys interval.",
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


def _duel(kpis: pd.DataFrame | None, kpi: str, best: str, rivals: list[str]) -> tuple[str | None, str] | None:
    """Between scenarios as likely to beat the baseline, the one that beats each of the others on the
    same draws (its 95 % interval above a half) and the words that say so; None when there is no
    rival or no per-draw table; (None, words) when the draws cannot tell them apart."""
    if not rivals or not _has(kpis, "scenario", "draw", kpi):
        return None
    from adoptsim.studies.uncertainty import head_to_head

    names = [best, *rivals]
    for name in names:
        others = [n for n in names if n != name]
        duels = [(other, *head_to_head(kpis, kpi, name, other)) for other in others]
        if all(low > 0.5 for _, _, low, _ in duels):
            wins = "; ".join(f"{o} in {100 * p:.0f} % ({100 * lo:.0f} to {100 * hi:.0f} %)" for o, p, lo, hi in duels)
            return name, f", about as often as {', '.join(others)}, and on the same draws it beats {wins}"
    return None, (
        f"; {', '.join(rivals)} about as often, and on the same draws none of them beats the others with a 95 % "
        "interval above a half: the inputs' uncertainty cannot separate them"
    )


def brief(results: Results) -> list:
    """The brief for the folder's kind, or [] when its files say too little."""
    from adoptsim.report.sections import brief_fitted

    kind = results.kind
    builder = {
        "sweep": sweep_brief,
        "uncertain": uncertain_brief,
        "calibrate": brief_fitted.calibrate_brief,
        "optimize": brief_fitted.optimize_brief,
    }.get(kind)
    return builder(results) if builder else []
