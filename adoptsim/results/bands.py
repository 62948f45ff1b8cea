"""The recorder's market columns (a `market:` block): ever adopted by age group, and active and
ever adopted by age band (`market.age_bands`, e.g. 65+), for calibration targets by age.

Counts per cell (age group x which bands a consumer's age falls in) are kept up to date from the
consumers whose flags changed since the last row, as the recorder's segment shares are: a row
costs work in proportion to change, not a pass over everyone per band.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def recorded_columns(model: Any) -> list[str]:
    """The recorder's market columns: ever adopted by age group, active and ever adopted by age band."""
    market = model.spec.market
    if market is None:
        return []
    names = [f"share_ever_adopted_age_{g}" for g in model.age_group_labels]
    for band in market.age_bands:
        names += [f"share_active_ages_{band}", f"share_ever_adopted_ages_{band}"]
    return names


class BandRecorder:
    """Shares by age group and band in a row, from counts per cell updated where flags changed."""

    def __init__(self, model: Any) -> None:
        people, bands = model.people, list(model.spec.market.age_bands.values())
        groups = len(model.age_group_labels)
        cell = people.age_group.astype(np.intp) << len(bands)
        for bit, (low, high) in enumerate(bands):
            cell |= ((people.age >= low) & (people.age <= high)).astype(np.intp) << bit
        self.cell, cells = cell, groups << len(bands)
        # columns: ever by group, then (active, ever) by band; fold[flag][c, j] = 1 when cell c counts in j
        self.fold = np.zeros((2, cells, groups + 2 * len(bands)))
        every = np.arange(cells)
        self.fold[1, every, every >> len(bands)] = 1.0
        for bit in range(len(bands)):
            inside = (every >> bit) & 1 == 1
            self.fold[0, inside, groups + 2 * bit] = 1.0
            self.fold[1, inside, groups + 2 * bit + 1] = 1.0
        self.sizes = np.maximum(np.bincount(cell, minlength=cells) @ self.fold[1], 1)
        self.sizes[groups::2] = self.sizes[groups + 1 :: 2]  # a band's active share is over the same people
        self.counts = np.zeros((2, cells))  # active, ever adopted per cell
        self.ever = np.zeros(people.size, dtype=bool)

    def row(self, people: Any, changed: np.ndarray, gained: np.ndarray) -> np.ndarray:
        """The market columns, given the consumers whose active flag changed since the last row
        (`changed`, and `gained`: whether each became active)."""
        for flag, who, now in ((0, changed, gained), (1, *self._ever_changed(people.ever_adopted))):
            if who.size:
                signs = now * 2.0
                signs -= 1.0  # +1 gained, -1 lost
                self.counts[flag] += np.bincount(self.cell.take(who), weights=signs, minlength=self.counts.shape[1])
        return np.einsum("fc,fcj->j", self.counts, self.fold) / self.sizes

    def _ever_changed(self, ever: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        who = (ever != self.ever).nonzero()[0]
        now = ever.take(who)
        self.ever[who] = now
        return who, now
