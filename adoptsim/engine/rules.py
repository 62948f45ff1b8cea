"""The step rules of docs/model.md as pure functions on arrays (no model, no randomness).

The one rule set: the focal wallet's components (adoptsim/engine/components/), every rival
(adoptsim/engine/rivals/market.py) and, through the step context, the interventions call these
functions; no rule is written anywhere else (the per-agent oracle, reference.py, excepted on
purpose). Each returns probabilities or new values, in the dtype of its state (float32 for the
focal wallet), or moves state in place; the caller draws and applies.
"""

from __future__ import annotations

import numpy as np

from adoptsim.scenario.behaviour import Behaviour
from adoptsim.world.chunks import CHUNK, pick, slices

__all__ = ["CHUNK", "pick", "slices"]  # with every rule below

DENSE_SHARE = 0.3
"""A rule with more than this share of consumers as candidates runs on slices of whole arrays."""


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function 1 / (1 + e^-x) = (1 + tanh(x/2)) / 2, in place when out is given."""
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def media_rate(p_media: float, media_reach: np.ndarray) -> np.ndarray:
    """p_media m_r: the chance a step that media make an unaware consumer of region r aware (in
    the dtype of `media_reach`)."""
    return media_reach.dtype.type(p_media) * media_reach


def awareness_probability(
    media_rate: np.ndarray, q_wom: float, wom: np.ndarray | None, active_neighbours: np.ndarray
) -> np.ndarray:
    """P(aware) = 1 - (1 - p_media m_i)(1 - q_wom w_i)^A_i, with media_rate = p_media m_i (a
    fresh array, overwritten) and wom = w_i (None: 1 for everyone, then (1 - q)^A = e^(A ln(1 - q))).
    Computed in the dtype of `media_rate`."""
    dtype = media_rate.dtype.type
    stay_media = np.minimum(media_rate, 1, dtype=dtype, out=media_rate)
    np.subtract(1, stay_media, out=stay_media)
    count = np.asarray(active_neighbours).astype(dtype)
    q = dtype(q_wom)  # one q for everyone, or each consumer's (blocks of runs, engine/blocks.py)
    if wom is None and np.all(q < 1):
        stay = np.exp(np.multiply(count, np.log1p(-q), out=count), out=count)
    else:
        base = 1 - np.minimum(q * (1 if wom is None else wom), 1)
        stay = np.power(base, count, out=count, dtype=dtype)
    stay *= stay_media
    return np.subtract(1, stay, out=stay)


def usefulness(online: np.ndarray, merchant_acceptance: np.ndarray, online_acceptance: float) -> np.ndarray:
    """u_i = acc_i + online_i (oa - acc_i): the share acc_i of i's merchants that accept, with the
    online share of i's spending at the online acceptance oa (in the dtype of `merchant_acceptance`)."""
    u = np.subtract(online_acceptance, merchant_acceptance)
    u *= online
    u += merchant_acceptance
    return u


def adoption_utility(
    b: Behaviour,
    use: np.ndarray,
    tech_skill: np.ndarray,
    ease: float,
    trust: np.ndarray,
    social: np.ndarray,
    habit: np.ndarray,
    competitor: np.ndarray,
    incentive: np.ndarray | None,
    income: np.ndarray,
) -> np.ndarray:
    """U_i = b0 + b_use u + b_ease skill*ease + b_trust trust + b_social s - b_habit habit
    - b_comp competitor + money_utility(incentive_i), with incentive_i in money (None: no
    incentive). Summed in place, in the dtype of `use`."""
    dtype = np.asarray(use).dtype.type
    utility = np.multiply(use, dtype(b.b_use))
    utility += dtype(b.b0)
    term = np.empty_like(utility)
    for weight, x in ((b.b_ease * ease, tech_skill), (b.b_trust, trust), (b.b_social, social), (-b.b_habit, habit)):
        utility += np.multiply(x, dtype(weight), out=term)
    utility -= np.multiply(competitor, dtype(b.b_comp), out=term)
    if incentive is not None:
        utility += money_utility(b, incentive, income)
    return utility


def money_utility(b: Behaviour, amount: np.ndarray, income: np.ndarray) -> np.ndarray:
    """Pull of `amount` of money: b_inc (1 - rho income) ln(1 + amount / money_scale).

    Diminishing returns (a log response: doubling a reward adds less than double) and a price
    sensitivity lower for higher income; zero money has no pull.
    """
    return b.b_inc * (1.0 - b.rho * income) * np.log1p(amount / b.money_scale)


def weekly_recovery(half_life: float) -> float:
    """Share of a trust deficit regained per step for a half-life in steps: 1 - 2^(-1/h)."""
    return 1.0 - 2.0 ** (-1.0 / half_life)


def recover_trust(
    trust: np.ndarray, deficit: np.ndarray, rate: float, work: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Trust lost to a breach comes back: regained = rate * deficit; trust += regained,
    deficit -= regained (so trust returns to where it would have been, at a half-life).

    Updates both arrays in place and returns them; `work`, if given, holds `regained`, so a step
    over 10M consumers makes no fresh full-size array."""
    regained = np.multiply(deficit, deficit.dtype.type(rate), out=work)
    trust += regained
    np.minimum(trust, 1.0, out=trust)
    deficit -= regained
    return trust, deficit


def adoption_probability(b: Behaviour, utility: np.ndarray) -> np.ndarray:
    """P(adopt | aware or lapsed) = r_a * sigmoid(U_i) (written over `utility`; r_a in its dtype,
    one for everyone or each consumer's)."""
    p = sigmoid(utility, out=utility)
    p *= p.dtype.type(b.r_a)
    return p


def lapse_probability(
    b: Behaviour,
    wallet_habit: np.ndarray,
    trust: np.ndarray,
    use: np.ndarray,
    habit: np.ndarray,
    factor: np.ndarray,
) -> np.ndarray:
    """P(lapse | active) = factor_i * r_l * sigmoid(l0 - l_wh wh - l_trust trust - l_use u + l_habit habit),
    capped at 1 (factor_i comes from customer support and breaches)."""
    dtype = np.asarray(trust).dtype.type
    p = np.multiply(habit, dtype(b.l_habit))
    p += dtype(b.l0)
    term = np.empty_like(p)
    for weight, x in ((b.l_wh, wallet_habit), (b.l_trust, trust), (b.l_use, use)):
        p -= np.multiply(x, dtype(weight), out=term)
    sigmoid(p, out=p)
    p *= factor * b.r_l if np.isscalar(factor) else np.multiply(factor, dtype(b.r_l), out=term)
    return np.minimum(p, 1.0, out=p)


def approach(x: np.ndarray, target: float, rate: float, active: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """x += rate a_i (target - x) in place, with a_i = 1 where `active` (bool or 0/1) else 0;
    `gap` is a work array of x's shape and dtype (so a slice of 10M consumers allocates nothing)."""
    np.subtract(target, x, out=gap)
    gap *= active
    gap *= x.dtype.type(rate)
    x += gap
    return x


def grow_wallet_habit(wallet_habit: np.ndarray, eta: float, active: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Each step of use: wh += eta (1 - wh) (in place, where `active`)."""
    return approach(wallet_habit, 1, eta, active, gap)


def decay_old_habit(habit: np.ndarray, kappa: float, active: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Each step of use of any wallet: habit += kappa (0 - habit) (in place, where `active`)."""
    return approach(habit, 0, kappa, active, gap)


def trust_after_experience(trust: np.ndarray, eps_exp: float, active: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Each step of use: trust += eps_exp (1 - trust) (in place, where `active`)."""
    return approach(trust, 1, eps_exp, active, gap)


def transactions(tau: float, income: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Wallet payments a step of an active user: tau (0.5 + income_i) u_i (in the dtype of `income`)."""
    return tau * (0.5 + income) * use


def social_share(active_neighbours: np.ndarray, degree: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """s_i = A_i / max(deg_i, 1): the share of i's neighbours who use the wallet."""
    share = np.maximum(degree, 1).astype(dtype)
    return np.divide(active_neighbours, share, out=share)


def trust_after_social_proof(trust: np.ndarray, neighbour_sum: np.ndarray, degree: np.ndarray, mu: float) -> np.ndarray:
    """Those with neighbours: trust += mu (neighbours' mean trust - trust), the mean being
    neighbour_sum / deg (in place; returns `trust`)."""
    neighbour_mean = neighbour_sum / np.maximum(degree, 1)
    has_neighbours = degree > 0
    trust[has_neighbours] = (trust + mu * (neighbour_mean - trust))[has_neighbours]
    return trust


def merchant_acceptance_probability(b: Behaviour, customer_active_share: np.ndarray) -> np.ndarray:
    """P(start accepting) = r_m * sigmoid(g0 + g1 * c_j)."""
    return b.r_m * sigmoid(b.g0 + b.g1 * customer_active_share)


def adoption_ceiling(b: Behaviour) -> float:
    """An upper bound of every adoption probability: r_a sigmoid(U) <= r_a (in float32 too, where
    sigmoid <= 1 and the product rounds to at most r_a)."""
    return float(np.float32(b.r_a)) * (1 + 1e-6)


def lapse_ceiling(b: Behaviour, largest_factor: float) -> float:
    """An upper bound of every lapse probability: min(r_l sigmoid(.) factor_i, 1) <= r_l max factor."""
    return min(float(np.float32(b.r_l)) * max(largest_factor, 0.0) * (1 + 1e-6), 1.0)


FLOAT32_SPACING_BELOW_ONE = 2.0**-24
"""The gap between float32's largest number below 1 and 1."""


def awareness_ceiling(media: float, wom: float, active_neighbours: np.ndarray) -> np.ndarray:
    """Upper bounds of the awareness probabilities, M + Q A_i >= 1 - (1 - M)(1 - Q)^A_i (as
    (1 - Q)^A >= 1 - A Q), with M and Q the largest media and word-of-mouth chances of any
    consumer; the margin covers float32 rounding of the exact rule: 1 - Q rounded to float32 is
    off by up to 2^-25 (half its spacing below 1), which the power A_i multiplies, so each
    neighbour adds 2^-24 (for Q near 1e-7 that is a tenth of Q)."""
    bound = active_neighbours * (wom * (1 + 1e-5) + FLOAT32_SPACING_BELOW_ONE)
    bound += media * (1 + 1e-5) + 1e-6
    return bound
