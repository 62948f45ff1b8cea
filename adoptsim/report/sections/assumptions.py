"""Assumptions and caveats: what the intervals mean, which numbers are illustrative and which are
calibrated to data."""

from __future__ import annotations

from adoptsim.report.blocks import Bullets
from adoptsim.report.results import Results
from adoptsim.scenario.behaviour import Behaviour

TITLE = "Assumptions and caveats"


def changed_coefficients(scenario: dict) -> list[str]:
    """Behaviour coefficients the scenario sets away from adoptsim's defaults."""
    defaults = Behaviour().model_dump()
    given = scenario.get("behaviour") or {}
    return [f"{k} = {v}" for k, v in given.items() if k in defaults and defaults[k] != v]


def render(results: Results) -> list | None:
    items = [
        "Intervals are 95 % confidence intervals of the mean over replications (t distribution); "
        "they describe simulation noise, not uncertainty in the model's assumptions.",
        "Weeks count from 0; 'week 57' for a target means the share was reached after 57 weekly steps.",
        "An intervention's actual window ends at its last week with spend once it had spent 99 % of its budget "
        "(its own, or the scenario's shared budget).",
    ]
    if results.kind == "compare":
        items.append("Scenarios ran on common random numbers: replication r of every scenario used the same seed.")
    calibrated = [s["name"] for s in results.scenarios if s.get("calibration") or s.get("calibrated")]
    calibrated_files = [n for n in results.files(".csv") if "calibrat" in n]
    if results.kind == "calibrate":
        items.append(
            "This folder is a calibration: its coefficients are fitted to the observed curve named in its file."
        )
    elif calibrated or calibrated_files:
        items.append(
            "Calibrated to data: "
            + ", ".join(calibrated + calibrated_files)
            + "; every other coefficient is illustrative."
        )
    else:
        items.append(
            "Illustrative, not calibrated: the behaviour coefficients (adoptsim's defaults, docs/model.md, or "
            "the scenario's own) give a plausible S-shaped adoption curve; none is fitted to a market's data."
        )
    for scenario in results.scenarios:
        changed = changed_coefficients(scenario)
        if changed:
            items.append(f"{scenario['name']} sets behaviour coefficients: {', '.join(changed)}.")
    sizes = sorted({int(s["population"]["size"]) for s in results.scenarios})
    if sizes:
        items.append(
            f"The simulated population has {', '.join(f'{n:,}' for n in sizes)} consumers: shares carry over to a "
            "market, counts and money scale with its size."
        )
    if not results.currency:
        items.append("Money is in the scenarios' own units (no currency given in an economics block).")
    return [Bullets(items)]
