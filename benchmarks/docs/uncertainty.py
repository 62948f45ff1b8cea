"""docs/uncertainty.md's measured example: the percentiles over draws and P(beats baseline), and
the sentences that read them, from one `adoptsim compare --uncertain` output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks.docs.blocks import measured, pct

COMMAND = (
    "adoptsim compare scenarios/baseline.yaml scenarios/referral.yaml scenarios/seniors_training.yaml "
    "--uncertain experiments/uncertain/market_inputs.yaml --workers 2"
)


def numbers(folder: Path) -> dict:
    """Each scenario's percentiles and probability of beating the baseline, read from the folder."""
    table = pd.read_csv(folder / "uncertainty.csv")
    draws = pd.read_csv(folder / "uncertain_kpis.csv")
    rounded = ["p5", "p50", "p95", "p_beats_baseline", "ci_low", "ci_high", "wins", "ties"]
    return {
        "kpi": str(table["kpi"].iloc[0]),
        "draws": int(table["draws"].iloc[0]),
        "inputs": sum("." in c for c in draws.columns),  # the inputs' columns are dotted paths
        "scenarios": {
            row.scenario: {
                "baseline": bool(row.is_baseline),
                **{k: None if pd.isna(getattr(row, k)) else round(float(getattr(row, k)), 4) for k in rounded},
            }
            for row in table.itertuples()
        },
        "runs": len(draws),
    }


def render(runs: dict[str, dict]) -> str:
    """The table and its reading."""
    n = runs["compare"]
    scenarios, draws = n["scenarios"], n["draws"]
    base = next(s for s, v in scenarios.items() if v["baseline"])
    others = [s for s in scenarios if s != base]
    lines = [
        f"{len(scenarios)} scenarios x {draws} draws of {n['inputs']} inputs: {n['runs']} runs, "
        f"measured by {measured(n)} on "
        f"the 2-core development machine (shared with other jobs). `{n['kpi']}`:",
        "",
        "| scenario | median [5 %, 95 % over draws] | P(beats baseline) [95 % Jeffreys] |",
        "|---|---|---|",
    ]
    for name, s in scenarios.items():
        p = " " if s["baseline"] else f" {s['p_beats_baseline']:.2f} [{s['ci_low']:.2f}, {s['ci_high']:.2f}] "
        lines.append(f"| {name} | {s['p50']:.3f} [{s['p5']:.3f}, {s['p95']:.3f}] |{p}|")
    added = max(scenarios[s]["p50"] - scenarios[base]["p50"] for s in others)
    spread = scenarios[base]["p95"] - scenarios[base]["p5"]
    wins = {s: scenarios[s]["wins"] for s in others}
    if all(w == draws for w in wins.values()):
        beat = f"yet each playbook beats the baseline in every one of the {draws} draws"
    else:
        beat = (
            "and the playbooks beat it in "
            + ", ".join(f"{w:.0f} ({s})" for s, w in wins.items())
            + f" of the {draws} draws"
        )
    lines += [
        "",
        f"What is not known about the inputs moves the baseline's final share between {pct(scenarios[base]['p5'], 0)} "
        f"and {pct(scenarios[base]['p95'], 0)} (5 % and 95 % over draws), "
        + ("far more than either playbook adds" if spread > 2 * added else "as much as the playbooks add")
        + f"; {beat}, because in a draw both face the same market (same inputs, same seed). Read the bands "
        'for "how far will we get", and the probability for "which choice is better".',
    ]
    return "\n".join(lines)
