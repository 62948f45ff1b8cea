"""One browser session: the unchanged reference, the current run stepped on demand, a few
replications of each in the background (the bands), save and downloads.

Every run uses the seeds of `adoptsim run`'s replications (`replication_seed(seed, r)`): the
stepped run is replication 0, so the saved file run with `--reps 1` repeats the page's numbers,
and the current run and the unchanged reference share their random numbers replication by
replication. The inputs themselves live in controls.py, the save rules in saving.py.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from adoptsim.app.charts import Dashboard
from adoptsim.app.controls import (
    apply_settings,
    changed_settings,
    control_groups,
    initial_values,
    new_intervention,
    restructure,
)
from adoptsim.app.network_sample import NetworkSample, network_sample
from adoptsim.app.saving import RESULTS_FOLDER, change_words, default_stem, save_target
from adoptsim.app.tables import kpi_rows, replication_bands
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.results.metrics import run_kpis
from adoptsim.results.store import write_text
from adoptsim.scenario.loading import scenario_to_yaml
from adoptsim.scenario.spec import Scenario
from adoptsim.studies.runner import simulate
from adoptsim.world.streams import replication_seed

DEFAULT_REPS = 3
MOST_REPS = 5
KEPT_DASHBOARDS = 3


def replications(
    scenario: Scenario, reps: int, first: pd.DataFrame | None = None, wanted: Callable[[], bool] = lambda: True
) -> pd.DataFrame | None:
    """Replications 0..reps-1 of a scenario, stacked with a `replication` column (replication 0
    taken from `first` when given, as it is already computed); None as soon as they are no
    longer `wanted` (the settings changed meanwhile)."""
    tables = []
    for r in range(reps):
        if not wanted():
            return None
        table = first if r == 0 and first is not None else simulate(scenario, replication_seed(scenario.seed, r))[0]
        tables.append(table.assign(replication=r))
    return pd.concat(tables, ignore_index=True)


@dataclass
class Session:
    """The runs of one browser session; `lock` guards the current run against the play thread."""

    base: Scenario
    source: str | Path | None = None  # the scenario file, whose folder a save may go to
    values: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario = field(init=False)
    model: WalletAdoptionModel = field(init=False)
    sample: NetworkSample = field(init=False)
    dashboard: Dashboard = field(init=False)
    reference: pd.DataFrame = field(init=False)
    lock: threading.RLock = field(init=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.reference, _ = simulate(self.base, replication_seed(self.base.seed, 0))
        self.template, self.added, self.removed = self.base, [], []
        self.values = {**initial_values(self.base), **self.values}
        self.reps, self.generation = DEFAULT_REPS, 0
        self.runs: pd.DataFrame | None = None  # the current settings' replications, once computed
        self._references: dict[int, pd.DataFrame] = {}
        self._sample_key: tuple | None = None
        self._dashboards: dict[tuple, Dashboard] = {}  # by layout, the most recent last
        self.reset(self.values)

    # ------------------------------------------------------------------ settings and structure
    def groups(self):
        return control_groups(self.template)

    def reset(self, values: dict[str, Any], template: Scenario | None = None) -> None:
        """Rebuild the current run at week 0 with these settings (ScenarioError if invalid: the
        previous run stays); its replications are computed again (`compute_replications`)."""
        template = template or self.template
        scenario = apply_settings(template, values)
        model = WalletAdoptionModel(scenario, seed=replication_seed(scenario.seed, 0), agents="lazy")
        with self.lock:
            self.template, self.values, self.scenario, self.model = template, dict(values), scenario, model
            self.generation += 1
            self.runs = None
            key = (scenario.population.model_dump_json(), scenario.network.model_dump_json())
            if key != self._sample_key:
                self.sample = network_sample(model, seed=self.base.seed)
                self._sample_key = key
            self.dashboard = self._dashboard(scenario, model)

    def _dashboard(self, scenario: Scenario, model: WalletAdoptionModel) -> Dashboard:
        """The charts for this layout, restarted: a change of settings that keeps the panels, the
        sample and the axes reuses the figure and the backgrounds it has drawn."""
        labels = (tuple(model.age_group_labels), tuple(model.region_labels), tuple(model.intervention_names))
        currency = scenario.economics.currency
        layout = (scenario.steps, scenario.population.size, *labels, id(self.sample), currency)
        dashboard = self._dashboards.pop(layout, None)
        if dashboard is None:
            sizes = (scenario.steps, scenario.population.size)
            dashboard = Dashboard(self.reference, *sizes, *map(list, labels), self.sample, currency=currency)
        else:
            dashboard.restart()
        self._dashboards[layout] = dashboard
        if len(self._dashboards) > KEPT_DASHBOARDS:
            del self._dashboards[next(iter(self._dashboards))]
        return dashboard

    def _restructure(self, added: list[dict[str, Any]], removed: list[str]) -> None:
        template = restructure(self.base, added, removed)
        fresh = initial_values(template)
        kept = {path: value for path, value in self.values.items() if path in fresh}
        self.reset({**fresh, **kept}, template)
        self.added, self.removed = added, removed

    def add_intervention(self, kind: str) -> str:
        """Add an intervention of this type (defaults, a free name); returns its name."""
        item = new_intervention(self.scenario, kind)
        self._restructure([*self.added, item], self.removed)
        return item["name"]

    def remove_intervention(self, name: str) -> None:
        """Remove an intervention (one added in the app, or one of the scenario's)."""
        added = [item for item in self.added if item["name"] != name]
        removed = self.removed if len(added) < len(self.added) else [*self.removed, name]
        self._restructure(added, removed)

    def changes(self) -> dict[str, Any]:
        """What differs from the scenario as loaded: removed and added interventions, then settings."""
        listed: dict[str, Any] = {f"interventions[{name}]": "removed" for name in self.removed}
        listed |= {f"interventions[{item['name']}]": f"added ({item['type']})" for item in self.added}
        return listed | changed_settings(self.template, self.values)

    # ------------------------------------------------------------------ the stepped run
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

    def run_to_end(self) -> None:
        with self.lock:
            while not self.finished:
                self.model.step()

    def table(self) -> pd.DataFrame:
        """The current run's time series so far (rows 0..week)."""
        with self.lock:
            return self.model.recorder.table().iloc[: self.week + 1]

    def render(self) -> bytes:
        """The charts of the run so far, as a JPEG image."""
        with self.lock:
            return self.dashboard.render(self.table(), self.model.people.stage)

    def png(self) -> bytes:
        """The charts of the run so far, as a PNG image (the download)."""
        with self.lock:
            self.dashboard.update(self.table(), self.model.people.stage)
            return self.dashboard.image("png")

    def kpis(self) -> dict[str, float]:
        """KPIs of the whole current run, replication 0 (runs the remaining weeks first)."""
        self.run_to_end()
        return run_kpis(self.table(), self.scenario)

    # ------------------------------------------------------------------ replications and bands
    def compute_replications(self, generation: int | None = None) -> bool:
        """Run the replications of the current settings and of the reference (once per count);
        False if the settings changed meanwhile (the result is dropped)."""
        with self.lock:
            generation = self.generation if generation is None else generation
            scenario, reps = self.scenario, self.reps

        def wanted() -> bool:
            return generation == self.generation

        if reps not in self._references:
            computed = replications(self.base, reps, self.reference, wanted)
            if computed is None:
                return False
            self._references[reps] = computed
        reference = self._references[reps]
        runs = reference if scenario is self.base else replications(scenario, reps, wanted=wanted)
        with self.lock:
            if runs is None or generation != self.generation:
                return False
            self.runs = runs
            self.dashboard.set_bands(replication_bands(runs), replication_bands(reference), reps)
            return True

    def set_reps(self, reps: int) -> None:
        with self.lock:
            self.reps = max(1, min(MOST_REPS, int(reps)))
            self.generation += 1
            self.runs = None

    def kpi_table(self) -> list[tuple[str, str, str]]:
        """Label, this run (replication 0) and the replications' mean (lowest to highest)."""
        with self.lock:
            runs = self.runs
        per_rep = (
            []
            if runs is None
            else [run_kpis(t.drop(columns="replication"), self.scenario) for _, t in runs.groupby("replication")]
        )
        return kpi_rows(self.scenario, self.kpis(), per_rep)

    # ------------------------------------------------------------------ files
    def csv(self) -> bytes:
        """The time series of the replications (or of this run so far), as CSV."""
        with self.lock:
            table = self.runs if self.runs is not None else self.table().assign(replication=0)
        buffer = io.StringIO()
        table.to_csv(buffer, index=False)
        return buffer.getvalue().encode()

    def default_name(self, folder: Path = RESULTS_FOLDER) -> str:
        words = change_words(
            changed_settings(self.template, self.values), [a["name"] for a in self.added], self.removed
        )
        return default_stem(self.base.name, words, folder)

    def save(self, folder: Path, typed: str, overwrite: bool = False) -> Path:
        """Write the current settings as a complete scenario file named after `typed` in an
        allowed folder, its `name` set to the file's (SaveRefusedError: nothing written)."""
        target, name = save_target(folder, typed, self.base.name, overwrite)
        folder.mkdir(parents=folder == RESULTS_FOLDER, exist_ok=True)
        update = {"name": name, "description": self.saved_description()}
        return write_text(target, scenario_to_yaml(self.scenario.model_copy(update=update)))

    def saved_description(self) -> str:
        """The base's description, then what the app changed: the base's words may name values the
        changes replaced (a reward of 10 now 40)."""
        changes = changed_settings(self.template, self.values)
        said = [f"{path} = {value}" for path, value in changes.items()]
        said += [f"added {a['name']} ({a['type']})" for a in self.added] + [f"removed {n}" for n in self.removed]
        text = " ".join(str(self.base.description or "").split())
        if not said:
            return text
        return f"{text} Changed in adoptsim app from {self.base.name}: {'; '.join(said)}.".strip()
