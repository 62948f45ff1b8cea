"""WalletAdoptionModel: owns the arrays, runs interventions then the vectorized dynamics.

One step (0-based index k = model.time - 1), synchronous: everyone reacts to the state at the
start of the step.

  1. snapshot   active users at the start; A_i active neighbours (sparse product, or an update from
                those who changed), s_i = A_i/deg_i
  2. market      out-of-market consumers enter it at `market_growth` a week (when set);
                interventions and events that act at step k (apply: traits, stages, levers)
  3. usefulness u_i from merchant and online acceptance
  4. awareness  unaware -> aware with 1 - (1 - p_media m_i)(1 - q_wom w_i)^A_i
  5. adoption   aware or lapsed and in the market -> active with r_a sigmoid(U_i)
  6. lapse      active since before the step -> lapsed with r_l sigmoid(...) x lapse levers
  7. use        active users: wallet habit up, old habit down, trust up, transactions
  8. trust      trust lost to a breach comes back at a half-life; optional pull towards the
                neighbours' mean (mu)
  9. merchants  non-accepting merchants start accepting with r_m sigmoid(g0 + g1 c_j)
 10. settle     interventions pay outcome-based costs; the Recorder writes row k + 1

Named rivals (adoptsim/rivals/) take their step between 6 and 7, on the state at the start of the
step, and add their users to the focal wallet's `competitor` term.

Each random decision draws for every agent from its own stream (awareness, adoption, lapse,
merchants), then masks, so interventions never shift the draws of the dynamics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from adoptsim import dynamics
from adoptsim.agents import Consumer, MerchantAgent
from adoptsim.interventions.budget import fund
from adoptsim.merchants import build_merchants
from adoptsim.metrics import Recorder
from adoptsim.network import NeighbourCounter, build_graph
from adoptsim.population import build_people
from adoptsim.rivals.market import RivalMarket
from adoptsim.scenario import Scenario
from adoptsim.stages import Stage
from adoptsim.streams import RandomStreams, seed_of

EAGER_AGENT_LIMIT = 200_000
"""Above this many consumers, Mesa agent views are created on first access to `model.agents`."""


@dataclass
class Levers:
    """Per-step multipliers and incentives that interventions set (reset every step)."""

    media: np.ndarray  # m_i, multiplier on p_media
    wom: np.ndarray  # w_i, multiplier on q_wom
    incentive: np.ndarray  # incentive_i: money offered for adopting now (scenario currency)
    lapse: np.ndarray  # multiplier on the lapse probability

    @classmethod
    def neutral(cls, n: int) -> Levers:
        return cls(np.ones(n), np.ones(n), np.zeros(n), np.ones(n))

    def reset(self) -> None:
        self.media.fill(1.0)
        self.wom.fill(1.0)
        self.incentive.fill(0.0)
        self.lapse.fill(1.0)


@dataclass
class StepOutcome:
    """What happened in one step, for interventions' costs and the Recorder."""

    new_aware: int
    new_adopters: np.ndarray  # bool per consumer
    new_lapses: int
    transactions: np.ndarray  # per consumer
    spend: dict[str, float] = field(default_factory=dict)


class WalletAdoptionModel(mesa.Model):
    """Digital-wallet adoption among consumers on a social graph, with merchants."""

    def __init__(self, scenario: Scenario, seed: int | None = None, agents: str = "auto") -> None:
        if agents not in ("auto", "eager", "lazy"):
            raise ValueError(f"agents must be 'auto', 'eager' or 'lazy' (got {agents!r})")
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
        self.inverse_degree = 1.0 / np.maximum(self.graph.degree, 1)
        self.shops, self.shopping = build_merchants(
            scenario.merchants, self.people.region, len(self.region_labels), self.streams["merchants"]
        )
        media_reach = np.array([r.media_reach for r in pop.regions.values()])
        self.media_base = self.behaviour.p_media * media_reach[self.people.region]
        self.ease = self.behaviour.ease
        self.levers = Levers.neutral(pop.size)
        self.interventions = fund(
            scenario.interventions, scenario.budget, lambda name: self.streams[f"intervention:{name}"]
        )
        self.intervention_names = [spec.name for spec in scenario.interventions]
        self.intervention_runs = {spec.name: run for spec, run in self.interventions}
        self.step_index = 0
        self.trust_recovering = False
        self.has_active_neighbour = np.zeros(pop.size, dtype=bool)
        self._accepting: np.ndarray | None = None
        self._accepting_share = np.zeros(pop.size)
        self.rivals = RivalMarket(self)
        self.recorder = Recorder(self, scenario.steps)
        self.recorder.record(self, 0, None)
        self._agents_created = False
        if agents == "eager" or (agents == "auto" and pop.size <= EAGER_AGENT_LIMIT):
            self._create_agents()

    # ------------------------------------------------------------ Mesa agent views

    def _create_agents(self) -> None:
        if self._agents_created:
            return
        self._agents_created = True
        self._consumer_agents = Consumer.create_agents(self, self.people.size, np.arange(self.people.size)).to_list()
        MerchantAgent.create_agents(self, self.shops.size, np.arange(self.shops.size))

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All Mesa agents (created on first access for large populations)."""
        self._create_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """Mesa agents by class (created on first access for large populations)."""
        self._create_agents()
        return super().agents_by_type

    def consumer(self, index: int) -> Consumer:
        """The Mesa agent of consumer `index`."""
        self._create_agents()
        return self._consumer_agents[index]

    def graph_neighbours(self, index: int) -> np.ndarray:
        """Indices of consumer `index`'s neighbours."""
        if self.graph.adjacency is None:
            return np.delete(np.arange(self.people.size), index)
        adjacency = self.graph.adjacency
        return adjacency.indices[adjacency.indptr[index] : adjacency.indptr[index + 1]]

    # ------------------------------------------------------------ state changes

    def make_active(self, who: np.ndarray) -> None:
        """Turn consumers into active users (seeding and the like)."""
        self.people.stage[who] = Stage.ACTIVE
        self.people.ever_adopted[who] = True

    def merchant_share(self, merchant_flags: np.ndarray) -> np.ndarray:
        """For each consumer, the share of their merchants for which the flag holds."""
        if self.shops.size == 0:
            return np.zeros(self.people.size)
        return self.shopping.consumer_share(merchant_flags)

    def _acceptance_share(self) -> np.ndarray:
        """Share of each consumer's merchants that accept; recomputed only when acceptance changed."""
        accepts = self.shops.accepts
        if self._accepting is None or not np.array_equal(accepts, self._accepting):
            self._accepting = accepts.copy()
            self._accepting_share = self.merchant_share(accepts)
        return self._accepting_share

    # ------------------------------------------------------------ the step

    def step(self) -> None:
        """One synchronous step; see the module docstring for its phases."""
        self.step_index = int(round(self.time)) - 1
        if self.step_index >= self.spec.steps:
            self.running = False
            raise RuntimeError(
                f"scenario '{self.spec.name}' has {self.spec.steps} steps and all have run; "
                "set `steps` higher to run longer"
            )
        b, people = self.behaviour, self.people
        active_before = people.stage == Stage.ACTIVE
        active_neighbours = self.count_active_neighbours(active_before)
        self.has_active_neighbour = active_neighbours > 0
        social = active_neighbours * self.inverse_degree
        if self.spec.population.market_growth > 0:
            self._grow_market()
        applied = self._apply_interventions()
        use = dynamics.usefulness(people.online, self._acceptance_share(), self.spec.merchants.online_acceptance)

        draw_aware = self.streams["awareness"].random(people.size)
        draw_adopt = self.streams["adoption"].random(people.size)
        draw_lapse = self.streams["lapse"].random(people.size)
        draw_merchant = self.streams["merchants-step"].random(self.shops.size)

        new_aware = self._awareness(draw_aware, active_neighbours)
        new_adopters = self._adoption(draw_adopt, use, social)
        new_lapses = self._lapse(draw_lapse, active_before, use)
        self.rivals.step(self, active_before, use, social)
        payments = self._use(use)
        if self.trust_recovering:
            self._recover_trust()
        if b.mu > 0:
            self._social_proof_of_trust()
        self._merchant_uptake(draw_merchant)

        outcome = StepOutcome(new_aware, new_adopters, new_lapses, payments)
        for spec, run in applied:
            spec.settle(self, run, outcome)
        outcome.spend = {spec.name: run.step_spend for spec, run in self.interventions}
        self.recorder.record(self, self.step_index + 1, outcome)
        self.running = self.step_index + 1 < self.spec.steps

    def _apply_interventions(self) -> list:
        if self.interventions:
            self.levers.reset()
        applied = []
        for spec, run in self.interventions:
            run.step_spend = 0.0
            if spec.is_on(self, run) and not run.exhausted:
                spec.begin_step(self, run)
                applied.append((spec, run))
        return applied

    def _awareness(self, draw: np.ndarray, active_neighbours: np.ndarray) -> int:
        """Rule evaluated for the unaware only; the draws were made for everyone."""
        who = np.flatnonzero(self.people.stage == Stage.UNAWARE)
        levers = self.levers
        p = dynamics.awareness_probability(
            self.media_base[who] * levers.media[who], self.behaviour.q_wom, levers.wom[who], active_neighbours[who]
        )
        became = who[draw[who] < p]
        self.people.stage[became] = Stage.AWARE
        return int(became.size)

    def _adoption(self, draw: np.ndarray, use: np.ndarray, social: np.ndarray) -> np.ndarray:
        people, b = self.people, self.behaviour
        who = np.flatnonzero(((people.stage == Stage.AWARE) | (people.stage == Stage.LAPSED)) & people.in_market)
        utility = dynamics.adoption_utility(
            b,
            use[who],
            people.tech_skill[who],
            self.ease,
            people.trust[who],
            social[who],
            people.habit[who],
            self.rivals.competitor(self, who),
            self.levers.incentive[who],
            people.income[who],
        )
        adopters = np.zeros(people.size, dtype=bool)
        adopters[who[draw[who] < dynamics.adoption_probability(b, utility)]] = True
        self.make_active(adopters)
        return adopters

    def _lapse(self, draw: np.ndarray, active_before: np.ndarray, use: np.ndarray) -> int:
        people = self.people
        who = np.flatnonzero(active_before & (people.stage == Stage.ACTIVE))
        p = dynamics.lapse_probability(
            self.behaviour,
            people.wallet_habit[who],
            people.trust[who],
            use[who],
            people.habit[who],
            self.levers.lapse[who],
        )
        lapsing = who[draw[who] < p]
        people.stage[lapsing] = Stage.LAPSED
        return int(lapsing.size)

    def _use(self, use: np.ndarray) -> np.ndarray:
        """Habits and trust of active users move; returns every consumer's payments this step."""
        people, b = self.people, self.behaviour
        active = people.stage == Stage.ACTIVE
        # Whole-array updates written where active: cheaper than gathering most of the population.
        np.copyto(people.wallet_habit, dynamics.grow_wallet_habit(people.wallet_habit, b.eta), where=active)
        np.copyto(people.habit, dynamics.decay_old_habit(people.habit, b.kappa), where=active)
        np.copyto(people.trust, dynamics.trust_after_experience(people.trust, b.eps_exp), where=active)
        return np.where(active, dynamics.transactions(b.tau, people.income, use), 0.0)

    def _grow_market(self) -> None:
        """Out of the market -> in it with `market_growth` a week (its own stream, so a scenario
        with a fixed ceiling draws exactly as before)."""
        draw = self.streams["market"].random(self.people.size)
        people = self.people
        people.in_market |= draw < self.spec.population.market_growth

    def _recover_trust(self) -> None:
        """Everyone regains part of the trust a breach took (stops once all of it is back)."""
        people = self.people
        rate = dynamics.weekly_recovery(self.behaviour.trust_half_life)
        people.trust, people.trust_deficit = dynamics.recover_trust(people.trust, people.trust_deficit, rate)
        self.trust_recovering = bool(people.trust_deficit.max() > 1e-6)

    def _social_proof_of_trust(self) -> None:
        people = self.people
        neighbour_mean = self.graph.neighbour_sum(people.trust) * self.inverse_degree
        has_neighbours = self.graph.degree > 0
        people.trust[has_neighbours] = dynamics.trust_after_social_proof(
            people.trust, neighbour_mean, self.behaviour.mu
        )[has_neighbours]

    def _merchant_uptake(self, draw: np.ndarray) -> None:
        shops = self.shops
        if shops.size == 0:
            return
        active = self.people.stage == Stage.ACTIVE
        customer_active = self.shopping.customer_share(active, shops.customers)
        p = dynamics.merchant_acceptance_probability(self.behaviour, customer_active)
        shops.accepts |= draw < p

    # ------------------------------------------------------------ running

    def run(self) -> None:
        """Run every step of the scenario."""
        self.run_for(self.spec.steps - int(round(self.time)))
