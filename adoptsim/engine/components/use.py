"""Use of the wallet: active users' habits and trust move (rules.grow_wallet_habit,
trust_after_experience, decay_old_habit) and they pay (rules.transactions), a slice at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from adoptsim.engine import rules
from adoptsim.world.chunks import slices
from adoptsim.world.population import FLOAT
from adoptsim.world.stages import ACTIVE

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def use(model: WalletAdoptionModel, step: StepState) -> None:
    """Habits and trust of active users move (the slice's temporaries stay in cache); this step's
    payments and their value, sum over active i of tau (0.5 + income_i) u_i (x v_i), from the
    active users of each slice only."""
    people, b, use_now = model.people, model.behaviour, step.use
    tau = FLOAT(b.tau)
    payments = volume = 0.0
    for part in slices(people.size):
        is_active = people.stage[part] == ACTIVE
        active, gap = model.work[:, : part.stop - part.start]
        np.copyto(active, is_active)
        rules.grow_wallet_habit(people.wallet_habit[part], b.eta, active, gap)
        rules.trust_after_experience(people.trust[part], b.eps_exp, active, gap)
        rules.decay_old_habit(people.habit[part], b.kappa, active, gap)
        who = is_active.nonzero()[0]
        if part.start:
            who += part.start
        paid, value = paid_by(model, tau, use_now, who)
        payments += paid
        volume += value
    step.payments, step.volume = payments, volume
    step.payments_of = payments_of(model, tau, use_now)


def paid_by(model: WalletAdoptionModel, tau: np.floating, use_now: np.ndarray, who: np.ndarray) -> tuple[float, float]:
    """The payments of active users `who` this step and their value (income band's value each)."""
    paid = rules.transactions(tau, model.people.income.take(who), use_now.take(who))
    payments = float(np.add.reduce(paid, dtype=np.float64))
    paid *= model.band_value.take(model.income_band.take(who))
    return payments, float(np.add.reduce(paid, dtype=np.float64))


def payments_of(model: WalletAdoptionModel, tau: np.floating, use_now: np.ndarray) -> Callable[[slice], np.ndarray]:
    """Consumers' payments this step, a slice at a time (0 for those not active)."""
    stage, income = model.people.stage, model.people.income
    return lambda part: rules.transactions(tau, income[part], (stage[part] == ACTIVE) * use_now[part])
