"""Trust beyond experience: recovery after a breach, and the pull towards the neighbours' mean."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adoptsim.engine import rules
from adoptsim.world.chunks import slices

if TYPE_CHECKING:
    from adoptsim.engine.components.state import StepState
    from adoptsim.engine.model import WalletAdoptionModel


def trust_recovery(model: WalletAdoptionModel, step: StepState) -> None:
    """While a breach's deficit lasts, everyone regains part of it at the trust half-life."""
    if not model.trust_recovering:
        return
    people = model.people
    rate = rules.weekly_recovery(model.behaviour.trust_half_life)
    for part in slices(people.size):
        work = model.work[0, : part.stop - part.start]
        rules.recover_trust(people.trust[part], people.trust_deficit[part], rate, work=work)
    model.trust_recovering = bool(people.trust_deficit.max() > 1e-6)


def social_proof_of_trust(model: WalletAdoptionModel, step: StepState) -> None:
    """trust += mu (neighbours' mean trust - trust), when mu > 0."""
    mu = model.behaviour.mu
    if mu > 0:
        trust, graph = model.people.trust, model.graph
        rules.trust_after_social_proof(trust, graph.neighbour_sum(trust), graph.degree, mu)
