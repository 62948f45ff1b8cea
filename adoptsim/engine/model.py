"""WalletAdoptionModel: owns the arrays and runs its plan of components each step.

One step (0-based index k = model.time - 1), synchronous: everyone reacts to the state at the
start of the step. The step is `model.plan`, a copy of adoptsim/engine/plan.py's PLAN, in order:

  snapshot               active users at the start; A_i active neighbours (sparse product, or an
                         update from those who changed), s_i = A_i/deg_i
  market_growth          out-of-market consumers enter it at `market_growth` a week (when set)
  apply_interventions    interventions and events acting at step k (traits, stages, levers)
  market_context         the `market:` block at the step's date (adoptsim/world/market.py): potentials,
                         events, the relative-advantage shift of adoption utility (when set)
  usefulness             u_i from merchant and online acceptance
  decisions              awareness: unaware -> aware with 1 - (1 - p_media m_i)(1 - q_wom w_i)^A_i;
                         adoption: aware or lapsed (or aware since) in the market -> active with
                         r_a sigmoid(U_i); lapse: active since before -> lapsed with r_l sigmoid(...)
  rivals                 named rivals (adoptsim/engine/rivals/) on the state at the start of the step
  use                    active users: wallet habit up, old habit down, trust up, payments
  trust_recovery         trust lost to a breach comes back at a half-life
  social_proof_of_trust  optional pull towards the neighbours' mean (mu)
  merchant_uptake        non-accepting merchants start accepting with r_m sigmoid(g0 + g1 c_j)
  settle_interventions   interventions pay outcome-based costs
  record                 the Recorder writes row k + 1; the DataCollector reads it

Every rule is a function of adoptsim/engine/rules.py, shared with the rivals. Every consumer draws
one number a step (stream `consumers`) for the decisions, whose candidates are disjoint; one made
aware decides adoption on the rest of that draw (adoptsim/engine/phases.py). Merchants and each
other component draw from their own streams; nobody's draw depends on the state, so
interventions never shift the draws of the dynamics. Real-valued state is float32 (draws stay
float64). A rule is evaluated only where the draw falls below a bound of its probability
(adoptsim/engine/thinning.py). Interventions and the Recorder see the model through the
protocols of adoptsim/interventions/context.py. Holding a rival weighs in the focal wallet's
`competitor` term.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import mesa
import numpy as np

from adoptsim.engine import rules, thinning
from adoptsim.engine.agents import AgentViews
from adoptsim.engine.levers import Levers
from adoptsim.engine.plan import PLAN, Component, run_step
from adoptsim.engine.rivals.market import RivalMarket
from adoptsim.engine.usefulness import Usefulness
from adoptsim.interventions.budget import fund
from adoptsim.results.recorder import Recorder
from adoptsim.scenario.footprint import EAGER_AGENT_LIMIT, release_freed_memory
from adoptsim.scenario.spec import Scenario
from adoptsim.world.chunks import CHUNK, pick
from adoptsim.world.market import market_context as build_market_context
from adoptsim.world.merchants import build_merchants
from adoptsim.world.network import NeighbourCounter, build_graph
from adoptsim.world.population import FLOAT, build_people
from adoptsim.world.segments import income_band
from adoptsim.world.stages import Stage
from adoptsim.world.streams import RandomStreams, seed_of

REPORTED = ("share_active", "share_ever_adopted", "share_merchants_accepting", "mean_trust", "transactions", "revenue")
"""Recorder series the Mesa DataCollector reports (read from the Recorder's current row)."""


class WalletAdoptionModel(AgentViews, mesa.Model):
    """Digital-wallet adoption among consumers on a social graph, with merchants."""

    def __init__(
        self,
        scenario: Scenario | str | Path,
        seed: int | None = None,
        agents: str = "auto",
        overrides: Sequence[str] = (),
    ) -> None:
        """`scenario`: a Scenario or a scenario file; `overrides`: `--set`-style "path=value"
        strings applied to it (so `mesa.batch_run` can vary parameters by keyword)."""
        if agents not in ("auto", "eager", "lazy"):
            raise ValueError(f"agents must be 'auto', 'eager' or 'lazy' (got {agents!r})")
        scenario = _scenario(scenario, overrides)
        seed = seed_of(scenario, seed)
        super().__init__(rng=seed)
        self.spec = scenario
        self.seed = seed
        self.behaviour = scenario.behaviour
        self.streams = RandomStreams(seed)
        pop = scenario.population
        self.age_group_labels = list(pop.age_groups)
        self.region_labels = list(pop.regions)
        self.category_labels = list(scenario.merchants.categories)
        self.people = build_people(pop, self.streams["population"])
        self.graph = build_graph(scenario.network, self.people.age_group, self.people.region, self.streams["network"])
        self.count_active_neighbours = NeighbourCounter(self.graph)
        self.shops, self.shopping = build_merchants(
            scenario.merchants, self.people.region, len(self.region_labels), self.streams["merchants"]
        )
        media_reach = np.array([r.media_reach for r in pop.regions.values()], dtype=FLOAT)
        self.media_by_region = rules.media_rate(self.behaviour.p_media, media_reach)
        self.media_group = self.people.region  # each consumer's entry of media_by_region
        self.ease = self.behaviour.ease
        self.levers = Levers(pop.size)
        self.interventions = fund(
            scenario.interventions, scenario.budget, lambda name: self.streams[f"intervention:{name}"]
        )
        self.intervention_names = [spec.name for spec in scenario.interventions]
        self.intervention_runs = {spec.name: run for spec, run in self.interventions}
        self.step_index = 0
        self.trust_recovering = False
        self._usefulness = Usefulness(self.shopping, self.people.online, scenario.merchants.online_acceptance)
        self.draw_buffer = thinning.draw_buffer()  # a slice's draws
        self.work = np.empty((2, CHUNK), dtype=FLOAT)  # a slice's float32 temporaries
        self.income_band = income_band(self.people.income)  # int8: what a payment is worth, by band
        self.band_value = scenario.economics.band_values().astype(FLOAT)
        self.market = build_market_context(self)  # None without a `market:` block (world/market.py)
        self.plan: list[Component] = list(PLAN)
        self.rivals = RivalMarket(self)
        self.recorder = Recorder(self, scenario.steps)
        self.recorder.record(self, 0, None)
        self.datacollector = mesa.DataCollector(model_reporters={name: _reporter(name) for name in REPORTED})
        self.datacollector.collect(self)
        if pop.size >= EAGER_AGENT_LIMIT:  # what the set-up freed goes back (small runs: not worth a call)
            release_freed_memory()
        self._agents_created = False
        if agents == "eager" or (agents == "auto" and pop.size <= EAGER_AGENT_LIMIT):
            self._create_agents()

    def behaviour_of(self, who: np.ndarray | slice) -> object:
        """The behaviour the rules read for consumers `who`: the scenario's, the same for everyone
        (blocks of runs give each block's, engine/blocks.py)."""
        return self.behaviour

    @property
    def has_active_neighbour(self) -> np.ndarray:
        """Whether each consumer had an active neighbour at the start of the step."""
        return self.count_active_neighbours.counts > 0

    def make_active(self, who: np.ndarray) -> None:
        """Turn consumers into active users (seeding and the like)."""
        self.people.stage[who] = Stage.ACTIVE
        self.people.ever_adopted[who] = True

    def merchant_share(self, merchant_flags: np.ndarray) -> np.ndarray:
        """For each consumer, the share of their merchants for which the flag holds."""
        if self.shops.size == 0:
            return np.zeros(self.people.size, dtype=FLOAT)
        return self.shopping.consumer_share(merchant_flags)

    def usefulness(self) -> np.ndarray:
        """u_i from merchant and online acceptance (adoptsim/engine/usefulness.py)."""
        return self._usefulness(self.shops.accepts)

    def transactions(self, who: np.ndarray, use: np.ndarray) -> np.ndarray:
        """Payments a step of consumers `who` at usefulness `use` (rules.transactions)."""
        return rules.transactions(self.behaviour.tau, pick(self.people.income, who), use)

    def money_utility(self, amount: np.ndarray, who: np.ndarray) -> np.ndarray:
        """The pull of `amount` of money on consumers `who` (rules.money_utility)."""
        return rules.money_utility(self.behaviour, amount, pick(self.people.income, who))

    def speed_trust_recovery(self, who: np.ndarray, half_life: float) -> None:
        """Consumers `who` regain their deficit at `half_life` this step: on top of everyone's
        recovery (rate r), an extra 1 - (1 - r_who) / (1 - r) of it now, so both together keep
        (1 - r_who) of it."""
        people = self.people
        kept = 1.0 - rules.weekly_recovery(half_life)
        extra = 1.0 - kept / (1.0 - rules.weekly_recovery(self.behaviour.trust_half_life))
        people.trust[who], people.trust_deficit[who] = rules.recover_trust(
            people.trust[who], people.trust_deficit[who], max(extra, 0.0)
        )

    def step(self) -> None:
        """One synchronous step: the components of `self.plan` in order (module docstring)."""
        self.step_index = int(round(self.time)) - 1
        if self.step_index >= self.spec.steps:
            self.running = False
            raise RuntimeError(
                f"scenario '{self.spec.name}' has {self.spec.steps} steps and all have run; "
                "set `steps` higher to run longer"
            )
        run_step(self, self.plan)
        self.running = self.step_index + 1 < self.spec.steps

    def run(self) -> None:
        """Run every step of the scenario."""
        self.run_for(self.spec.steps - int(round(self.time)))


def _scenario(scenario: Scenario | str | Path, overrides: Sequence[str]) -> Scenario:
    """A Scenario from a Scenario or a file, with `overrides` applied and validated as `--set` ones."""
    from adoptsim.scenario.loading import load_scenario, validate_scenario
    from adoptsim.scenario.paths import parse_override, set_path

    if not isinstance(scenario, Scenario):
        return load_scenario(scenario, list(overrides))
    if not overrides:
        return scenario
    data = json.loads(scenario.model_dump_json())
    for text in overrides:
        set_path(data, *parse_override(text))
    return validate_scenario(data, scenario.name)


def _reporter(name: str):
    """A DataCollector model reporter: series `name` at the Recorder's current row."""
    return lambda model: float(model.recorder.columns[name][model.recorder.rows - 1])
