"""WalletAdoptionModel: owns the arrays, runs interventions then the vectorized dynamics.

One step (0-based index k = model.time - 1), synchronous: everyone reacts to the state at the
start of the step.

  1. snapshot   active users at the start; A_i active neighbours (sparse product, or an update from
                those who changed), s_i = A_i/deg_i
  2. market      out-of-market consumers enter it at `market_growth` a week (when set);
                interventions and events that act at step k (apply: traits, stages, levers)
  3. usefulness u_i from merchant and online acceptance
  4. awareness  unaware -> aware with 1 - (1 - p_media m_i)(1 - q_wom w_i)^A_i
  5. adoption   aware or lapsed (or aware since 4) and in the market -> active with r_a sigmoid(U_i)
  6. lapse      active since before the step -> lapsed with r_l sigmoid(...) x lapse levers
  7. use        active users: wallet habit up, old habit down, trust up, transactions
  8. trust      trust lost to a breach comes back at a half-life; optional pull towards the
                neighbours' mean (mu)
  9. merchants  non-accepting merchants start accepting with r_m sigmoid(g0 + g1 c_j)
 10. settle     interventions pay outcome-based costs; the Recorder writes row k + 1

Every consumer draws one number a step (stream `consumers`) for 4-6, whose candidates are
disjoint; one made aware in 4 decides 5 on the rest of that draw (adoptsim/engine/phases.py). Merchants
draw from their own stream; nobody's draw depends on the state, so interventions never shift the
draws of the dynamics. Real-valued state is float32 (draws stay float64). A rule is evaluated
only where the draw falls below a bound of its probability (adoptsim/engine/thinning.py): on a slice of
whole arrays where most of the slice are its candidates, on the gathered candidates otherwise
(adoptsim/engine/phases.py). Counts that feed the rules (active neighbours, merchants' active
customers, the recorder's segment counts) are updated from who changed. Named rivals
(adoptsim/engine/rivals/) step between 6 and 7 on the state at the start of the step; holding one weighs
in the focal wallet's `competitor` term.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from adoptsim.engine import phases, thinning
from adoptsim.engine import rules as dynamics
from adoptsim.engine.agents import AgentViews
from adoptsim.engine.levers import Levers
from adoptsim.engine.outcome import StepOutcome
from adoptsim.engine.rivals.market import RivalMarket
from adoptsim.engine.usefulness import Usefulness
from adoptsim.interventions.budget import fund
from adoptsim.results.recorder import Recorder
from adoptsim.scenario.footprint import EAGER_AGENT_LIMIT, release_freed_memory
from adoptsim.scenario.spec import Scenario
from adoptsim.world.merchants import build_merchants
from adoptsim.world.network import NeighbourCounter, build_graph
from adoptsim.world.population import FLOAT, build_people
from adoptsim.world.segments import income_band
from adoptsim.world.stages import Stage
from adoptsim.world.streams import RandomStreams, seed_of


class WalletAdoptionModel(AgentViews, mesa.Model):
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
        self.shops, self.shopping = build_merchants(
            scenario.merchants, self.people.region, len(self.region_labels), self.streams["merchants"]
        )
        media_reach = np.array([r.media_reach for r in pop.regions.values()], dtype=FLOAT)
        self.media_by_region = FLOAT(self.behaviour.p_media) * media_reach  # p_media x each region's reach
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
        self._draw = thinning.draw_buffer()  # a slice's draws
        self._work = np.empty((2, dynamics.CHUNK), dtype=FLOAT)  # a slice's float32 temporaries
        self._income_band = income_band(self.people.income)  # int8: what a payment is worth, by band
        self._band_value = scenario.economics.band_values().astype(FLOAT)
        self.rivals = RivalMarket(self)
        self.recorder = Recorder(self, scenario.steps)
        self.recorder.record(self, 0, None)
        if pop.size >= EAGER_AGENT_LIMIT:  # what the set-up freed goes back (small runs: not worth a call)
            release_freed_memory()
        self._agents_created = False
        if agents == "eager" or (agents == "auto" and pop.size <= EAGER_AGENT_LIMIT):
            self._create_agents()

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
        active_before = self.people.stage == Stage.ACTIVE.value
        active_neighbours = self.count_active_neighbours(active_before)
        if self.spec.population.market_growth > 0:
            self._grow_market()
        applied = self._apply_interventions()
        use = self.usefulness()
        new_aware, new_adopters, new_lapses = self._decide(active_before, use, active_neighbours)
        self.rivals.step(self, active_before, use, active_neighbours)
        del active_before
        payments, volume = self._use_wallet(use)
        if self.trust_recovering:
            self._recover_trust()
        if self.behaviour.mu > 0:
            self._social_proof_of_trust()
        self._merchant_uptake()

        outcome = StepOutcome(new_aware, new_adopters, new_lapses, payments, volume, self._payments_now(use))
        for spec, run in applied:
            spec.settle(self, run, outcome)
        outcome.spend = {spec.name: run.step_spend for spec, run in self.interventions}
        self.recorder.record(self, self.step_index + 1, outcome)
        self.running = self.step_index + 1 < self.spec.steps

    def _apply_interventions(self) -> list:
        self.levers.reset()
        applied = []
        for spec, run in self.interventions:
            run.step_spend = 0.0
            if spec.is_on(self, run) and not run.exhausted:
                spec.begin_step(self, run)
                applied.append((spec, run))
        return applied

    def _decide(
        self, active_before: np.ndarray, use: np.ndarray, active_neighbours: np.ndarray
    ) -> tuple[int, np.ndarray, int]:
        """Awareness, adoption and lapse on one draw per consumer from the stream `consumers`
        (phases.rules), applied once all are decided: how many became aware, a mask of the
        adopters, how many lapsed."""
        aware, adopting, lapsing = thinning.decide(
            self.streams["consumers"],
            self.people.size,
            phases.rules(self, active_before, use, active_neighbours),
            self._draw,
        )
        stage = self.people.stage
        stage[aware] = Stage.AWARE
        stage[lapsing] = Stage.LAPSED
        self.make_active(adopting)
        adopters = np.zeros(self.people.size, dtype=bool)
        adopters[adopting] = True
        return aware.size, adopters, lapsing.size

    def _use_wallet(self, use: np.ndarray) -> tuple[float, float]:
        """Habits and trust of active users move, x += rate a_i (target - x) with a_i = 1 if
        active else 0, a slice at a time (its temporaries stay in cache); returns this step's
        payments and their value, sum over active i of tau (0.5 + income_i) u_i (x v_i), from
        the active users of each slice only."""
        people, b = self.people, self.behaviour
        moves = (
            (people.wallet_habit, FLOAT(b.eta), 1),
            (people.trust, FLOAT(b.eps_exp), 1),
            (people.habit, FLOAT(b.kappa), 0),
        )
        payments = volume = 0.0
        for part in dynamics.slices(people.size):
            is_active = people.stage[part] == Stage.ACTIVE.value
            active, gap = self._work[:, : part.stop - part.start]
            np.copyto(active, is_active)
            for x, rate, target in moves:
                x = x[part]
                np.subtract(target, x, out=gap)
                gap *= active
                gap *= rate
                x += gap
            who = np.flatnonzero(is_active) + part.start
            paid = np.take(use, who) * self.pay_weight(who)
            payments += float(paid.sum(dtype=np.float64))
            paid *= np.take(self._band_value, np.take(self._income_band, who))
            volume += float(paid.sum(dtype=np.float64))
        return payments, volume

    def pay_weight(self, who: slice | np.ndarray) -> np.ndarray:
        """tau (0.5 + income_i): payments a step of an active user per unit of usefulness."""
        return FLOAT(self.behaviour.tau) * (FLOAT(0.5) + dynamics.pick(self.people.income, who))

    def _payments_now(self, use: np.ndarray) -> Callable[[slice], np.ndarray]:
        """Consumers' payments this step, computed for a slice when asked (during the settling)."""
        stage = self.people.stage
        return lambda part: (stage[part] == Stage.ACTIVE.value) * use[part] * self.pay_weight(part)

    def _grow_market(self) -> None:
        """Out of the market -> in it with `market_growth` a week (its own stream, so a scenario
        with a fixed ceiling draws exactly as before)."""
        people = self.people
        growth = self.spec.population.market_growth
        thinning.draw_below(self.streams["market"], people.size, growth, people.in_market, self._draw)

    def _recover_trust(self) -> None:
        """Everyone regains part of the trust a breach took (stops once all of it is back)."""
        people = self.people
        rate = dynamics.weekly_recovery(self.behaviour.trust_half_life)
        for part in dynamics.slices(people.size):
            work = self._work[0, : part.stop - part.start]
            dynamics.recover_trust(people.trust[part], people.trust_deficit[part], rate, work=work)
        self.trust_recovering = bool(people.trust_deficit.max() > 1e-6)

    def _social_proof_of_trust(self) -> None:
        people, graph = self.people, self.graph
        degree = graph.degree
        neighbour_mean = graph.neighbour_sum(people.trust) / np.maximum(degree, 1)
        has_neighbours = degree > 0
        people.trust[has_neighbours] = dynamics.trust_after_social_proof(
            people.trust, neighbour_mean, self.behaviour.mu
        )[has_neighbours]

    def _merchant_uptake(self) -> None:
        shops = self.shops
        draw = self.streams["merchants-step"].random(shops.size)
        if shops.size == 0:
            return
        active = self.people.stage == Stage.ACTIVE.value
        customer_active = self.shopping.customer_share(active, shops.customers)
        shops.accepts |= draw < dynamics.merchant_acceptance_probability(self.behaviour, customer_active)

    def run(self) -> None:
        """Run every step of the scenario."""
        self.run_for(self.spec.steps - int(round(self.time)))
