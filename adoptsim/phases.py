"""The probabilities of the consumer phases of a step (awareness, adoption, lapse) for a part of
their candidates, from the model's state.

`who` is either the gathered indices of candidates or a slice of consumers (thinning.decide):
the model decides part by part and applies the decisions once all parts are decided, so every
part sees the state at the start of the phase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from adoptsim import dynamics
from adoptsim.dynamics import pick
from adoptsim.population import FLOAT

if TYPE_CHECKING:
    from adoptsim.model import WalletAdoptionModel

Who = np.ndarray | slice


def aware(model: WalletAdoptionModel, who: Who, active_neighbours: np.ndarray) -> np.ndarray:
    """1 - (1 - p_media m_i)(1 - q w_i)^A_i."""
    media, wom = model.levers.get("media"), model.levers.get("wom")
    media_rate = np.take(model.media_by_region, pick(model.people.region, who))
    stay_media = np.minimum(media_rate if media is None else media_rate * pick(media, who), 1, dtype=FLOAT)
    np.subtract(1, stay_media, out=stay_media)
    count = pick(active_neighbours, who).astype(FLOAT)
    q = FLOAT(model.behaviour.q_wom)
    if wom is None and q < 1:
        stay = np.exp(np.multiply(count, np.log1p(-q), out=count), out=count)
    else:
        base = 1 - np.minimum(q * (1 if wom is None else pick(wom, who)), 1)
        stay = np.power(base, count, out=count, dtype=FLOAT)
    stay *= stay_media
    return np.subtract(1, stay, out=stay)


def adopting(model: WalletAdoptionModel, who: Who, use: np.ndarray, active_neighbours: np.ndarray) -> np.ndarray:
    """r_a sigmoid(U_i) for the aware and lapsed in the market."""
    people, b = model.people, model.behaviour
    social = np.maximum(model.graph.degree_of(who), 1).astype(FLOAT)
    np.divide(pick(active_neighbours, who), social, out=social)
    incentive = model.levers.get("incentive")
    utility = dynamics.adoption_utility(
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
    return dynamics.adoption_probability(b, utility)


def lapsing(model: WalletAdoptionModel, who: Who, use: np.ndarray) -> np.ndarray:
    """r_l sigmoid(...) x lapse lever, for those active since before the step."""
    people = model.people
    lever = model.levers.get("lapse")
    return dynamics.lapse_probability(
        model.behaviour,
        pick(people.wallet_habit, who),
        pick(people.trust, who),
        pick(use, who),
        pick(people.habit, who),
        1 if lever is None else pick(lever, who),
    )
