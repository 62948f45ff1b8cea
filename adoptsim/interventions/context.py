"""The narrow step context: what an intervention, the Recorder and a trigger may read and change.

Interventions and the Recorder are typed against these protocols, never against the engine's
model (an import-linter contract in pyproject.toml forbids `adoptsim.engine` in
`adoptsim.interventions`, `adoptsim.results.recorder` and `adoptsim.results.rival_columns`,
type-only imports included). `StepContext` satisfies them structurally; a test runs an
intervention against a stand-in to keep that honest.

Arrays are the model's own (changing them changes the run): one entry per consumer in `people`,
per merchant in `shops`, levers per consumer for this step only. Rules are not re-implemented
here: the methods below call the engine's one rule set (adoptsim/engine/rules.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from adoptsim.interventions.budget import InterventionRun
    from adoptsim.scenario.behaviour import Behaviour
    from adoptsim.world.merchants import Shops
    from adoptsim.world.network import SocialGraph
    from adoptsim.world.population import People
    from adoptsim.world.streams import RandomStreams

NO_WALLET = -1
"""A consumer's primary wallet when they hold none (0 is the focal wallet, 1.. the rivals)."""


class LeverArrays(Protocol):
    """This step's levers, one value per consumer, neutral until an intervention touches them."""

    @property
    def media(self) -> np.ndarray: ...  # m_i, multiplies p_media
    @property
    def wom(self) -> np.ndarray: ...  # w_i, multiplies q_wom
    @property
    def incentive(self) -> np.ndarray: ...  # money offered for adopting now
    @property
    def lapse(self) -> np.ndarray: ...  # multiplies the lapse probability


class StepContext(Protocol):
    """What an intervention (apply, settle, its target and triggers) may read and change."""

    people: People
    shops: Shops
    graph: SocialGraph
    levers: LeverArrays
    behaviour: Behaviour
    streams: RandomStreams
    step_index: int  # 0-based index of the step being run
    ease: float  # the wallet's ease of use (UX improvements raise it)
    trust_recovering: bool  # a breach's trust deficit is coming back this run
    age_group_labels: list[str]
    region_labels: list[str]
    category_labels: list[str]
    intervention_runs: dict[str, InterventionRun]

    @property
    def has_active_neighbour(self) -> np.ndarray:
        """Whether each consumer had an active neighbour at the start of the step."""
        ...

    def make_active(self, who: np.ndarray) -> None:
        """Turn consumers into active users."""
        ...

    def merchant_share(self, merchant_flags: np.ndarray) -> np.ndarray:
        """For each consumer, the share of their merchants for which the flag holds."""
        ...

    def transactions(self, who: np.ndarray, use: np.ndarray) -> np.ndarray:
        """Payments a step of consumers `who` at usefulness `use` (rules.transactions)."""
        ...

    def money_utility(self, amount: np.ndarray, who: np.ndarray) -> np.ndarray:
        """The pull of `amount` of money on consumers `who` (rules.money_utility)."""
        ...

    def speed_trust_recovery(self, who: np.ndarray, half_life: float) -> None:
        """Consumers `who` regain their trust deficit at `half_life` this step instead of the
        behaviour's (rules.weekly_recovery, rules.recover_trust)."""
        ...


class StepOutcome(Protocol):
    """What happened in one step, read by outcome-based costs and the Recorder."""

    new_aware: int
    new_adopters: np.ndarray  # bool per consumer
    new_lapses: int
    payments: float
    payment_volume: float
    spend: dict[str, float]

    @property
    def n_new_adopters(self) -> int: ...

    def payments_weighted(self, weights: np.ndarray) -> float:
        """sum_i x_i w_i over consumers' payments x_i this step."""
        ...


class Named(Protocol):
    @property
    def name(self) -> str: ...


class RivalWallet(Protocol):
    """One rival wallet's recorded state."""

    spec: Named
    stage: np.ndarray  # int8 Stage per consumer
    accepts: np.ndarray  # bool per merchant


class RivalWallets(Protocol):
    """Named rivals and every consumer's primary wallet (NO_WALLET, 0 focal, 1.. rivals)."""

    names: list[str]
    rivals: Sequence[RivalWallet]
    primary: np.ndarray
    switch_to: np.ndarray  # per rival: consumers whose primary moved from the focal wallet to it this step
    switch_from: np.ndarray  # per rival: from it to the focal wallet


class RecordedRun(Protocol):
    """What the Recorder reads of a run."""

    people: People
    shops: Shops
    spec: Any  # the Scenario (its economics)
    interventions: Sequence[tuple[Any, InterventionRun]]
    intervention_names: list[str]
    rivals: RivalWallets
    age_group_labels: list[str]
    region_labels: list[str]


PaymentsOf = Callable[[slice], np.ndarray]
"""Consumers' payments this step, for a slice of consumers."""
