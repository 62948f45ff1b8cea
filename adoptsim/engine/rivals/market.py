"""Rival wallets' state and step: each rival runs the focal wallet's rules (adoptsim/engine/rules.py)
on its own arrays and random streams, coupled to the focal wallet through switching costs and
the primary wallet (docs/rivals.md).

Coupling, symmetric between wallets: adopting wallet w weighs `b_comp` against whoever already
holds another wallet (a named rival, the focal wallet, or the static `competitor` flag), read at
the start of the step for every wallet. The cash habit falls once per step for anyone using any
wallet. A consumer's primary wallet is the held wallet with the highest value
V_w = U_w without switching costs or incentives; it changes only when another held wallet beats
it by more than `b_comp` (the cost of switching), or when it is dropped.

Streams `rival:<name>:start`, `:merchants`, `:awareness`, `:adoption`, `:lapse`,
`:merchants-step` belong to each rival, so adding one never shifts another wallet's draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from adoptsim.engine import rules
from adoptsim.interventions.context import NO_WALLET
from adoptsim.scenario.behaviour import Behaviour
from adoptsim.scenario.rivals import RivalSpec, wallet_names
from adoptsim.world.network import NeighbourCounter
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.engine.model import WalletAdoptionModel

NONE = NO_WALLET
"""Primary wallet of a consumer who holds none."""


@dataclass
class Rival:
    """One rival's arrays: its funnel per consumer, its acceptance per merchant."""

    spec: RivalSpec
    behaviour: Behaviour
    stage: np.ndarray  # int8 Stage per consumer, this wallet's funnel
    ever_adopted: np.ndarray  # bool per consumer
    wallet_habit: np.ndarray  # habit of paying with this wallet, 0..1
    trust: np.ndarray  # trust in this wallet, 0..1
    appeal: np.ndarray  # utility shift per consumer (by age group)
    media_base: np.ndarray  # p_media x the region's media reach
    online_acceptance: float
    accepts: np.ndarray  # bool per merchant: accepts this wallet
    neighbours: NeighbourCounter
    campaign_targets: list[np.ndarray]

    def stream(self, model: WalletAdoptionModel, what: str) -> np.random.Generator:
        return model.streams[f"rival:{self.spec.name}:{what}"]


class RivalMarket:
    """The named rivals of a scenario and every consumer's primary wallet (0 focal, 1.. rivals)."""

    def __init__(self, model: WalletAdoptionModel) -> None:
        scenario, people = model.spec, model.people
        self.names = wallet_names(scenario.rivals)
        self.rivals: list[Rival] = []
        groups = list(scenario.population.age_groups)
        reach = np.array([r.media_reach for r in scenario.population.regions.values()])[people.region]
        for spec in scenario.rivals:
            behaviour = spec.behaviour(scenario.behaviour)
            start = model.streams[f"rival:{spec.name}:start"]
            users_share = np.array(spec.by_age_group("users", groups))[people.age_group]
            users = people.in_market & (start.random(people.size) < users_share)
            aware = start.random(people.size) < spec.aware
            stage = np.where(users, Stage.ACTIVE, np.where(aware, Stage.AWARE, Stage.UNAWARE)).astype(np.int8)
            merchants = scenario.merchants
            initial = merchants.initial_acceptance if spec.initial_acceptance is None else spec.initial_acceptance
            online = merchants.online_acceptance if spec.online_acceptance is None else spec.online_acceptance
            rival = Rival(
                spec=spec,
                behaviour=behaviour,
                stage=stage,
                ever_adopted=users.copy(),
                wallet_habit=np.where(users, spec.habit, 0.0),
                trust=np.clip(people.trust + spec.trust_shift, 0.0, 1.0),
                appeal=np.array(spec.by_age_group("appeal", groups))[people.age_group],
                media_base=rules.media_rate(behaviour.p_media, reach),
                online_acceptance=online,
                accepts=model.streams[f"rival:{spec.name}:merchants"].random(model.shops.size) < initial,
                neighbours=NeighbourCounter(model.graph),
                campaign_targets=[c.target.fixed_mask(model) for c in spec.campaigns],
            )
            self.rivals.append(rival)
        self.primary = np.full(people.size, NONE, dtype=np.int8)
        self.switch_to = np.zeros(len(self.rivals))
        self.switch_from = np.zeros(len(self.rivals))
        if self.rivals:
            zeros = np.zeros(people.size)
            neighbours = [r.neighbours(r.stage == Stage.ACTIVE.value) for r in self.rivals]
            self._choose_primary(model, zeros, zeros, neighbours, [self._usefulness(model, r) for r in self.rivals])

    @staticmethod
    def _usefulness(model: WalletAdoptionModel, rival: Rival) -> np.ndarray:
        return rules.usefulness(model.people.online, model.merchant_share(rival.accepts), rival.online_acceptance)

    # ------------------------------------------------------------ coupling read by the focal wallet

    def competitor(self, model: WalletAdoptionModel, who: np.ndarray) -> np.ndarray:
        """The focal wallet's `competitor` term for consumers `who`: the static flag, or holding a
        named rival at the start of the step (the switching cost b_comp weighs against both)."""
        flag = model.people.competitor[who]
        for rival in self.rivals:
            flag = flag | (rival.stage[who] == Stage.ACTIVE.value)
        return flag

    # ------------------------------------------------------------ the step

    def step(
        self, model: WalletAdoptionModel, focal_before: np.ndarray, use: np.ndarray, focal_neighbours: np.ndarray
    ) -> None:
        """Awareness, adoption and lapse of every rival on the state at the start of the step, the
        primary wallet, then use (habits, trust) and merchants' uptake of each rival.

        `focal_before`, `use`, `focal_neighbours`: the focal wallet's active users, usefulness and
        active neighbours at the start of the step."""
        if not self.rivals:
            return
        social = rules.social_share(focal_neighbours, model.graph.degree)
        people, step = model.people, model.step_index
        held_before = [r.stage == Stage.ACTIVE.value for r in self.rivals]
        active_neighbours = [r.neighbours(held) for r, held in zip(self.rivals, held_before, strict=True)]
        uses = [self._usefulness(model, rival) for rival in self.rivals]
        for i, rival in enumerate(self.rivals):
            b = rival.behaviour
            draw_aware = rival.stream(model, "awareness").random(people.size)
            draw_adopt = rival.stream(model, "adoption").random(people.size)
            draw_lapse = rival.stream(model, "lapse").random(people.size)
            use_w = uses[i]
            media, wom = np.ones(people.size), np.ones(people.size)
            for campaign, target in zip(rival.spec.campaigns, rival.campaign_targets, strict=True):
                if campaign.is_on(step):
                    media[target] *= campaign.media
                    wom[target] *= campaign.wom

            who = np.flatnonzero(rival.stage == Stage.UNAWARE.value)
            media_rate = rival.media_base[who] * media[who]
            p = rules.awareness_probability(media_rate, b.q_wom, wom[who], active_neighbours[i][who])
            rival.stage[who[draw_aware[who] < p]] = Stage.AWARE

            other = people.competitor | focal_before
            for j, held in enumerate(held_before):
                if j != i:
                    other = other | held
            aware_or_lapsed = (rival.stage == Stage.AWARE.value) | (rival.stage == Stage.LAPSED.value)
            who = np.flatnonzero(aware_or_lapsed & people.in_market)
            social_w = rules.social_share(active_neighbours[i], model.graph.degree)
            utility = self._utility(model, rival, use_w, social_w, who, other[who])
            adopters = who[draw_adopt[who] < rules.adoption_probability(b, utility)]

            who = np.flatnonzero(held_before[i])
            p = rules.lapse_probability(
                b, rival.wallet_habit[who], rival.trust[who], use_w[who], people.habit[who], np.ones(who.size)
            )
            rival.stage[who[draw_lapse[who] < p]] = Stage.LAPSED
            rival.stage[adopters] = Stage.ACTIVE
            rival.ever_adopted[adopters] = True

        self._choose_primary(model, use, social, active_neighbours, uses)
        self._use(model)

    @staticmethod
    def _utility(
        model: WalletAdoptionModel,
        rival: Rival,
        use: np.ndarray,
        social: np.ndarray,
        who: np.ndarray,
        holds_other: np.ndarray | None = None,
    ) -> np.ndarray:
        """U_iw for consumers `who`: the focal adoption utility of docs/model.md with this wallet's
        usefulness, ease, trust and users, plus its appeal; `holds_other` (another wallet held)
        weighs b_comp against it. Without it, the value V_iw that ranks held wallets."""
        people = model.people
        holds_other = np.zeros(who.size) if holds_other is None else holds_other
        return (
            rules.adoption_utility(
                rival.behaviour,
                use[who],
                people.tech_skill[who],
                rival.behaviour.ease,
                rival.trust[who],
                social[who],
                people.habit[who],
                holds_other,
                np.zeros(who.size),
                people.income[who],
            )
            + rival.appeal[who]
        )

    def _choose_primary(
        self,
        model: WalletAdoptionModel,
        use: np.ndarray,
        social: np.ndarray,
        active_neighbours: list[np.ndarray],
        uses: list[np.ndarray],
    ) -> None:
        """Primary wallet: the held wallet of highest V; kept unless another beats it by b_comp."""
        people, b = model.people, model.behaviour
        everyone = np.arange(people.size)
        values = np.full((len(self.rivals) + 1, people.size), -np.inf)
        focal_held = people.stage == Stage.ACTIVE.value
        values[0, focal_held] = rules.adoption_utility(
            b,
            use[focal_held],
            people.tech_skill[focal_held],
            model.ease,
            people.trust[focal_held],
            social[focal_held],
            people.habit[focal_held],
            np.zeros(int(focal_held.sum())),
            np.zeros(int(focal_held.sum())),
            people.income[focal_held],
        )
        for w, rival in enumerate(self.rivals, start=1):
            held = np.flatnonzero(rival.stage == Stage.ACTIVE.value)
            social_w = rules.social_share(active_neighbours[w - 1], model.graph.degree)
            values[w, held] = self._utility(model, rival, uses[w - 1], social_w, held)
        best = values.argmax(axis=0)
        holds_any = np.isfinite(values.max(axis=0))
        before = self.primary
        current = values[np.maximum(before, 0), everyone]
        gap = np.subtract(values[best, everyone], current, out=np.full(people.size, np.inf), where=np.isfinite(current))
        keep = (before != NONE) & (gap <= b.b_comp)
        primary = np.where(keep, before, np.where(holds_any, best, NONE)).astype(np.int8)
        for w in range(1, len(self.rivals) + 1):
            self.switch_to[w - 1] = np.count_nonzero((before == 0) & (primary == w))
            self.switch_from[w - 1] = np.count_nonzero((before == w) & (primary == 0))
        self.primary = primary

    def _use(self, model: WalletAdoptionModel) -> None:
        """Rival users: wallet habit and trust in the rival up; the cash habit down once per step
        for those who use a rival and not the focal wallet (the focal wallet's use does it for the rest)."""
        people, degree = model.people, model.graph.degree
        rival_users = np.zeros(people.size, dtype=bool)
        for rival in self.rivals:
            b = rival.behaviour
            active = rival.stage == Stage.ACTIVE.value
            rival_users |= active
            rules.grow_wallet_habit(rival.wallet_habit, b.eta, active, np.empty_like(rival.wallet_habit))
            rules.trust_after_experience(rival.trust, b.eps_exp, active, np.empty_like(rival.trust))
            if b.mu > 0:
                rules.trust_after_social_proof(rival.trust, model.graph.neighbour_sum(rival.trust), degree, b.mu)
            if model.shops.size:
                customers = customer_share(model, active)
                draw = rival.stream(model, "merchants-step").random(model.shops.size)
                rival.accepts |= draw < rules.merchant_acceptance_probability(b, customers)
        only_rivals = rival_users & (people.stage != Stage.ACTIVE.value)
        rules.decay_old_habit(people.habit, model.behaviour.kappa, only_rivals, np.empty_like(people.habit))


def customer_share(model: WalletAdoptionModel, active: np.ndarray) -> np.ndarray:
    """For each merchant, the share of their customers (visits) who use this wallet (0 if none).

    Counted afresh: the shopping graph's own running count belongs to the focal wallet."""
    shopping, customers = model.shopping, model.shops.customers
    visits = np.bincount(shopping.table[:, active].ravel(), minlength=shopping.merchants + 1)[: shopping.merchants]
    return np.divide(visits, customers, out=np.zeros(shopping.merchants), where=customers > 0)
