"""The measured numbers of docs/optimization.md: what an `optimize` output folder says, and how the
doc shows it. The block is written and checked by `uv run python -m benchmarks.docs optimization`
(benchmarks/docs: --run, --from DIR, --check), like every doc's measured numbers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = "optimizations/fastest_to_30pct.yaml"
KPI = "steps_to_30pct_active"


def numbers(folder: Path, wall: float | None, commit: str | None = None) -> dict:
    """What the doc reports, read from an `optimize` output folder."""
    candidates = pd.read_csv(folder / "candidates.csv")
    differences = pd.read_csv(folder / "differences.csv")
    differences = differences[differences["kpi"] == KPI].set_index("against")
    equivalent = pd.read_csv(folder / "equivalent.csv")
    importance = pd.read_csv(folder / "importance.csv")
    winner = candidates.iloc[0]
    levers = [c.removeprefix("share_") for c in equivalent.columns if c.startswith("share_")]

    def versus(name: str) -> dict:
        row, candidate = differences.loc[name], candidates.set_index("candidate").loc[name]
        return {
            "name": name,
            "weeks": round(float(candidate[KPI]), 2),
            "spend": round(float(candidate["total_spend"])),
            "difference": [round(float(row[k]), 2) for k in ("difference", "lower", "upper")],
        }

    playbooks = candidates[candidates["candidate"].str.startswith("playbook ")]
    best_playbook = playbooks.sort_values(KPI).iloc[0]["candidate"]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "problem": PROBLEM,
        "commit": commit or head.stdout.strip(),
        "wall_s": None if wall is None else round(wall),
        "trials": len(pd.read_csv(folder / "trials.csv")),
        "winner": winner["candidate"],
        "shares": {lever: round(float(equivalent.iloc[0][f"share_{lever}"]), 3) for lever in levers},
        "weeks": [round(float(winner[k]), 2) for k in (KPI, f"{KPI}_lower", f"{KPI}_upper")],
        "replications": int(winner[f"{KPI}_n"]),
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


def render(n: dict) -> str:
    """The doc's block from the stored numbers."""
    split = ", ".join(f"{share:.0%} {lever}" for lever, share in n["shares"].items())
    ranges = ", ".join(f"{low:.0%}-{high:.0%} {lever}" for lever, (low, high) in n["ranges"].items())
    wall = "not timed" if n["wall_s"] is None else f"took {n['wall_s']} s wall under load (other jobs running)"
    lines = [
        f"Measured at commit {n['commit']}: `adoptsim optimize {n['problem']} --workers 2` {wall}, "
        f"{n['trials']} trials.",
        f"The winner ({n['winner']}: {split}) reaches 30 % active in week {n['weeks'][0]:.2f} "
        f"({n['weeks'][1]:.2f} to {n['weeks'][2]:.2f}, {n['replications']} replications on fresh seeds).",
        "Paired differences, winner minus other (weeks, 95 % interval):",
        "",
        "| against | its weeks to 30 % | it spent | difference |",
        "|---|---|---|---|",
    ]
    for other in (n["base"], n["best_playbook"]):
        low, high = other["difference"][1:]
        lines.append(
            f"| {other['name']} | {other['weeks']:.2f} | {other['spend']:,} | "
            f"{other['difference'][0]:+.2f} ({low:+.2f} to {high:+.2f}) |"
        )
    importance = ", ".join(f"`{k}` {v:.2f}" for k, v in n["importance"].items())
    lines += [
        "",
        f"{n['equivalent']} of the {n['finalists']} finalists are as fast as the winner (paired interval "
        f"includes 0): any split with {ranges}.",
        f"Most important decisions (fANOVA): {importance}.",
    ]
    return "\n".join(lines)


def main() -> None:
    """The old entry point: the shared CLI for this block."""
    from benchmarks.docs.__main__ import main as docs

    docs(["optimization", *sys.argv[1:]])


if __name__ == "__main__":
    main()
