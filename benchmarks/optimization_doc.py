"""docs/optimization.md's measured numbers (its three generated blocks: the two ready problems and
the dominated-lever check), read from output folders and rendered; benchmarks/docs registers them:

    uv run python -m benchmarks.docs optimization optimization_best_net_value optimization_dominated_lever --run
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

FASTEST = "optimizations/fastest_to_30pct.yaml"
NET_VALUE = "optimizations/best_net_value.yaml"


def problem_numbers(problem: str, kpi: str, maximise: bool) -> Callable[[Path], dict]:
    """What the doc reports of a ready problem, read from its `optimize` output folder."""

    def numbers(folder: Path) -> dict:
        candidates = pd.read_csv(folder / "candidates.csv")
        differences = pd.read_csv(folder / "differences.csv")
        differences = differences[differences["kpi"] == kpi].set_index("against")
        equivalent = pd.read_csv(folder / "equivalent.csv")
        importance = pd.read_csv(folder / "importance.csv")
        winner = candidates.iloc[0]
        levers = [c.removeprefix("share_") for c in equivalent.columns if c.startswith("share_")]

        def versus(name: str) -> dict:
            row, candidate = differences.loc[name], candidates.set_index("candidate").loc[name]
            return {
                "name": name,
                "value": round(float(candidate[kpi]), 2),
                "spend": round(float(candidate["total_spend"])),
                "difference": [round(float(row[k]), 2) for k in ("difference", "lower", "upper")],
            }

        playbooks = candidates[candidates["candidate"].str.startswith("playbook ")]
        best_playbook = playbooks.sort_values(kpi, ascending=not maximise).iloc[0]["candidate"]
        return {
            "problem": problem,
            "trials": len(pd.read_csv(folder / "trials.csv")),
            "winner": winner["candidate"],
            "shares": {lever: round(float(equivalent.iloc[0][f"share_{lever}"]), 3) for lever in levers},
            "spend": round(float(winner["total_spend"])),
            "value": [round(float(winner[k]), 2) for k in (kpi, f"{kpi}_lower", f"{kpi}_upper")],
            "replications": int(winner[f"{kpi}_n"]),
            "base": versus("base (even split)"),
            "best_playbook": versus(best_playbook),
            "finalists": int((~candidates["candidate"].str.contains("base|playbook")).sum()),
            "equivalent": len(equivalent),
            "ranges": {
                lever: [
                    round(float(equivalent[f"share_{lever}"].min()), 3),
                    round(float(equivalent[f"share_{lever}"].max()), 3),
                ]
                for lever in levers
            },
            "importance": {row.decision: round(float(row.importance), 3) for row in importance.head(3).itertuples()},
        }

    return numbers


def _measured(n: dict) -> str:
    wall = "not timed" if n["wall_s"] is None else f"took {n['wall_s']} s wall under load (other jobs running)"
    return f"Measured at commit {n['commit']}: `{n['command']}` {wall}, {n['trials']} trials."


def _rest(n: dict, as_good: str) -> list[str]:
    ranges = ", ".join(f"{low:.0%}-{high:.0%} {lever}" for lever, (low, high) in n["ranges"].items())
    importance = ", ".join(f"`{k}` {v:.2f}" for k, v in n["importance"].items())
    return [
        "",
        f"{n['equivalent']} of the {n['finalists']} finalists are {as_good} the winner (paired interval "
        f"includes 0): any split with {ranges}.",
        f"Most important decisions (fANOVA): {importance}.",
    ]


def _versus(n: dict, measure: str, number: str) -> list[str]:
    """The paired-differences table, winner minus the base and the best playbook; `number` formats a
    value of the objective (the same format, signed, for differences)."""
    lines = [f"| against | its {measure} | it spent | difference |", "|---|---|---|---|"]
    for other in (n["base"], n["best_playbook"]):
        difference, low, high = other["difference"]
        signed = number.replace("{:", "{:+")
        lines.append(
            f"| {other['name']} | {number.format(other['value'])} | {other['spend']:,} | "
            f"{signed.format(difference)} ({signed.format(low)} to {signed.format(high)}) |"
        )
    return lines


def render_fastest(n: dict) -> str:
    """The fastest_to_30pct block from its stored numbers."""
    split = ", ".join(f"{share:.0%} {lever}" for lever, share in n["shares"].items())
    lines = [
        _measured(n),
        f"The winner ({n['winner']}: {split}) reaches 30 % active in week {n['value'][0]:.2f} "
        f"({n['value'][1]:.2f} to {n['value'][2]:.2f}, {n['replications']} replications on fresh seeds).",
        "Paired differences, winner minus other (weeks, 95 % interval):",
        "",
        *_versus(n, "weeks to 30 %", "{:.2f}"),
    ]
    return "\n".join([*lines, *_rest(n, "as fast as")])


def render_net_value(n: dict) -> str:
    """The best_net_value block from its stored numbers."""
    split = ", ".join(f"{share:.0%} {lever}" for lever, share in n["shares"].items())
    lines = [
        _measured(n),
        f"The winner ({n['winner']}: {split}) spends {n['spend']:,} and has a net value of {n['value'][0]:,.0f} "
        f"({n['value'][1]:,.0f} to {n['value'][2]:,.0f}, {n['replications']} replications on fresh seeds; "
        "includes value after the run's last week).",
        "Paired differences, winner minus other (net value, 95 % interval):",
        "",
        *_versus(n, "net value", "{:,.0f}"),
    ]
    return "\n".join([*lines, *_rest(n, "as good as")])


def dominated_numbers(folder: Path) -> dict:
    """What the doc reports of the dominated-lever benchmark, from its summary.json."""
    summary = json.loads((folder / "summary.json").read_text())
    problems = summary["problems"]
    return {
        "trials": {key: problems[key]["trials"] for key in ("ready", "extra")},
        "waste": problems["extra"]["shares"]["waste"],
        "weeks": summary["weeks"],
        "replications": summary["replications"],
        "gap": summary["gap_extra_minus_ready"],
    }


def render_dominated(n: dict) -> str:
    """The dominated_lever block from its stored numbers."""
    wall = "not timed" if n["wall_s"] is None else f"took {n['wall_s']} s wall under load"
    gap, low, high = n["gap"]
    return "\n".join(
        [
            f"Measured at commit {n['commit']}: `{n['command']}` {wall}.",
            f"The ready problem ({n['trials']['ready']} trials) and the same with the useless lever "
            f"({n['trials']['extra']} trials; its winner gives it {n['waste']:.1%} of the budget): their winners "
            f"reach 30 % active in week {n['weeks']['ready']:.2f} and {n['weeks']['extra']:.2f} on common fresh "
            f"seeds ({n['replications']} replications); the paired difference, extra lever minus ready, is "
            f"{gap:+.2f} weeks ({low:+.2f} to {high:+.2f}).",
        ]
    )


fastest = problem_numbers(FASTEST, "steps_to_30pct_active", maximise=False)
"""The numbers of the fastest_to_30pct block, from an `optimize` folder of that problem."""
net_value = problem_numbers(NET_VALUE, "net_value", maximise=True)
"""The numbers of the best_net_value block, from an `optimize` folder of that problem."""
