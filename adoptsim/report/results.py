"""What a command left in its output folder, read once for every report section.

Only files are read, never a model: `timeseries.csv`, `kpis.csv` (per replication from `run`, one
row per scenario from `compare`), `kpis_by_replication.csv`, `scenario.resolved.yaml` or
`scenarios/*.resolved.yaml`, `differences.csv`, and a sweep's `summary.csv`, `design.csv`,
`sensitivity.csv` and figures. Anything missing is None; sections skip what they lack. Sections
mark the files they show (`use`), so the last section can show the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from adoptsim.errors import AdoptsimError
from adoptsim.report.asked import read_question
from adoptsim.results.economics import currency_of
from adoptsim.results.intervals import summarize
from adoptsim.results.windows import Window, intervention_windows

MARKERS = (
    "kpis.csv",
    "summary.csv",
    "timeseries.csv",
    "experiment.json",
    "uncertainty.csv",
    "fit.csv",
    "forecast.csv",
    "parameters.csv",
    "candidates.csv",
    "best.yaml",
)
"""A folder holding none of these is not a command's output."""
HIDDEN = {"report.html", "report.pdf", "experiment.json", "question.json"}


@dataclass
class Results:
    """One output folder, read lazily; `used` names the files sections have shown."""

    folder: Path
    used: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, folder: Path) -> Results:
        """The folder's results, or a one-line error when it is not a command's output."""
        if not folder.is_dir():
            raise AdoptsimError(f"{folder}: no such folder")
        if not any((folder / name).exists() for name in MARKERS):
            raise AdoptsimError(f"{folder}: not an adoptsim output folder (none of {', '.join(MARKERS)})")
        return cls(folder)

    def use(self, *names: str) -> None:
        """Mark files as shown."""
        self.used.update(names)

    def table(self, name: str) -> pd.DataFrame | None:
        """A CSV file of the folder, or None."""
        path = self.folder / name
        if not path.is_file():
            return None
        try:
            return pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise AdoptsimError(f"{path}: cannot be read as a table ({err})") from None

    @cached_property
    def question(self) -> dict[str, Any]:
        """What the command was asked (`question.json`), or {}."""
        return read_question(self.folder)

    @property
    def kind(self) -> str:
        """'uncertain', 'calibrate', 'optimize', 'sweep', 'compare', 'run', or 'results' for any
        other command's folder."""
        if (self.folder / "uncertainty.csv").exists():
            return "uncertain"
        if any((self.folder / name).exists() for name in ("fit.csv", "forecast.csv", "calibrated.yaml")):
            return "calibrate"
        if any((self.folder / name).exists() for name in ("candidates.csv", "best.yaml")):
            return "optimize"
        if (self.folder / "experiment.json").exists() or (self.folder / "summary.csv").exists():
            return "sweep"
        if (self.folder / "kpis_by_replication.csv").exists():
            return "compare"
        if (self.folder / "scenario.resolved.yaml").exists():
            return "run"
        return "results"

    @cached_property
    def scenarios(self) -> list[dict[str, Any]]:
        """Resolved scenarios (complete mappings only), in the order the results list them."""
        paths = [self.folder / "scenario.resolved.yaml"] + sorted((self.folder / "scenarios").glob("*.resolved.yaml"))
        paths += [self.folder / "best.yaml"]  # optimize's winner (resolved; calibrated.yaml only extends one)
        found = {}
        for path in paths:
            if path.is_file():
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and {"name", "population", "steps", "interventions"} <= data.keys():
                    found[data["name"]] = data
        order = self.scenario_names or list(found)
        return [found[name] for name in order if name in found] + [s for n, s in found.items() if n not in order]

    def holds_money(self, path: str) -> bool:
        """Whether a parameter path holds money in the first resolved scenario (a sweep's base), so
        that its column names the currency; False where no scenario validates (an older folder)."""
        from adoptsim.scenario.paths import holds_money

        return self._first_scenario is not None and holds_money(self._first_scenario, path)

    @cached_property
    def _first_scenario(self) -> Any:
        from adoptsim.scenario.loading import validate_scenario

        try:
            return validate_scenario(dict(self.scenarios[0]), str(self.folder)) if self.scenarios else None
        except AdoptsimError:
            return None

    @cached_property
    def timeseries(self) -> pd.DataFrame | None:
        """Every replication's rows; a `scenario` column even for a single run."""
        table = self.table("timeseries.csv")
        if table is not None and "scenario" not in table:
            table.insert(0, "scenario", self.folder.name)
        return table

    @cached_property
    def by_replication(self) -> pd.DataFrame | None:
        """KPIs per scenario and replication."""
        if self.kind == "compare":
            return self.table("kpis_by_replication.csv")
        if self.kind == "run":
            return self.table("kpis.csv")
        return None

    @cached_property
    def wide(self) -> pd.DataFrame | None:
        """compare's `kpis.csv`: a row per scenario, `<kpi>_mean`, `_ci_low`, `_ci_high` columns."""
        return self.table("kpis.csv") if self.kind == "compare" else None

    @cached_property
    def kpis(self) -> pd.DataFrame | None:
        """Tidy: scenario, metric, mean, ci_low, ci_high (and n, of where known)."""
        if self.wide is not None:
            rows = []
            for row in self.wide.to_dict("records"):
                for column in row:
                    if column.endswith("_mean"):
                        metric = column[: -len("_mean")]
                        rows.append(
                            {
                                "scenario": row["scenario"],
                                "metric": metric,
                                "mean": row[column],
                                "ci_low": row.get(f"{metric}_ci_low"),
                                "ci_high": row.get(f"{metric}_ci_high"),
                            }
                        )
            tidy = pd.DataFrame(rows)
            counts = self.reached_counts()
            if counts is not None and not tidy.empty:
                tidy = tidy.merge(counts, on=["scenario", "metric"], how="left")
            return tidy
        table = self.by_replication
        if table is None:
            return None
        if "scenario" not in table:
            table = table.assign(scenario=self.folder.name)
        metrics = [c for c in table.columns if c not in ("scenario", "replication", "seed")]
        numeric = [c for c in metrics if pd.api.types.is_numeric_dtype(table[c])]
        steps = [int(s["steps"]) for s in self.scenarios if "steps" in s]
        return summarize(table, numeric, by=["scenario"], horizon=max(steps) if steps else None)

    def reached_counts(self) -> pd.DataFrame | None:
        """scenario, metric, n (replications where defined), of (replications), from the
        per-replication table: 'reached in n of of' for targets."""
        table = self.by_replication
        if table is None or "scenario" not in table:
            return None
        metrics = [c for c in table.columns if c not in ("scenario", "replication", "seed")]
        numeric = [c for c in metrics if pd.api.types.is_numeric_dtype(table[c])]
        grouped = table[["scenario", *numeric]].copy().groupby("scenario", sort=False)[numeric]
        n = grouped.count().reset_index().melt(id_vars="scenario", var_name="metric", value_name="n")
        of = grouped.size().rename("of").reset_index()
        return n.merge(of, on="scenario")

    @cached_property
    def scenario_names(self) -> list[str]:
        """Scenario names in the order the results list them."""
        for table in (self.wide, self.by_replication, self.timeseries):
            if table is not None and "scenario" in table:
                return list(dict.fromkeys(table["scenario"].astype(str)))
        return []

    @property
    def baseline(self) -> str | None:
        """The baseline's name in a comparison."""
        if self.wide is not None and "is_baseline" in self.wide:
            rows = self.wide[self.wide["is_baseline"].astype(str) == "True"]
            if len(rows):
                return str(rows["scenario"].iloc[0])
        return None

    @property
    def currency(self) -> str:
        """The currency named in the scenarios' `economics:` block, or ''."""
        return next((found for found in map(currency_of, self.scenarios) if found), "")

    @cached_property
    def windows(self) -> dict[str, list[Window]]:
        """Planned and actual intervention windows per scenario, from its time series; none without one
        (an optimisation's winner, a calibration), nor for a sweep or draws of uncertain inputs, whose
        runs change what their scenario's interventions do."""
        series = self.timeseries
        result: dict[str, list[Window]] = {}
        if series is None or self.kind in ("sweep", "uncertain"):  # no time series of the scenarios as they ran:
            return result  # their planned windows are not what they did (an optimisation's best.yaml spent a third)
        for scenario in self.scenarios:
            result[scenario["name"]] = intervention_windows(scenario, series[series["scenario"] == scenario["name"]])
        return result

    def files(self, suffix: str) -> list[str]:
        """Files of the folder (not in subfolders) with this suffix, by name."""
        return sorted(p.name for p in self.folder.glob(f"*{suffix}") if p.is_file() and p.name not in HIDDEN)
