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
    equivalent = (
        f"{n['equivalent']} of the {n['finalists']} finalists are {as_good} the winner (paired interval "
        f"includes 0): any split with {ranges}."
        if n["equivalent"] > 1
        else f"No other of the {n['finalists']} finalists is {as_good} the winner (every paired interval excludes 0)."
    )
    return ["", equivalent, f"Most important decisions (fANOVA): {importance}."]


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


SEEDS = (30, 40, 50, 60)
"""The seeds the dominated-lever check is run at: 30 is the ready problem's; 60 was added after the
search's refinement stage was written against 30-50, to see it out of sample."""
LIMIT = 0.5
"""What a dominated lever may cost at most (weeks; issue 29)."""


def dominated_numbers(folder: Path) -> dict:
    """What the doc reports of one dominated-lever run, from its summary.json."""
    summary = json.loads((folder / "summary.json").read_text())
    problems = summary["problems"]
    return {
        "seed": summary["seed"],
        "trials": {key: problems[key]["trials"] for key in ("ready", "extra")},
        "refinement_trials": {key: problems[key]["refinement_trials"] for key in ("ready", "extra")},
        "waste": problems["extra"]["shares"]["waste"],
        "waste_first_stage": problems["extra"]["first_stage_shares"]["waste"],
        "weeks": summary["weeks"],
        "replications": summary["replications"],
        "gap": summary["gap_extra_minus_ready"],
        "gap_first_stage": summary["gap_first_stage"],
        "ready_gain": summary["ready_refined_minus_first_stage"],
        "extra_gain": summary["extra_refined_minus_first_stage"],
        "same_winner": {
            key: problems[key]["winner"] == problems[key]["first_stage_winner"] for key in ("ready", "extra")
        },
    }


def _signed(values: list[float]) -> str:
    return f"{values[0]:+.2f} ({values[1]:+.2f} to {values[2]:+.2f})"


def _gain(run: dict, key: str) -> str:
    """What the refinement changed for a problem's winner: none when it kept the same trial."""
    return "0 (the same winner)" if run["same_winner"][key] else _signed(run[f"{key}_gain"])


def render_dominated(runs: dict[str, dict]) -> str:
    """The dominated-lever check at every seed: the table, who wrote each row, and the verdict."""
    from benchmarks.docs.blocks import measured  # benchmarks.docs imports this module

    lines = [
        "| seed | trials (+ refinement) | extra lever minus ready | the same without the refinement | "
        "ready winner, with minus without refinement | extra winner, the same | waste lever's share (without) |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs.values():
        trials = f"{run['trials']['ready']} (+ {run['refinement_trials']['ready']})"
        lines.append(
            f"| {run['seed']} | {trials} | {_signed(run['gap'])} | {_signed(run['gap_first_stage'])} | "
            f"{_gain(run, 'ready')} | {_gain(run, 'extra')} | "
            f"{run['waste']:.1%} ({run['waste_first_stage']:.1%}) |"
        )
    passed = [str(r["seed"]) for r in runs.values() if r["gap"][0] < LIMIT]
    failed = [str(r["seed"]) for r in runs.values() if r["gap"][0] >= LIMIT]
    before = [str(r["seed"]) for r in runs.values() if r["gap_first_stage"][0] < LIMIT]
    apart = [str(r["seed"]) for r in runs.values() if abs(r["gap"][0]) >= LIMIT]
    upper = [r for r in runs.values() if r["gap"][2] < LIMIT]
    mean = sum(r["gap"][0] for r in runs.values()) / len(runs)
    mean_before = sum(r["gap_first_stage"][0] for r in runs.values()) / len(runs)
    gain = sum(r["ready_gain"][0] for r in runs.values()) / len(runs)
    replications = {r["replications"] for r in runs.values()}
    lines += [
        "",
        f"Weeks to 30 % active, paired 95 % intervals over {', '.join(map(str, sorted(replications)))} "
        "replications on common fresh seeds.",
        f"The extra lever costs under {LIMIT} week (mean paired difference) at {len(passed)} of {len(runs)} seeds"
        + (f" (not at seed{'s' if len(failed) > 1 else ''} {', '.join(failed)})" if failed else "")
        + f" (the interval's upper end too at {len(upper)}), without the refinement at {len(before)} of "
        f"{len(runs)}; mean {mean:+.2f} weeks "
        f"(without: {mean_before:+.2f}). The ready problem's winner with the refinement minus without: "
        f"{gain:+.2f} weeks on average."
        + (
            f" The two winners are more than {LIMIT} week apart either way at seed{'s' if len(apart) > 1 else ''} "
            f"{', '.join(apart)}."
            if apart
            else f" The two winners are within {LIMIT} week of each other at every seed."
        ),
        "",
        "Written by:",
        *[f"- seed {run['seed']}: {measured(run)}" for run in runs.values()],
    ]
    return "\n".join(lines)


fastest = problem_numbers(FASTEST, "steps_to_30pct_active", maximise=False)
"""The numbers of the fastest_to_30pct block, from an `optimize` folder of that problem."""
net_value = problem_numbers(NET_VALUE, "net_value", maximise=True)
"""The numbers of the best_net_value block, from an `optimize` folder of that problem."""
