"""The recorder's market columns (a `market:` block): ever adopted by age group, and active and
ever adopted by age band (`market.age_bands`, e.g. 65+), for calibration targets by age.

Counts per cell (age group x which bands a consumer's age falls in) are kept up to date from the
consumers whose flags changed since the last row, as the recorder's segment shares are: a row
costs work in proportion to change, not a pass over everyone per band.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adoptsim.results.counts import ColumnCounts


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
    """Shares by age group and band in a row, from counts updated where flags changed."""

    def __init__(self, model: Any) -> None:
        people, bands = model.people, list(model.spec.market.age_bands.values())
        groups, width = len(model.age_group_labels), len(model.age_group_labels) + 2 * len(bands)
        cell = people.age_group.astype(np.intp) << len(bands)  # age group, then a bit per band
        for bit, (low, high) in enumerate(bands):
            cell |= ((people.age >= low) & (people.age <= high)).astype(np.intp) << bit
        # columns: ever by group, then (active, ever) by band; `width` pads a cell outside a band
        every = np.arange(groups << len(bands))
        inside = [np.where((every >> bit) & 1 == 1, groups + 2 * bit, width) for bit in range(len(bands))]
        active_columns = np.stack([np.full(every.size, width), *inside], axis=1)
        ever_columns = np.stack([every >> len(bands), *(np.where(c < width, c + 1, width) for c in inside)], axis=1)
        self.active = ColumnCounts(cell, active_columns, width)
        self.ever = ColumnCounts(cell, ever_columns, width)
        self.ever_adopted = np.zeros(people.size, dtype=bool)

    def row(self, people: Any, changed: np.ndarray, gained: np.ndarray) -> np.ndarray:
        """The market columns, given the consumers whose active flag changed since the last row
        (`changed`, and `gained`: whether each became active)."""
        became = (people.ever_adopted != self.ever_adopted).nonzero()[0]
        now = people.ever_adopted.take(became)
        self.ever_adopted[became] = now
        return self.active.shares(changed, gained) + self.ever.shares(became, now)
