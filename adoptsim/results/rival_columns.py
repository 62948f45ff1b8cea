"""Rival wallets' Recorder columns: market shares (primary wallet among users of any wallet),
users, merchant acceptance and switching flows of each wallet (docs/rivals.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from adoptsim.interventions.context import NO_WALLET
from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.interventions.context import RecordedRun, RivalWallets


def column_names(market: RivalWallets, model: RecordedRun) -> list[str]:
    """Recorder columns (none without rivals)."""
    if not market.rivals:
        return []
    names = ["n_wallet_users", "share_focal_of_users"]
    segments = _segments(model)
    for wallet in market.names:
        names += [f"n_primary_{wallet}", f"share_market_{wallet}"]
        names += [f"share_market_{wallet}_{segment}" for segment, _ in segments]
    for rival in market.rivals:
        name = rival.spec.name
        names += [f"n_users_{name}", f"share_users_{name}", f"share_merchants_accepting_{name}"]
        names += [f"new_switch_to_{name}", f"new_switch_from_{name}"]
    return names


def _segments(model: RecordedRun) -> list[tuple[str, np.ndarray]]:
    people = model.people
    return [(f"age_{label}", people.age_group == g) for g, label in enumerate(model.age_group_labels)] + [
        (f"region_{label}", people.region == r) for r, label in enumerate(model.region_labels)
    ]


def record(market: RivalWallets, model: RecordedRun, columns: dict[str, np.ndarray], row: int) -> None:
    """Market shares (primary wallet among users of any wallet), users, merchants, switches."""
    if not market.rivals:
        return
    people = model.people
    users = market.primary != NO_WALLET
    n_users = int(users.sum())
    columns["n_wallet_users"][row] = n_users
    columns["share_focal_of_users"][row] = np.count_nonzero(people.stage == Stage.ACTIVE.value) / max(n_users, 1)
    segments = _segments(model)
    for w, wallet in enumerate(market.names):
        primary = market.primary == w
        columns[f"n_primary_{wallet}"][row] = primary.sum()
        columns[f"share_market_{wallet}"][row] = primary.sum() / max(n_users, 1)
        for segment, members in segments:
            columns[f"share_market_{wallet}_{segment}"][row] = np.count_nonzero(primary & members) / max(
                np.count_nonzero(users & members), 1
            )
    for i, rival in enumerate(market.rivals):
        name = rival.spec.name
        n_active = np.count_nonzero(rival.stage == Stage.ACTIVE.value)
        columns[f"n_users_{name}"][row] = n_active
        columns[f"share_users_{name}"][row] = n_active / people.size
        columns[f"share_merchants_accepting_{name}"][row] = rival.accepts.sum() / max(rival.accepts.size, 1)
        columns[f"new_switch_to_{name}"][row] = market.switch_to[i] if row else 0.0
        columns[f"new_switch_from_{name}"][row] = market.switch_from[i] if row else 0.0
