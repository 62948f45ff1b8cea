"""The brief, first on every report: the question asked, the answer in a sentence, the ranking with
ties marked, cost per extra adopter and net value, how sure, and what would change the answer.

Each folder kind has its own brief (run and compare here; sweep, `compare --uncertain`, calibrate and
optimize in `brief_studies.py`). The question comes from `question.json` where the command wrote one
(`--rank-by`, `--targets`, `--horizon`), else from the folder's own files.
"""

from __future__ import annotations

import math

import pandas as pd

from adoptsim.figures.formatting import kpi_kind, kpi_label, with_interval
from adoptsim.report.blocks import Bullets, Table, Text
from adoptsim.report.ranking import finite, ranking, smaller_is_better, tie_note
from adoptsim.report.results import Results
from adoptsim.report.sections import brief_studies
from adoptsim.report.sections.brief_money import COST, EXTRA, VALUES, money_cell, underspent, worth_it
from adoptsim.report.sections.brief_studies import phrase

TITLE = "The brief"
OPEN = True


def reached(mean: float, low: float, high: float, metric: str, n: int | None, of: int | None) -> str:
    """A KPI with its interval, saying in how many replications a target was reached."""
    if n is not None and of and n == 0:
        return f"not reached (0 of {of} replications)"
    text = with_interval(metric, mean, low, high)
    if n is not None and of and n < of:
        return f"{text}, reached in {n} of {of} replications"
    return text


def asked(results: Results, by: str) -> str:
    """The question in a sentence, from --rank-by and --targets."""
    question = results.question
    best = "smallest" if smaller_is_better(by) else "largest"
    text = f"Which scenario gives the {best} {kpi_label(by)}"
    if by.startswith("steps_to_"):
        text = f"Which scenario reaches {kpi_label(by).removeprefix('weeks to ')} soonest"
    horizons = question.get("horizons") or []
    spend = (
        results.wide is not None and "total_spend_mean" in results.wide and results.wide["total_spend_mean"].max() > 0
    )
    text += ", and what does each extra adopter cost?" if spend else "?"
    if horizons:
        text += f" (KPIs also read at week {', '.join(map(str, horizons))})"
    return text


def compare_brief(results: Results) -> list:
    wide = results.wide
    by = results.question.get("rank_by") or "final_active_share"
    if wide is None or f"{by}_mean" not in wide:
        by = "final_active_share"
    if f"{by}_mean" not in wide:
        return []
    table = ranking(wide, by, results.by_replication)
    rows = {str(r["scenario"]): r for r in wide.to_dict("records")}
    currency, baseline = results.currency, results.baseline
    tied = table[table["tie_group"] == 1]["scenario"].tolist()
    blocks: list = [Text([f"Question: {asked(results, by)}"])]
    blocks.append(Text(["Answer: " + answer(table, rows, by, baseline, currency, tied)]))
    header = ["rank", "scenario", kpi_label(by), "against the first", "spend", "cost per extra adopter"]
    values = [v for v in VALUES if f"{v}_mean" in wide and (v != EXTRA or baseline)]
    header += ["net value against the baseline" if v == EXTRA else kpi_label(v) for v in values]
    cells = []
    for r in table.to_dict("records"):
        row = rows[r["scenario"]]
        name = r["scenario"] + (" (baseline)" if r["scenario"] == baseline else "")
        note = tie_note(r, table) or ("first" if r["rank"] == 1 else behind(r))
        cells.append(
            [
                str(r["rank"]),
                name,
                reached(r["mean"], r["ci_low"], r["ci_high"], by, r["reached"], r["of"]),
                note,
                money_cell(row, "total_spend", currency),
                "-" if r["scenario"] == baseline else money_cell(row, COST, currency),
                *["-" if v == EXTRA and r["scenario"] == baseline else money_cell(row, v, currency) for v in values],
            ]
        )
    blocks.append(
        Table(
            header,
            cells,
            f"Best first by {kpi_label(by)}; brackets: 95 % CI of the mean. Ties: a scenario whose paired difference "
            "with its group's first has a 95 % CI including 0 (or, without pairs, whose interval overlaps). "
            "Also in ranking.csv.",
            header_columns=2,
        )
    )
    blocks.append(Bullets(how_sure(results) + underspent(results, rows, currency)))
    blocks.append(Bullets(would_change(results, table, by)))
    return blocks


def behind(row: dict) -> str:
    """Why a scenario leads a group after the first: its paired difference, its own interval, or a
    target reached in fewer replications (later than the run in the others)."""
    if not finite(row["mean"]):
        return "behind (never reached)" if str(row["metric"]).startswith("steps_to_") else "behind (undefined)"
    if row["tie_test"] == "reached":
        return "behind (reached the target in fewer replications)"
    if row["tie_test"] == "overlap":
        return "behind (95 % intervals do not overlap)"
    return "behind (paired 95 % CI excludes 0)"


def answer(table: pd.DataFrame, rows: dict, by: str, baseline: str | None, currency: str, tied: list[str]) -> str:
    """What to do, in a sentence: the first scenario, or the cheapest of those tied with it."""
    first = table.iloc[0].to_dict()
    if not finite(first["mean"]):
        return f"no scenario reaches {kpi_label(by)} in these runs; run longer or change the target."
    value = reached(first["mean"], first["ci_low"], first["ci_high"], by, first["reached"], first["of"])
    if first["scenario"] == baseline:
        return f"keep the baseline: no scenario beats it on {kpi_label(by)} ({value})."
    candidates = [n for n in tied if n != baseline]
    if len(candidates) > 1:
        costs = {n: rows[n].get(f"{COST}_mean") for n in candidates}
        priced = {n: float(c) for n, c in costs.items() if finite(c)}
        pick = min(priced, key=priced.get) if priced else candidates[0]
        head = (
            f"{', '.join(candidates)} are tied on {kpi_label(by)} (chance alone could order them); "
            f"of those, choose {pick}"
        )
    else:
        pick = first["scenario"]
        head = f"choose {pick}"
    row = rows[pick]
    mine = table.set_index("scenario").loc[pick]
    text = (
        f"{head}: {phrase(by, reached(mine['mean'], mine['ci_low'], mine['ci_high'], by, mine['reached'], mine['of']))}"
    )
    if finite(row.get("total_spend_mean")) and row["total_spend_mean"] > 0:
        text += f", spending {money_cell(row, 'total_spend', currency)}"
        text += f", {money_cell(row, COST, currency)} per extra adopter"
    return text + "." + worth_it(pick, rows, baseline, currency)


def how_sure(results: Results) -> list[str]:
    """What the intervals cover and what they do not."""
    reps = results.wide["replications"].max() if results.wide is not None and "replications" in results.wide else None
    items = [
        f"How sure: {reps} replications per scenario on common random numbers (replication r of every scenario "
        "uses the same seed), so differences come from what the scenarios change."
        if reps
        else "How sure: see the replications in kpis_by_replication.csv.",
        "The 95 % intervals cover simulation noise only: not the behaviour coefficients (illustrative unless "
        "calibrated), the market's size, nor anything the scenarios leave out.",
    ]
    return items


def would_change(results: Results, table: pd.DataFrame, by: str) -> list[str]:
    """The inputs that could change the answer: the margin to the next group, and untested inputs."""
    items = []
    behind = table[table["tie_group"] > 1]
    if len(behind):
        nxt = behind.iloc[0]
        first = table.iloc[0]
        gap = abs(float(nxt["mean"]) - float(first["mean"])) if finite(nxt["mean"]) else math.nan
        if finite(gap):
            if kpi_kind(by) == "share":
                size = f"{100 * gap:.1f} percentage points"
            else:
                size = f"{gap:.3g}" + (" weeks" if by.startswith("steps_to_") else "")
            items.append(
                f"What would change it: the next group starts with {nxt['scenario']}, {size} behind on "
                f"{kpi_label(by)}; an input that moves the scenarios by more than that could reorder them."
            )
    items.append(
        "Untested here: the behaviour coefficients and market inputs. `adoptsim compare --uncertain "
        "experiments/uncertain/market_inputs.yaml` reruns the scenarios over their plausible ranges and says how "
        "often each beats the baseline."
    )
    return items


def run_brief(results: Results) -> list:
    kpis = results.kpis
    if kpis is None or kpis.empty:
        return []
    name = results.scenario_names[0] if results.scenario_names else results.folder.name
    rows = {r["metric"]: r for r in kpis.to_dict("records")}
    targets = [m for m in rows if m.startswith("steps_to_") and m.endswith("pct_active")]
    wanted = [f"steps_to_{round(100 * t)}pct_active" for t in results.question.get("targets") or []]
    targets = [m for m in wanted if m in rows] or targets[:2]
    blocks: list = [Text([f"Question: how does wallet adoption unfold in {name}, and when does it reach its targets?"])]
    parts = []
    for metric in targets:
        r = rows[metric]
        parts.append(phrase(metric, reached(r["mean"], r["ci_low"], r["ci_high"], metric, r.get("n"), r.get("of"))))
    for metric in ("final_active_share", "total_spend", "net_value", "terminal_value"):
        r = rows.get(metric)
        if r is not None and finite(r["mean"]) and not (metric == "total_spend" and r["mean"] == 0):
            parts.append(
                f"{kpi_label(metric)} {with_interval(metric, r['mean'], r['ci_low'], r['ci_high'], results.currency)}"
            )
    blocks.append(Text(["Answer: " + "; ".join(parts) + "."]))
    of = max((int(r.get("of") or 0) for r in rows.values()), default=0)
    blocks.append(
        Bullets(
            [
                f"How sure: {of} replications; brackets are 95 % CIs of the mean over replications. They cover "
                "simulation noise only, not the behaviour coefficients or the market's size.",
                "What would change it: the behaviour coefficients (docs/model.md) and the interventions' budgets; "
                "`adoptsim sweep` or `compare --uncertain` tests them.",
            ]
        )
    )
    return blocks


def render(results: Results) -> list | None:
    kind = results.kind
    if kind == "compare":
        blocks = compare_brief(results)
    elif kind == "run":
        blocks = run_brief(results)
    else:
        blocks = brief_studies.brief(results)
    return blocks or None
