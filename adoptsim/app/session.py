"""The app's model adapter: labelled controls over scenario fields, and one browser session's runs.

A setting is a value at a scenario path (`behaviour.q_wom`, `interventions[0].budget`, ...). The
app's scenario is always the loaded scenario with the changed settings written into its data and
validated again, so "save scenario" writes exactly what ran. Every run (the current one and the
unchanged reference) uses the seed of replication 0 of `adoptsim run`, so the saved file run with
`--reps 1` repeats the app's numbers, and current and reference share their random numbers.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from adoptsim.app.charts import Dashboard
from adoptsim.app.network_sample import NetworkSample, network_sample
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.results.metrics import run_kpis
from adoptsim.results.store import write_text
from adoptsim.scenario.loading import scenario_to_yaml, validate_scenario
from adoptsim.scenario.paths import get_path, set_path
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.runner import simulate
from adoptsim.world.streams import replication_seed


@dataclass(frozen=True)
class Control:
    """One input: a scenario path, its label in words, and its kind and range."""

    path: str
    label: str
    kind: str  # "float", "int", "budget" (money or unlimited), "choices" (labels)
    low: float = 0.0
    high: float = 1.0
    step: float = 0.001
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    title: str
    controls: tuple[Control, ...]


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


def control_groups(scenario: Scenario) -> list[Group]:
    """The app's inputs, grouped; ranges always include the scenario's own values."""
    size = scenario.population.size
    groups = [
        Group(
            "Population",
            (Control("population.size", "Number of consumers", "int", 1000, max(100_000, size), 1000),),
        )
    ]
    for title, entries in BEHAVIOUR_CONTROLS:
        controls = []
        for name, label, high, step in entries:
            value = getattr(scenario.behaviour, name)
            controls.append(Control(f"behaviour.{name}", label, "float", 0.0, max(high, 2 * value), step))
        groups.append(Group(title, tuple(controls)))
    for i, iv in enumerate(scenario.interventions):
        where = f"interventions[{i}]"
        weeks = (scenario.steps - 1 if iv.planned_end is None else iv.planned_end) - iv.start + 1
        groups.append(
            Group(
                f"{iv.name} ({iv.type.replace('_', ' ')})",
                (
                    Control(f"{where}.budget", "Budget (money; empty = unlimited)", "budget"),
                    Control(f"{where}.start", "First week", "int", 0, max(scenario.steps - 1, iv.start), 1),
                    Control(f"{where}.duration", "Weeks it runs", "int", 1, max(scenario.steps, weeks), 1),
                    Control(
                        f"{where}.target.age_groups",
                        "Target age groups",
                        "choices",
                        choices=tuple(scenario.population.age_groups),
                    ),
                    Control(
                        f"{where}.target.regions",
                        "Target regions",
                        "choices",
                        choices=tuple(scenario.population.regions),
                    ),
                ),
            )
        )
    return groups


def _duration_path(path: str) -> str | None:
    """`interventions[i].duration` -> `interventions[i]`, else None."""
    return path[: -len(".duration")] if path.endswith(".duration") else None


def initial_values(scenario: Scenario) -> dict[str, Any]:
    """Every control's value in the scenario (an untargeted intervention shows every label)."""
    data = json.loads(scenario.model_dump_json())
    values: dict[str, Any] = {}
    for group in control_groups(scenario):
        for control in group.controls:
            owner = _duration_path(control.path)
            if owner is not None:
                iv = scenario.interventions[int(owner[owner.index("[") + 1 : -1])]
                end = scenario.steps - 1 if iv.planned_end is None else iv.planned_end
                values[control.path] = end - iv.start + 1
            elif control.kind == "choices":
                chosen = get_path(data, control.path)
                values[control.path] = list(control.choices) if chosen is None else list(chosen)
            else:
                values[control.path] = get_path(data, control.path)
    return values


def changed_settings(scenario: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """The settings that differ from the scenario's, in the order of the controls."""
    initial = initial_values(scenario)
    return {path: value for path, value in values.items() if initial.get(path) != value}


def apply_settings(scenario: Scenario, values: dict[str, Any], shown: str = "app settings") -> Scenario:
    """The scenario with the changed settings written in, validated (ScenarioError if invalid).

    Weeks it runs is written as `duration` (counted from the start set in the app), replacing `end`.
    """
    changes = changed_settings(scenario, values)
    if not changes:
        return scenario
    data = json.loads(scenario.model_dump_json())
    for path, value in changes.items():
        owner = _duration_path(path) or (path[: -len(".start")] if path.endswith(".start") else None)
        if owner is not None and f"{owner}.duration" in values:
            set_path(data, f"{owner}.start", int(values[f"{owner}.start"]))
            set_path(data, f"{owner}.duration", int(values[f"{owner}.duration"]))
            set_path(data, f"{owner}.end", None)
        else:
            set_path(data, path, value)
    return validate_scenario(data, shown)


@dataclass
class Session:
    """One browser session: the unchanged reference run (complete, computed once) and the
    current run with the session's settings, stepped on demand."""

    base: Scenario
    values: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario = field(init=False)
    model: WalletAdoptionModel = field(init=False)
    sample: NetworkSample = field(init=False)
    dashboard: Dashboard = field(init=False)
    reference: pd.DataFrame = field(init=False)
    lock: threading.RLock = field(init=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.seed = replication_seed(self.base.seed, 0)
        self.reference, _ = simulate(self.base, self.seed)
        self.values = {**initial_values(self.base), **self.values}
        self._sample_key: tuple | None = None
        self.reset(self.values)

    def reset(self, values: dict[str, Any]) -> None:
        """Rebuild the current run at week 0 with these settings (ScenarioError if invalid:
        the previous run stays)."""
        scenario = apply_settings(self.base, values)
        model = WalletAdoptionModel(scenario, seed=self.seed, agents="lazy")
        with self.lock:
            self.values, self.scenario, self.model = dict(values), scenario, model
            key = (scenario.population.model_dump_json(), scenario.network.model_dump_json())
            if key != self._sample_key:
                self.sample = network_sample(model, seed=self.base.seed)
                self._sample_key = key
            self.dashboard = Dashboard(
                self.reference,
                scenario.steps,
                scenario.population.size,
                model.age_group_labels,
                model.region_labels,
                model.intervention_names,
                self.sample,
            )

    @property
    def week(self) -> int:
        return int(round(self.model.time))

    @property
    def finished(self) -> bool:
        return self.week >= self.scenario.steps

    def step(self) -> None:
        """One week of the current run (none once the scenario's weeks are over)."""
        with self.lock:
            if not self.finished:
                self.model.step()

    def render(self) -> bytes:
        """The charts of the run so far, as a JPEG image."""
        with self.lock:
            return self.dashboard.render(self.table(), self.model.people.stage)

    def run_to_end(self) -> None:
        with self.lock:
            while not self.finished:
                self.model.step()

    def table(self) -> pd.DataFrame:
        """The current run's time series so far (rows 0..week)."""
        with self.lock:
            return self.model.recorder.table().iloc[: self.week + 1]

    def kpis(self) -> dict[str, float]:
        """KPIs of the whole current run (runs the remaining weeks first)."""
        self.run_to_end()
        return run_kpis(self.table(), self.scenario)

    def changes(self) -> dict[str, Any]:
        return changed_settings(self.base, self.values)

    def save(self, path: str | Path) -> Path:
        """Write the current settings as a complete scenario file (`adoptsim run` repeats it)."""
        return write_text(Path(path), scenario_to_yaml(self.scenario))
