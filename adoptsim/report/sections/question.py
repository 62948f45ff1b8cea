"""The question the folder answers and the scenarios in words, with every intervention's planned
and actual window and when its money ran out."""

from __future__ import annotations

from adoptsim.figures import plots
from adoptsim.figures.formatting import money, parameter_label
from adoptsim.report.blocks import Bullets, Table, Text, chart
from adoptsim.report.results import Results
from adoptsim.results.windows import Window

TITLE = "The question and the scenarios"


def question(results: Results) -> str:
    """The question in one sentence, by the kind of command that wrote the folder."""
    names = results.scenario_names
    if results.kind == "compare":
        others = [n for n in names if n != results.baseline]
        return (
            f"{len(others)} scenarios against {results.baseline} (the baseline). Every scenario ran on "
            "the same random numbers (replication r of each uses the same seed), so differences come from "
            "what the scenarios change, not from chance."
        )
    if results.kind == "sweep":
        design = results.table("design.csv")
        parameters = [parameter_label(c) for c in design.columns if c != "point"] if design is not None else []
        return f"How do the results respond to {', '.join(parameters) or 'the swept parameters'}?"
    if results.kind == "run":
        return f"How does wallet adoption unfold in {names[0] if names else 'this scenario'}?"
    if results.kind == "optimize":
        return "The winner as a scenario (best.yaml, runnable with adoptsim run):"
    return ""


BASE = {
    "sweep": "; each design point changes the swept parameters (design.csv), whatever the description says",
    "uncertain": "; each draw changes the uncertain inputs (uncertainty.resolved.yaml)",
}
"""Where the scenario listed is a base the runs changed, not what ran."""


def render(results: Results) -> list | None:
    asked = question(results)
    if not asked and not results.scenarios:
        return None
    blocks: list = [Text([asked])] if asked else []
    currency = results.currency
    scenarios = results.scenarios
    if scenarios:
        blocks.append(
            Bullets(
                [
                    f"{s['name']}: {' '.join(str(s.get('description') or '').split()) or 'no description'} "
                    f"({s['population']['size']:,} consumers, {s['steps']} weeks, seed {s.get('seed')})"
                    + BASE.get(results.kind, "")
                    for s in scenarios
                ]
            )
        )
        results.use("scenario.resolved.yaml")
    rows = []
    for name, windows in results.windows.items():
        scenario = next(s for s in scenarios if s["name"] == name)
        budgets = {str(iv["name"]): iv.get("budget") for iv in scenario["interventions"]}
        shared = scenario.get("budget")
        for w in windows:
            if w.ran_out is None:
                ran_out = "no"
            else:
                ran_out = f"after week {w.ran_out:.0f} in {w.ran_out_in} of {w.replications} replications"
            budget = budgets.get(w.name)
            rows.append(
                [
                    name,
                    w.name,
                    w.type.replace("_", " "),
                    f"{w.start} to {w.planned_end}",
                    "never" if w.end < w.start else acting(w),
                    money(budget, currency) if budget is not None else "shared" if shared else "none",
                    ran_out,
                ]
            )
    if rows:
        columns = ["scenario", "intervention", "type", "planned (weeks)", "acting (weeks)", "budget", "money ran out"]
        blocks.append(
            Table(
                columns,
                rows,
                "Weeks count from 0; the actual window ends at the last week with spend "
                "when the budget ran out (median over replications). 'Nothing paid after week w': its money "
                "lasted, but it paid for nothing more (e.g. no one left in its target to train or contact).",
                header_columns=2,
            )
        )
        steps = max(int(s["steps"]) for s in scenarios)
        windows = {n: ws for n, ws in results.windows.items() if ws}
        blocks.append(
            chart(
                "Interventions on a timeline",
                plots.timeline_figure(windows, steps, results.scenario_names),
                "Hatched: planned window. Solid: weeks it acted. A bar mark: its money ran out.",
            )
        )
    return blocks


def acting(window: Window) -> str:
    """'0 to 51', or '0 to 51; nothing paid after week 25' when it stopped paying with money left."""
    text = f"{window.start} to {window.end}"
    if window.stopped_paying:
        text += f"; nothing paid after week {window.last_paid:.0f}"
    return text
