"""Assumptions and caveats: what the intervals mean, which numbers are illustrative and which are
calibrated to data."""

from __future__ import annotations

import math
from collections.abc import Collection

from adoptsim.report.blocks import Bullets
from adoptsim.report.results import Results
from adoptsim.scenario.behaviour import Behaviour

TITLE = "Assumptions and caveats"


def changed_coefficients(scenario: dict, varied: Collection[str] = ()) -> list[str]:
    """Behaviour coefficients the scenario sets away from adoptsim's defaults; one a sweep varies
    (its path in `varied`) says so, since its value in the scenario is only the base's."""
    defaults = Behaviour().model_dump()
    given = scenario.get("behaviour") or {}
    return [
        f"{k} = {v}" + (" in the base, varied by the design (design.csv)" if f"behaviour.{k}" in varied else "")
        for k, v in given.items()
        if k in defaults and defaults[k] != v
    ]


def render(results: Results) -> list | None:
    if results.kind == "calibrate":
        spread = (
            "Parameter intervals are 95 % credible intervals of the ABC-SMC posterior (parameters.csv says on how "
            "many effective particles); the fit's and the forecast's bands are the 2.5th to 97.5th percentiles of "
            "the runs of the posterior draws and of the best fit. They describe what the observed curve leaves "
            "open and simulation noise, not a change of market or of the model."
        )
    elif results.kind == "uncertain":
        spread = (
            "Ranges are the 5th to 95th percentiles over the draws of the uncertain inputs (one run each), and "
            "P(beats baseline) has a Jeffreys interval: they describe the inputs' uncertainty as the file writes it."
        )
    else:
        spread = (
            "Intervals are 95 % confidence intervals of the mean over replications (t distribution); "
            "they describe simulation noise, not uncertainty in the model's assumptions."
        )
    items = [spread, "Weeks count from 0; 'week 57' for a target means the share was reached after 57 weekly steps."]
    if any(results.windows.values()):  # only where the page shows interventions' windows
        items.append(
            "An intervention's actual window ends at its last week with spend once its money ran out: it could not "
            "pay for all it wanted from its own budget or the scenario's shared one."
        )
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
    design = results.table("design.csv") if results.kind == "sweep" else None
    varied = set(design.columns) if design is not None else set()
    for scenario in results.scenarios:
        changed = changed_coefficients(scenario, varied)
        if changed:
            items.append(f"{scenario['name']} sets behaviour coefficients: {', '.join(changed)}.")
    sizes = sorted({int(s["population"]["size"]) for s in results.scenarios})
    if sizes:
        text = (
            f"The simulated population has {', '.join(f'{n:,}' for n in sizes)} consumers: shares carry over to a "
            "market, and counts and value scale with its size"
        )
        budgeted = [
            s["name"]
            for s in results.scenarios
            if s.get("budget") or any(iv.get("budget") for iv in s.get("interventions") or [])
        ]
        if budgeted:
            text += (
                f"; a fixed budget does not ({', '.join(budgeted)}): the same money buys a larger share of a smaller "
                "population, so at another size these scenarios reach other shares"
            )
        items.append(text + ".")
    items += money_counts(results.scenarios)
    if not results.currency and results.kind != "calibrate":  # a calibration reports no money
        items.append("Money is in the scenarios' own units (no currency given in an economics block).")
    return [Bullets(items)]


def money_counts(scenarios: list[dict]) -> list[str]:
    """What every money figure counts, from the scenarios' `economics:` blocks (adoptsim/results/
    economics.py): one sentence per distinct block, naming its scenarios when they differ."""
    distinct: dict[str, tuple[dict, list[str]]] = {}
    for scenario in scenarios:
        economics = scenario.get("economics")
        if isinstance(economics, dict) and {"fee_share", "margin", "discount_rate"} <= economics.keys():
            distinct.setdefault(repr(sorted(economics.items())), (economics, []))[1].append(scenario["name"])
    items = []
    for economics, names in distinct.values():
        unit = f" {economics['currency']}" if economics.get("currency") else ""
        value = economics.get("payment_value") or {}
        bands = " / ".join(f"{float(value.get(band, math.nan)):g}" for band in ("low", "middle", "high"))
        fee = f"{100 * float(economics['fee_share']):g} % of each payment's value"
        if economics.get("fee_per_payment"):
            fee += f" plus {float(economics['fee_per_payment']):g}{unit} a payment"
        d = float(economics["discount_rate"])
        if economics.get("lifetime", True):
            after = (
                "plus the value of the users still active at its end over their expected remaining life (their "
                f"lapse rate over the last {economics.get('hazard_window', 26)} weeks)"
            )
        else:
            after = "only (lifetime: false; users still active at the end count for nothing after it)"
        text = (
            f"money counts the wallet's margin: {fee}, of which it keeps {100 * float(economics['margin']):g} %; "
            f"an average payment is {bands}{unit} for low / middle / high incomes. Customer value is that margin "
            f"over the run {after}, discounted at {100 * d:g} % a week ({100 * ((1 + d) ** 52 - 1):.1f} % a year); "
            "net value subtracts the discounted spend of the interventions. Not counted: adopters gained after the "
            "run, and costs outside the interventions' budgets. These prices are assumptions unless the scenario "
            "sets its market's own."
        )
        items.append(f"In {', '.join(names)}: {text}" if len(distinct) > 1 else text[0].upper() + text[1:])
    return items
