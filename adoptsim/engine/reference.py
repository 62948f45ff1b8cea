"""A per-agent reference implementation of the same rules: plain Mesa agents, one at a time.

Each consumer and merchant is a Mesa agent holding its own traits as Python numbers, with lists
of neighbour and merchant agents; every step the agents are stepped one by one with Python's
`random` and `math`, no numpy in the agent loop. It exists for two reasons:
- a test oracle: on small populations its mean curves agree with the vectorized model's
  (tests/engine/test_reference.py), which checks the vectorized bookkeeping against the plain reading
  of docs/model.md;
- a speed yardstick for benchmarks/ (the ratio shows what vectorizing buys).

It implements the core dynamics (awareness, adoption by those in the market, lapse, use, trust,
merchants), not interventions. Population, graph and merchants come from the same builders (numpy there is
set-up, not the agent loop), so only the dynamics differ in how they are computed; random
numbers differ, so agreement is statistical.
"""

from __future__ import annotations

import math
import random

import mesa

from adoptsim.scenario.spec import Scenario
from adoptsim.world.merchants import build_merchants
from adoptsim.world.network import build_graph
from adoptsim.world.population import build_people
from adoptsim.world.stages import ACTIVE, AWARE, LAPSED, UNAWARE
from adoptsim.world.streams import RandomStreams


def logistic(x: float) -> float:
    """1 / (1 + e^-x), without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class ShopAgent(mesa.Agent):
    """A merchant with its own `accepts` flag and list of customers."""

    def __init__(self, model: ReferenceModel, accepts: bool) -> None:
        super().__init__(model)
        self.accepts = accepts
        self.customers: list[PersonAgent] = []

    def step(self) -> None:
        if self.accepts or not self.customers:
            return
        b = self.model.behaviour
        active_share = sum([c.stage == ACTIVE for c in self.customers]) / len(self.customers)
        if self.model.random.random() < b.r_m * logistic(b.g0 + b.g1 * active_share):
            self.accepts = True


class PersonAgent(mesa.Agent):
    """A consumer holding its traits as Python numbers."""

    def __init__(self, model: ReferenceModel, traits: dict) -> None:
        super().__init__(model)
        self.__dict__.update(traits)
        self.stage = UNAWARE
        self.ever_adopted = False
        self.wallet_habit = 0.0
        self.was_active = False
        self.neighbours: list[PersonAgent] = []
        self.shops: list[ShopAgent] = []

    def remember(self) -> None:
        """Synchronous update: everyone reads the state at the start of the step."""
        self.was_active = self.stage == ACTIVE

    def usefulness(self) -> float:
        accepting = sum([shop.accepts for shop in self.shops]) / self.model.per_consumer
        return (1.0 - self.online) * accepting + self.online * self.model.online_acceptance

    def active_neighbours(self) -> int:
        return sum([n.was_active for n in self.neighbours])

    def step(self) -> None:
        """Counts of friends and shops are taken only where a rule reads them (the same draws, in
        the same order, as taking them for everyone)."""
        model, b, rand = self.model, self.model.behaviour, self.model.random.random
        if self.stage == UNAWARE:
            active_neighbours = self.active_neighbours()
            stay = (1.0 - min(model.media_rate[self.region], 1.0)) * (1.0 - b.q_wom) ** active_neighbours
            if rand() < 1.0 - stay:
                self.stage = AWARE
        if self.stage in (AWARE, LAPSED) and not self.was_active and self.in_market:
            social = self.active_neighbours() / max(len(self.neighbours), 1)
            utility = (
                b.b0
                + b.b_use * self.usefulness()
                + b.b_ease * self.tech_skill * model.ease
                + b.b_trust * self.trust
                + b.b_social * social
                - b.b_habit * self.habit
                - b.b_comp * self.competitor
            )
            if rand() < b.r_a * logistic(utility):
                self.stage = ACTIVE
                self.ever_adopted = True
        elif self.was_active:
            propensity = (
                b.l0
                - b.l_wh * self.wallet_habit
                - b.l_trust * self.trust
                - b.l_use * self.usefulness()
                + b.l_habit * self.habit
            )
            if rand() < b.r_l * logistic(propensity):
                self.stage = LAPSED
        if self.stage == ACTIVE:
            self.wallet_habit += b.eta * (1.0 - self.wallet_habit)
            self.habit -= b.kappa * self.habit
            self.trust += b.eps_exp * (1.0 - self.trust)


class ReferenceModel(mesa.Model):
    """The vectorized model's rules, agent by agent."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.random = random.Random(seed)
        self.behaviour = scenario.behaviour
        self.ease = scenario.behaviour.ease
        self.per_consumer = scenario.merchants.per_consumer
        self.online_acceptance = scenario.merchants.online_acceptance
        streams = RandomStreams(seed)
        people = build_people(scenario.population, streams["population"])
        graph = build_graph(scenario.network, people.age_group, people.region, streams["network"])
        shops, shopping = build_merchants(
            scenario.merchants, people.region, len(scenario.population.regions), streams["merchants"]
        )
        self.media_rate = [self.behaviour.p_media * r.media_reach for r in scenario.population.regions.values()]
        names = ("age_group", "region", "income", "online", "trust", "tech_skill", "habit", "competitor", "in_market")
        columns = {name: getattr(people, name).tolist() for name in names}
        self.people = [PersonAgent(self, {k: columns[k][i] for k in names}) for i in range(people.size)]
        self.shops = [ShopAgent(self, bool(a)) for a in shops.accepts.tolist()]
        everyone = range(people.size)
        for i, person in enumerate(self.people):
            ties = (j for j in everyone if j != i) if graph.is_complete else graph.neighbours(i).tolist()
            person.neighbours = [self.people[j] for j in ties]
        for visits in shopping.table:
            for person, j in zip(self.people, visits.tolist(), strict=True):
                if j < shops.size:
                    person.shops.append(self.shops[j])
                    self.shops[j].customers.append(person)
        self.share_active = [0.0]

    def step(self) -> None:
        # Plain loops in creation order (what AgentSet.do("step") visits, a fifth faster).
        for person in self.people:
            person.remember()
        for person in self.people:
            person.step()
        for shop in self.shops:
            shop.step()
        self.share_active.append(sum(1 for p in self.people if p.stage == ACTIVE) / len(self.people))
