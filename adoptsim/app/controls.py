"""The app's inputs: labelled controls over scenario paths, and settings written into a scenario.

A setting is a value at a scenario path (`behaviour.q_wom`, `interventions[refer_a_friend].reward`,
`budget.shares.classes`, `population.age_groups.60+.traits.trust.mean`). Interventions are named in
paths, not numbered, so adding or removing one leaves the other settings where they were. The
*template* is the loaded scenario with interventions added or removed (`restructure`); the app's
scenario is the template with the changed settings written into its data and validated again, so
"save scenario" writes exactly what ran.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from adoptsim.errors import ScenarioError
from adoptsim.interventions import INTERVENTION_TYPES
from adoptsim.scenario.loading import validate_scenario
from adoptsim.scenario.paths import get_path, set_path
from adoptsim.scenario.spec import Scenario


@dataclass(frozen=True)
class Control:
    """One input: a scenario path, its label in words, and its kind and range."""

    path: str
    label: str
    kind: str  # "float" (slider), "int", "money", "budget" (money or none), "choices" (labels)
    low: float = 0.0
    high: float = 1.0
    step: float = 0.001
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    title: str
    controls: tuple[Control, ...]
    intervention: str | None = None  # the intervention a card describes (it has a Remove button)


BEHAVIOUR_CONTROLS = (
    (
        "Hearing of the wallet",
        (
            ("p_media", "Media: weekly chance of hearing of it", 0.05, 0.0005),
            ("q_wom", "Word of mouth: weekly chance per active friend", 0.1, 0.001),
        ),
    ),
    (
        "Deciding to adopt",
        (
            ("r_a", "Adoption speed: largest weekly chance", 0.5, 0.005),
            ("b_use", "Weight of usefulness (shops accepting)", 5.0, 0.1),
            ("b_trust", "Weight of trust", 5.0, 0.1),
            ("b_social", "Weight of friends using it", 6.0, 0.1),
            ("b_habit", "Weight against: attachment to cash and cards", 5.0, 0.1),
            ("b_inc", "Weight of incentives", 4.0, 0.1),
            ("ease", "Ease of use of the product", 2.0, 0.05),
        ),
    ),
    (
        "Staying or lapsing",
        (
            ("r_l", "Lapse: largest weekly chance", 0.2, 0.002),
            ("l_wh", "Weight against lapsing: wallet habit", 6.0, 0.1),
        ),
    ),
)

TRAIT_LABELS = {
    "tech_skill": "tech skill",
    "trust": "trust",
    "habit": "attachment to cash and cards",
    "income": "income",
    "online": "online shopping",
}

INTENSITY: dict[str, tuple[tuple[str, str, str, float], ...]] = {
    "awareness_campaign": (("reach", "Reach: share of the target contacted a week", "float", 1.0),),
    "training": (("seats", "Seats: people trained a week", "int", 0),),
    "referral": (("reward", "Reward to a referred adopter", "money", 0),),
    "merchant_deal": (
        ("merchants_per_step", "Merchants signed a week", "int", 0),
        ("discount", "Discount per wallet payment", "money", 0),
    ),
    "security_campaign": (("reach", "Reach: share of the target contacted a week", "float", 1.0),),
    "signup_bonus": (("amount", "Amount paid to each new adopter", "money", 0),),
    "community_event": (("reach", "Reach: share of the region attending an event", "float", 1.0),),
    "customer_support": (("factor", "Lapse chance multiplied by", "float", 1.0),),
    "loyalty_program": (("points", "Points a week per active member", "money", 0),),
    "ux_improvement": (("ease_gain", "Rise of ease of use", "float", 2.0),),
    "seeding": (("count", "People given the wallet", "int", 0),),
    "breach": (("drop", "Trust lost", "float", 1.0),),
}
"""Each intervention type's main intensity: (field, label, kind, slider top; 0 = not a slider)."""


def _data(scenario: Scenario) -> dict[str, Any]:
    return json.loads(scenario.model_dump_json())


def _item(path: str) -> str:
    """`interventions[name].field` -> `interventions[name]`."""
    return path[: path.index("]") + 1]


def intervention_controls(scenario: Scenario, index: int, shared: bool) -> Group:
    """One intervention's card: its main intensity, own budget, timing and target."""
    iv = scenario.interventions[index]
    where = f"interventions[{iv.name}]"
    currency = scenario.economics.currency
    weeks = (scenario.steps - 1 if iv.planned_end is None else iv.planned_end) - iv.start + 1
    controls = []
    for name, label, kind, top in INTENSITY.get(iv.type, ()):
        value = float(getattr(iv, name))
        shown = f"{label} ({currency})" if kind == "money" else label
        controls.append(Control(f"{where}.{name}", shown, kind, 0.0, max(top, value), 0.01 if top <= 1 else 0.05))
    cap = f"Own cap ({currency}; empty = none)" if shared else f"Budget ({currency}; empty = unlimited)"
    controls += [
        Control(f"{where}.budget", cap, "budget"),
        Control(f"{where}.start", "First week", "int", 0, max(scenario.steps - 1, iv.start), 1),
        Control(f"{where}.duration", "Weeks it runs", "int", 1, max(scenario.steps, weeks), 1),
        Control(
            f"{where}.target.age_groups", "Target age groups", "choices", choices=tuple(scenario.population.age_groups)
        ),
        Control(f"{where}.target.regions", "Target regions", "choices", choices=tuple(scenario.population.regions)),
    ]
    return Group(f"{iv.name} ({iv.type.replace('_', ' ')})", tuple(controls), intervention=iv.name)


def control_groups(scenario: Scenario) -> list[Group]:
    """The app's inputs, grouped; ranges always include the scenario's own values."""
    size = scenario.population.size
    groups = [
        Group(
            "Population",
            (
                Control("population.size", "Number of consumers", "int", 1000, max(100_000, size), 1000),
                Control("seed", "Seed of the random numbers", "int", 0, 2**32 - 1, 1),
            ),
        )
    ]
    traits = []
    for group, spec in scenario.population.age_groups.items():
        for trait in spec.traits:
            label = f"{group}: mean {TRAIT_LABELS.get(trait, trait.replace('_', ' '))}"
            traits.append(
                Control(f"population.age_groups.{group}.traits.{trait}.mean", label, "float", 0.01, 0.99, 0.01)
            )
    groups.append(Group("Trait means by age group", tuple(traits)))  # short: the panel's header is ~30 letters
    for title, entries in BEHAVIOUR_CONTROLS:
        controls = []
        for name, label, high, step in entries:
            value = getattr(scenario.behaviour, name)
            controls.append(Control(f"behaviour.{name}", label, "float", 0.0, max(high, 2 * value), step))
        groups.append(Group(title, tuple(controls)))
    budget = scenario.budget
    currency = scenario.economics.currency
    shared = [Control("budget.total", f"Shared budget, {currency} (blank: none)", "budget")]
    if budget is not None and budget.allocation == "shares":
        for iv in scenario.interventions:
            shared.append(Control(f"budget.shares.{iv.name}", f"Share of {iv.name}", "float", 0.0, 1.0, 0.01))
    how = "" if budget is None else f": {budget.allocation}"
    groups.append(Group(f"Shared budget{how}", tuple(shared)))
    groups += [intervention_controls(scenario, i, budget is not None) for i in range(len(scenario.interventions))]
    return groups


def initial_values(scenario: Scenario) -> dict[str, Any]:
    """Every control's value in the scenario (an untargeted intervention shows every label)."""
    data = _data(scenario)
    values: dict[str, Any] = {}
    for group in control_groups(scenario):
        for control in group.controls:
            if control.path.endswith(".duration"):
                name = _item(control.path)[len("interventions[") : -1]
                iv = next(iv for iv in scenario.interventions if iv.name == name)
                end = scenario.steps - 1 if iv.planned_end is None else iv.planned_end
                values[control.path] = end - iv.start + 1
            elif control.kind == "choices":
                chosen = get_path(data, control.path)
                values[control.path] = list(control.choices) if chosen is None else list(chosen)
            elif control.path.startswith("budget.shares."):
                values[control.path] = (data["budget"]["shares"] or {}).get(control.path.split(".", 2)[2], 0.0)
            else:
                values[control.path] = get_path(data, control.path)
    return values


def changed_settings(scenario: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """The settings that differ from the scenario's, in the order of the controls."""
    initial = initial_values(scenario)
    return {path: value for path, value in values.items() if path in initial and initial[path] != value}


def apply_settings(scenario: Scenario, values: dict[str, Any], shown: str = "app settings") -> Scenario:
    """The scenario with the changed settings written in, validated (ScenarioError if invalid).

    Weeks it runs is written as `duration` (counted from the start set in the app), replacing
    `end`; a shared total set where there was none is one pool (`allocation: priority`), and an
    emptied total removes the shared budget.
    """
    changes = changed_settings(scenario, values)
    if not changes:
        return scenario
    data = _data(scenario)
    for path, value in changes.items():
        if path == "budget.total":
            data["budget"] = None if value is None else {**(data["budget"] or {}), "total": value}
        elif path.startswith("budget.shares."):
            if data["budget"] is not None:
                data["budget"]["shares"][path.split(".", 2)[2]] = value
        elif path.endswith((".duration", ".start")) and path.startswith("interventions["):
            owner = _item(path)
            set_path(data, f"{owner}.start", int(values[f"{owner}.start"]))
            set_path(data, f"{owner}.duration", int(values[f"{owner}.duration"]))
            set_path(data, f"{owner}.end", None)
        else:
            set_path(data, path, value)
    try:
        return validate_scenario(data, shown)
    except ScenarioError as err:  # the page names interventions as its inputs do: by name, not position
        names = [str(item.get("name") or "") for item in data.get("interventions") or []]

        def named(path: str) -> str:
            found = re.match(r"interventions\[(\d+)\]", path)
            if found is None or int(found[1]) >= len(names) or not names[int(found[1])]:
                return path
            return f"interventions[{names[int(found[1])]}]" + path[found.end() :]

        raise ScenarioError.listing(shown, [(named(p), m) for p, m in err.problems]) from None


def new_intervention(scenario: Scenario, kind: str) -> dict[str, Any]:
    """A new intervention of this type with its defaults, a free name, the first year (or the
    run) and, for a community event, the first region."""
    if kind not in INTERVENTION_TYPES:
        raise ValueError(f"unknown intervention type '{kind}' (valid: {', '.join(INTERVENTION_TYPES)})")
    taken = {iv.name for iv in scenario.interventions}
    number = 1
    while f"{kind}_{number}" in taken:
        number += 1
    item: dict[str, Any] = {"type": kind, "name": f"{kind}_{number}", "start": 0, "duration": min(52, scenario.steps)}
    if kind == "community_event":
        item["region"] = next(iter(scenario.population.regions))
    return item


def restructure(base: Scenario, added: list[dict[str, Any]], removed: list[str]) -> Scenario:
    """The base with the `removed` interventions dropped (and out of the shared budget) and the
    `added` ones appended, validated."""
    if not added and not removed:
        return base
    data = _data(base)
    data["interventions"] = [iv for iv in data["interventions"] if iv["name"] not in removed] + list(added)
    if data["budget"] is not None:
        data["budget"]["shares"] = {k: v for k, v in data["budget"]["shares"].items() if k not in removed}
        data["budget"]["priority"] = [k for k in data["budget"]["priority"] if k not in removed]
    return validate_scenario(data, "app interventions")
