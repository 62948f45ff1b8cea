"""Counts of flagged consumers by column (segment, age band), kept up to date from change.

Each consumer lies in one cell (a small int: a combination of segment codes), and a cell in a few
of the recorded columns. A row's counts are updated from the consumers whose flag changed since
the last row only (+1 or -1 in each column of their cell: one bincount), so a row costs work in
proportion to change, with no pass over everyone and no product of cells by columns.
"""

from __future__ import annotations

import numpy as np


class ColumnCounts:
    """Flagged consumers per column; `columns_of[c]` lists the columns of cell c, padded with
    `width` (a column nobody reads) where a cell lies in fewer."""

    def __init__(self, cell: np.ndarray, columns_of: np.ndarray, width: int) -> None:
        self.cell, self.columns_of, self.width = cell, columns_of, width
        per_cell = np.bincount(cell, minlength=columns_of.shape[0]).astype(float)
        sizes = np.bincount(columns_of.ravel(), weights=per_cell.repeat(columns_of.shape[1]), minlength=width + 1)
        self.divisor = np.maximum(sizes[:width], 1)  # an empty column's share is 0
        self.counts = np.zeros(width + 1)

    def update(self, changed: np.ndarray, gained: np.ndarray) -> np.ndarray:
        """Counts per column after the consumers `changed` switched (on where `gained`, else off)."""
        if changed.size:
            columns = self.columns_of[self.cell.take(changed)].ravel()
            signs = gained.repeat(self.columns_of.shape[1]) * 2.0
            signs -= 1.0  # +1 switched on, -1 off
            self.counts += np.bincount(columns, weights=signs, minlength=self.width + 1)
        return self.counts[: self.width]

    def shares(self, changed: np.ndarray, gained: np.ndarray) -> np.ndarray:
        """Share flagged in each column (of at least one consumer: 0 for an empty column)."""
        return self.update(changed, gained) / self.divisor
