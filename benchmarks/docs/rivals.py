"""docs/rivals.md's bank entering a super-app's market: the table and the sentences that read it,
from one `adoptsim compare` of the bank alone and with its niche levers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from benchmarks.docs.blocks import measured, pct

COMMAND = (
    "adoptsim compare scenarios/bank_entry.yaml scenarios/bank_entry_niche.yaml --reps 5 "
    "--rank-by final_market_share_focal_age_60+ --workers 2"
)
RIVAL = "superapp"
ROWS = [  # KPI, decimals shown
    ("final_market_share_focal", 3),
    ("final_market_share_focal_age_60+", 3),
    ("final_market_share_focal_region_rural", 3),
    ("final_market_share_focal_age_45-59", 3),
    ("final_market_share_focal_age_18-29", 3),
    ("final_focal_share_of_users", 2),
    ("final_active_share", 2),
]
MEANS = [f"switches_to_{RIVAL}", f"switches_from_{RIVAL}", "total_spend"]


def numbers(folder: Path) -> dict:
    """The two scenarios' means and their paired differences, read from the compare's folder."""
    kpis = pd.read_csv(folder / "kpis.csv").set_index("scenario")
    differences = pd.read_csv(folder / "differences.csv").set_index(["scenario", "kpi"])
    base = str(kpis.index[kpis["is_baseline"]][0])
    other = str(kpis.index[~kpis["is_baseline"]][0])
    resolved = yaml.safe_load((folder / "scenarios" / f"{base}.resolved.yaml").read_text())
    return {
        "baseline": base,
        "other": other,
        "consumers": int(resolved["population"]["size"]),
        "steps": int(resolved["steps"]),
        "replications": int(kpis.loc[base, "replications"]),
        "rows": {
            kpi: {
                "means": [round(float(kpis.loc[s, f"{kpi}_mean"]), 5) for s in (base, other)],
                "difference": [
                    round(float(differences.loc[(other, kpi), k]), 5) for k in ("difference", "lower", "upper")
                ],
            }
            for kpi, _ in ROWS
        },
        "means": {kpi: [round(float(kpis.loc[s, f"{kpi}_mean"]), 1) for s in (base, other)] for kpi in MEANS},
    }


def render(runs: dict[str, dict]) -> str:
    """The table and its reading."""
    n = runs["compare"]
    rows, means = n["rows"], n["means"]
    lines = [
        f"Measured ({n['consumers']:,} consumers, {n['steps']} weeks, {n['replications']} replications on common "
        f"seeds) by {measured(n)}:",
        "",
        f"| KPI | {n['baseline']} | {n['other']} | paired difference [95 % CI] |",
        "|---|---|---|---|",
    ]
    for kpi, places in ROWS:
        (a, b), (d, low, high) = rows[kpi]["means"], rows[kpi]["difference"]
        lines.append(
            f"| `{kpi}` | {a:.{places}f} | {b:.{places}f} | {d:+.{places}f} [{low:.{places}f}, {high:.{places}f}] |"
        )
    to, back = means[f"switches_to_{RIVAL}"], means[f"switches_from_{RIVAL}"]
    lines += [
        f"| `switches_to_{RIVAL}` / `switches_from_{RIVAL}` | {to[0]:.0f} / {back[0]:.0f} | "
        f"{to[1]:.0f} / {back[1]:.0f} | |",
        f"| `total_spend` | {means['total_spend'][0]:,.0f} | {means['total_spend'][1]:,.0f} | |",
        "",
        "Without levers the bank's wallet is held by "
        f"{pct(rows['final_focal_share_of_users']['means'][0], 0)} of wallet users after two years but is the "
        f"primary wallet of {pct(rows['final_market_share_focal']['means'][0], 1)}: the "
        "incumbent's merchants (90 % against 15 %) and users make it the better wallet for almost everyone who "
        "holds both. The levers move the young least (18-29: "
        f"{pct(rows['final_market_share_focal_age_18-29']['means'][0], 1)} to "
        f"{pct(rows['final_market_share_focal_age_18-29']['means'][1], 1)}) but make the bank's wallet the primary one "
        f"of {pct(rows['final_market_share_focal_age_60+']['means'][1], 0)} of older wallet users and "
        f"{pct(rows['final_market_share_focal_region_rural']['means'][1], 0)} of rural ones: a niche where its trust "
        "(security campaign), its classes and its local merchants outweigh the super-app's reach. Switching then "
        f"runs both ways: {to[1]:.0f} to the super-app, {back[1]:.0f} back.",
    ]
    return "\n".join(lines)
