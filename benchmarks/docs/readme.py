"""README.md's answer to the strategist's question: the compare's printout and the sentences that
read it, both from one `adoptsim compare` output, so no figure in the prose can drift from the run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from benchmarks.docs.blocks import measured, printout

COMMAND = (
    "adoptsim compare scenarios/baseline.yaml scenarios/lever_*.yaml --reps 5 "
    "--targets 0.3 --rank-by steps_to_30pct_active --horizon 52 --workers 2"
)
KPI = "steps_to_30pct_active"
SHOWN = 2  # the printout shows every difference of the first scenario and the first of the second
NAMES = {
    "lever_mix": "the mix of all four",
    "lever_training": "training",
    "lever_security": "security",
    "lever_merchant_deals": "merchant deals",
    "lever_referral": "referral",
}
DIFFERENCES = [
    KPI,
    "cost_per_incremental_adopter",
    "cost_per_incremental_adopter_at_52",
    "expansion_adopters",
    "cost_per_expansion_adopter",
    "net_value",
]


def excerpt(lines: list[str]) -> list[str]:
    """The printout up to the second scenario's first difference (the rest is in differences.csv)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("differences against"))
    named = [i for i in range(start + 2, len(lines)) if lines[i] and not lines[i].startswith(" ")]
    return lines[: named[SHOWN - 1] + 1]


def numbers(folder: Path) -> dict:
    """What the README reports, read from the compare's output folder."""
    kpis = pd.read_csv(folder / "kpis.csv").set_index("scenario")
    differences = pd.read_csv(folder / "differences.csv").set_index(["scenario", "kpi"])
    ranking = pd.read_csv(folder / "ranking.csv")
    baseline = str(kpis.index[kpis["is_baseline"]][0])
    resolved = yaml.safe_load((folder / "scenarios" / f"{baseline}.resolved.yaml").read_text())

    def difference(scenario: str, kpi: str) -> list[float | None]:
        row = differences.loc[(scenario, kpi)]
        return [None if pd.isna(row[k]) else round(float(row[k]), 4) for k in ("difference", "lower", "upper")]

    others = [s for s in ranking["scenario"] if s != baseline]
    return {
        "printout": excerpt(printout(folder)),
        "baseline": baseline,
        "consumers": int(resolved["population"]["size"]),
        "replications": int(kpis.loc[baseline, "replications"]),
        "horizon": int(resolved["steps"]),
        "long_run_week": round(float(kpis.loc[others[0], "long_run_week_mean"])),
        "tie_groups": int(ranking["tie_group"].nunique()),
        "scenarios": {
            name: {
                "weeks": round(float(kpis.loc[name, f"{KPI}_mean"]), 2),
                "spend": round(float(kpis.loc[name, "total_spend_mean"])),
                **({} if name == baseline else {kpi: difference(name, kpi) for kpi in DIFFERENCES}),
            }
            for name in ranking["scenario"]
        },
    }


def listed(names: list[str]) -> str:
    """`a, b and c`."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def render(runs: dict[str, dict]) -> str:
    """The printout and the sentences that read it."""
    n = runs["compare"]
    base, horizon = n["baseline"], n["horizon"]
    levers = {k: v for k, v in n["scenarios"].items() if k != base}
    name = {k: NAMES.get(k, k) for k in levers}
    first, *rest = levers
    gain, low, high = (-x for x in levers[first][KPI])
    gains = [-levers[k][KPI][0] for k in rest]
    spends = sorted(levers.items(), key=lambda kv: kv[1]["spend"])
    by_cost = sorted(levers, key=lambda k: levers[k]["cost_per_incremental_adopter"][0])
    ratio = {
        k: levers[k]["cost_per_incremental_adopter_at_52"][0] / levers[k]["cost_per_incremental_adopter"][0]
        for k in levers
    }
    dearer = [r for r in ratio.values() if r > 1]
    cheaper = [f"{name[k]} ({r:.2f} times)" for k, r in ratio.items() if r <= 1]
    by_gain = sorted(levers, key=lambda k: -levers[k]["expansion_adopters"][0])

    def kept(k: str) -> str:
        value, lower, _ = levers[k]["expansion_adopters"]
        cost = levers[k]["cost_per_expansion_adopter"][0]
        each = "an interval that includes 0" if lower is None or lower <= 0 else f"{cost:,.0f} EUR each"
        return f"{name[k]} {value:+,.1f} ({each})"

    pays = [name[k] for k in levers if levers[k]["net_value"][1] > 0]
    unsure = [
        f"{name[k]} (net {levers[k]['net_value'][0]:+,.0f}, interval from {levers[k]['net_value'][1]:+,.0f})"
        for k in levers
        if levers[k]["net_value"][1] <= 0
    ]
    settled = (
        "here every scenario is its own group, so the order is settled at "
        f"{n['replications']} replications even where the ranking's own intervals overlap"
        if n["tie_groups"] == len(n["scenarios"])
        else f"here {n['tie_groups']} groups for {len(n['scenarios'])} scenarios: within a group chance "
        "could order them"
    )
    lines = [
        f"It prints ({n['consumers']:,} consumers, {n['replications']} replications on common random numbers; "
        f"measured by {measured(n)} on two shared cores; `results/compare-baseline-and-5-more/` holds "
        "`ranking.csv`, `kpis.csv`, `differences.csv`, the figures and `question.json`, and `--report` adds "
        "the page with its brief first):",
        "",
        "```",
        *n["printout"],
        "                      ...",
        "...",
        "```",
        "",
        "How to read it (every figure below is in the output above, from the command as written):",
        f"- **Fastest to 30 %**: the ranking. {name[first][0].upper()}{name[first][1:]} reaches 30 % active in week "
        f"{levers[first]['weeks']:.1f}, {gain:.1f} weeks (paired 95 % CI {high:.1f} to {low:.1f}) before the "
        f"{base}; the others gain {min(gains):.1f} to {max(gains):.1f} weeks. The `tie` column groups scenarios "
        f"whose *paired* difference with their group's first includes 0: {settled} (every scenario shares the "
        "random numbers, so the paired differences are sharper than those intervals).",
        f"- **Same budget**: the `spend` column, from {spends[0][1]['spend']:,} ({name[spends[0][0]]}) to "
        f"{spends[-1][1]['spend']:,}.",
        f"- **Cost per extra adopter**: at the end (week {horizon}) "
        + ", ".join(
            f"{name[k]} {'costs ' if i == 0 else ''}{levers[k]['cost_per_incremental_adopter'][0]:.2f}"
            f"{' EUR per adopter it is ahead by' if i == 0 else ''}"
            for i, k in enumerate(by_cost)
        )
        + f"; at week 52 (`_at_52`) they cost {min(dearer):.1f} to {max(dearer):.1f} times as much"
        + (f", except {', '.join(cheaper)}" if cheaper else "")
        + ". Pick the horizon that matters.",
        f"- **Won for good or only sooner**: the {base} still grows at week {horizon}, so compare runs it on "
        f"(same seeds) until its growth stops: here week {n['long_run_week']}. Read there, the adopters kept "
        f"for good (`expansion_adopters`): {'; '.join(kept(k) for k in by_gain)}; the rest of each gain only "
        "brings adoption forward (`acceleration_adopter_weeks`).",
        f"- **Money, counted to the end**: `customer_value` and `net_value` include the value of users still "
        f"active after week {horizon} over their expected remaining life (`docs/model.md`); with the assumed "
        f"`economics:` defaults {listed(pays) or 'no lever'} pay back their spend (`net_value`'s interval above 0)"
        + (f", not surely {', '.join(unsure)}" if unsure else "")
        + ". Set your own fee and margin.",
        "- `kpis.csv` has every scenario's mean and 95 % CI of every KPI; `differences.csv` every difference, "
        "including by segment (`final_active_share_age_60+`, ...) and at week 52.",
    ]
    return "\n".join(lines)
