"""Agent-level and network export (`adoptsim run --export agents|network`).

The model keeps only the present state of each consumer, so the week of first adoption and of
the last lapse are tracked from outside, by an observer the runner calls after every step:

    first_adoption_step_i = first step k at which ever_adopted_i is true
    last_lapse_step_i     = last step k at which stage_i turned LAPSED (from any other stage)

Steps count as in the time series: row `step` k is the state after k steps (0 = the start), so
a consumer seeded before the first step has first_adoption_step 0. Never = missing (<NA>).

Each replication writes its own Parquet files, atomically, from whichever process ran it:
`agents/replication-RRR.parquet` (one row per consumer) and `network/replication-RRR.parquet`
(one row per tie, both ends' segments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from adoptsim.errors import ScenarioError
from adoptsim.results.store import write_atomic
from adoptsim.scenario.spec import Scenario
from adoptsim.world.population import TRAIT_NAMES
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.engine.model import WalletAdoptionModel

EXPORT_KINDS = ("agents", "network")
"""What `--export` can write."""

COMPLETE_GRAPH_EDGE_LIMIT = 50_000_000
"""A complete graph's edge list is refused above this many ties (it would not fit in memory)."""

STAGE_NAMES = np.array([stage.name.lower() for stage in Stage])


class AdoptionHistory:
    """Per consumer: the step of first adoption, of the last lapse, and the number of lapses."""

    def __init__(self, model: WalletAdoptionModel) -> None:
        people = model.people
        self.first_adoption = np.where(people.ever_adopted, 0, -1).astype(np.int32)
        self.last_lapse = np.full(people.size, -1, dtype=np.int32)
        self.lapses = np.zeros(people.size, dtype=np.int32)
        self._stage = people.stage.copy()

    def after_step(self, model: WalletAdoptionModel) -> None:
        """Compare the arrays with the previous step's; runs in O(n) numpy, no Python loop."""
        people, step = model.people, int(round(model.time))
        self.first_adoption[(self.first_adoption < 0) & people.ever_adopted] = step
        lapsed = (people.stage == Stage.LAPSED.value) & (self._stage != Stage.LAPSED.value)
        self.last_lapse[lapsed] = step
        self.lapses += lapsed
        self._stage = people.stage.copy()


def _missing_if_negative(values: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.array(np.where(values < 0, None, values), dtype="Int32")


def agents_table(model: WalletAdoptionModel, history: AdoptionHistory, start: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per consumer: segment, traits at the start and the end, stage, adoption history."""
    people = model.people
    table = pd.DataFrame(
        {
            "consumer": np.arange(people.size),
            "age": people.age,
            "age_group": pd.Categorical.from_codes(people.age_group, model.age_group_labels),
            "region": pd.Categorical.from_codes(people.region, model.region_labels),
            "degree": model.graph.degree.astype(np.int64),
            "competitor": people.competitor,
            "in_market": people.in_market,
        }
    )
    for name in TRAIT_NAMES:
        table[f"{name}_start"] = start[name]
        table[name] = getattr(people, name)
    table["wallet_habit"] = people.wallet_habit
    table["trust_deficit"] = people.trust_deficit
    table["stage"] = pd.Categorical.from_codes(people.stage, STAGE_NAMES)
    table["ever_adopted"] = people.ever_adopted
    table["first_adoption_step"] = _missing_if_negative(history.first_adoption)
    table["last_lapse_step"] = _missing_if_negative(history.last_lapse)
    table["lapses"] = history.lapses
    market = model.rivals
    if market.rivals:  # rival wallets (docs/rivals.md): each one's stage, and the wallet used most
        for rival in market.rivals:
            table[f"stage_{rival.spec.name}"] = pd.Categorical.from_codes(rival.stage, STAGE_NAMES)
        table["primary_wallet"] = pd.Categorical.from_codes(market.primary, market.names)
    return table


def check_export(scenario: Scenario, kinds: tuple[str, ...], source: str) -> None:
    """Refuse, before any run, an export that cannot be written (a huge complete graph's ties)."""
    n = scenario.population.size
    ties = n * (n - 1) // 2
    if "network" in kinds and scenario.network.generator_name == "complete_graph" and ties > COMPLETE_GRAPH_EDGE_LIMIT:
        raise ScenarioError(
            source,
            "network.generator",
            f"--export network: a complete graph of {n:,} consumers has {ties:,} ties, "
            f"too many to write (at most {COMPLETE_GRAPH_EDGE_LIMIT:,})",
        )


def edge_list(model: WalletAdoptionModel) -> tuple[np.ndarray, np.ndarray]:
    """Each tie once, source < target."""
    graph = model.graph
    if graph.adjacency is None:
        source, target = np.triu_indices(graph.n, k=1)
        return source, target
    upper = graph.adjacency.tocoo()
    keep = upper.row < upper.col
    return upper.row[keep], upper.col[keep]


def network_table(model: WalletAdoptionModel) -> pd.DataFrame:
    """One row per tie: both ends and their age groups and regions."""
    source, target = edge_list(model)
    people = model.people
    table = {"source": source.astype(np.int64), "target": target.astype(np.int64)}
    for end, index in (("source", source), ("target", target)):
        table[f"{end}_age_group"] = pd.Categorical.from_codes(people.age_group[index], model.age_group_labels)
        table[f"{end}_region"] = pd.Categorical.from_codes(people.region[index], model.region_labels)
    return pd.DataFrame(table)


@dataclass
class ReplicationExport:
    """The observer of one replication: tracks adoption history, writes its tables at the end."""

    folder: Path
    kinds: tuple[str, ...]
    replication: int
    history: AdoptionHistory | None = field(default=None, repr=False)
    start: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def start_run(self, model: WalletAdoptionModel) -> None:
        self.history = AdoptionHistory(model)
        self.start = {name: getattr(model.people, name).copy() for name in TRAIT_NAMES}

    def after_step(self, model: WalletAdoptionModel) -> None:
        self.history.after_step(model)

    def finish(self, model: WalletAdoptionModel) -> None:
        ids = {"scenario": model.spec.name, "replication": self.replication, "seed": model.seed}
        name = f"replication-{self.replication:03d}.parquet"
        if "agents" in self.kinds:
            _write(self.folder / "agents" / name, agents_table(model, self.history, self.start), ids)
        if "network" in self.kinds:
            _write(self.folder / "network" / name, network_table(model), ids)


def _write(path: Path, table: pd.DataFrame, ids: dict) -> None:
    for position, (key, value) in enumerate(ids.items()):
        table.insert(position, key, value)
    write_atomic(path, lambda tmp: table.to_parquet(tmp, index=False))


@dataclass(frozen=True)
class Export:
    """What to export and where; gives each replication its observer (picklable, for workers)."""

    folder: Path
    kinds: tuple[str, ...]

    @classmethod
    def requested(cls, kinds: list[str], scenario: Scenario, out: Path, source: str) -> Export | None:
        """The export `--export` asks for (checked against the scenario), or None."""
        if not kinds:
            return None
        chosen = tuple(dict.fromkeys(kinds))
        check_export(scenario, chosen, source)
        return cls(out, chosen)

    def __call__(self, replication: int) -> ReplicationExport:
        return ReplicationExport(self.folder, self.kinds, replication)

    def written(self, reps: int) -> list[Path]:
        """The files a run of `reps` replications writes."""
        return [self.folder / kind / f"replication-{r:03d}.parquet" for kind in self.kinds for r in range(reps)]


def read_export(folder: Path, kind: str) -> pd.DataFrame:
    """Every replication's table of one kind, stacked."""
    return pd.concat([pd.read_parquet(p) for p in sorted((folder / kind).glob("replication-*.parquet"))])
