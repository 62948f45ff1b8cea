"""The consumer phases of a step (awareness, adoption, lapse) as rules on one draw per consumer,
and their probabilities for a part of their candidates, from the model's state.

`who` is either the gathered indices of candidates or a slice of consumers (thinning.decide):
all three rules are decided part by part on the state at the start of the phases and applied
once every part is decided. Their candidates are disjoint (the unaware, the aware and lapsed in
the market, the active since before the step), so one draw u_i decides for each consumer; a
consumer who hears of the wallet this step adopts at once with the rest of that draw, u_i / p_i
(thinning.py), against the adoption probability, as an aware one does with u_i.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from adoptsim.engine import rules
from adoptsim.engine.thinning import Rule
from adoptsim.world.chunks import pick
from adoptsim.world.population import FLOAT
from adoptsim.world.stages import ACTIVE, AWARE, LAPSED, UNAWARE

if TYPE_CHECKING:
    from adoptsim.engine.model import WalletAdoptionModel

Who = np.ndarray | slice


def aware(model: WalletAdoptionModel, who: Who, active_neighbours: np.ndarray) -> np.ndarray:
    """rules.awareness_probability with this step's media and word-of-mouth levers."""
    media, wom = model.levers.get("media"), model.levers.get("wom")
    media_rate = model.media_by_region.take(pick(model.media_group, who))
    if media is not None:
        media_rate *= pick(media, who)
    return rules.awareness_probability(
        media_rate, model.behaviour_of(who).q_wom, None if wom is None else pick(wom, who), pick(active_neighbours, who)
    )


def adopting(model: WalletAdoptionModel, who: Who, use: np.ndarray, active_neighbours: np.ndarray) -> np.ndarray:
    """r_a sigmoid(U_i) for the aware and lapsed in the market."""
    people, b = model.people, model.behaviour_of(who)
    social = rules.social_share(pick(active_neighbours, who), model.graph.degree_of(who), FLOAT)
    incentive = model.levers.get("incentive")
    utility = rules.adoption_utility(
        b,
        pick(use, who),
        pick(people.tech_skill, who),
        FLOAT(model.ease),
        pick(people.trust, who),
        social,
        pick(people.habit, who),
        model.rivals.competitor(model, who),
        None if incentive is None else pick(incentive, who),
        pick(people.income, who),
    )
    if model.market is not None:  # the market context's term (world/market.py)
        utility += pick(model.market.shift, who)
    return rules.adoption_probability(b, utility)


def lapsing(model: WalletAdoptionModel, who: Who, use: np.ndarray) -> np.ndarray:
    """r_l sigmoid(...) x lapse lever, for those active since before the step."""
    people = model.people
    lever = model.levers.get("lapse")
    return rules.lapse_probability(
        model.behaviour,
        pick(people.wallet_habit, who),
        pick(people.trust, who),
        pick(use, who),
        pick(people.habit, who),
        1 if lever is None else pick(lever, who),
    )


def decisions(
    model: WalletAdoptionModel, active_before: np.ndarray, use: np.ndarray, active_neighbours: np.ndarray
) -> list[Rule]:
    """Awareness, adoption and lapse, each with the bound its draws are thinned against:
    M + Q A_i for awareness, r_a for adoption, r_l x the largest lapse lever for lapse. Those
    who become aware and are in the market go on to adoption with the rest of their draw."""
    stage, in_market, levers, b = model.people.stage, model.people.in_market, model.levers, model.behaviour
    media = min(float(np.maximum.reduce(model.media_by_region, initial=0)) * max(levers.largest("media"), 0.0), 1.0)
    wom = min(b.q_wom * max(levers.largest("wom"), 0.0), 1.0)

    def aware_or_lapsed(part: slice) -> np.ndarray:
        return ((stage[part] == AWARE) | (stage[part] == LAPSED)) & in_market[part]

    return [
        Rule(
            lambda part: rules.awareness_ceiling(media, wom, active_neighbours[part]),
            lambda part: stage[part] == UNAWARE,
            lambda who: aware(model, who, active_neighbours),
            then=1,  # those who hear of the wallet in the market may adopt at once
            then_eligible=in_market.take,
        ),
        Rule(rules.adoption_ceiling(b), aware_or_lapsed, lambda who: adopting(model, who, use, active_neighbours)),
        Rule(
            rules.lapse_ceiling(b, levers.largest("lapse")),
            lambda part: active_before[part] & (stage[part] == ACTIVE),
            lambda who: lapsing(model, who, use),
        ),
    ]
