"""The Recorder: per-step aggregates of a run, one preallocated column per series.

Names follow one convention: `n_` counts, `new_` flows in a step, `share_` fractions,
`spend_` money in a step. Row `step` k is the state after k steps; row 0 is the start.

A row costs a few passes over small arrays, not one per series: stage counts by comparison,
segment shares from counts per segment cell kept up to date from the consumers whose active flag
changed since the last row (work proportional to change), payments from the model's totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from adoptsim.segments import segmentations
from adoptsim.stages import Stage

if TYPE_CHECKING:
    import pandas as pd

    from adoptsim.model import StepOutcome, WalletAdoptionModel

CHUNK = 1 << 20
"""Consumers per slice when segment codes are computed (bounds the set-up's temporaries)."""


class Recorder:
    """Preallocated columns, one row per step (0..steps)."""

    def __init__(self, model: WalletAdoptionModel, steps: int) -> None:
        rows = steps + 1
        self.rows = 0
        people = model.people
        self.labels, self.cell, self.folds = segment_cells(model)
        self.cells = len(self.folds[0][1])
        everyone = np.bincount(self.cell, minlength=self.cells).astype(float)
        self.sizes = [np.maximum(np.bincount(fold, weights=everyone, minlength=len(ls)), 1) for ls, fold in self.folds]
        self.active = np.zeros(people.size, dtype=bool)
        self.active_per_cell = np.zeros(self.cells, dtype=np.int64)
        names = [
            "n_unaware",
            "n_aware",
            "n_active",
            "n_lapsed",
            "n_ever_adopted",
            "new_aware",
            "new_adopters",
            "new_lapses",
            "n_merchants_accepting",
            "share_active",
            "share_ever_adopted",
            "share_merchants_accepting",
            "mean_trust",
            "transactions",
            "payment_volume",
            "revenue",
            "margin",
        ]
        names += [f"share_active_{name}_{label}" for name, labels in self.labels for label in labels]
        names += [f"spend_{name}" for name in model.intervention_names] + ["spend_total"]
        names += [f"exhausted_{name}" for name in model.intervention_names]
        self.columns: dict[str, np.ndarray] = {name: np.zeros(rows) for name in names}
        self._segment_columns = [
            [self.columns[f"share_active_{name}_{label}"] for label in labels] for name, labels in self.labels
        ]

    def _segment_shares(self, active: np.ndarray) -> list[np.ndarray]:
        """Share active of every segment, from counts per cell updated where `active` changed."""
        changed = np.flatnonzero(active != self.active)
        if changed.size:
            cells = self.cell[changed]
            gained = active[changed]
            self.active_per_cell += np.bincount(cells[gained], minlength=self.cells)
            self.active_per_cell -= np.bincount(cells[~gained], minlength=self.cells)
            self.active[changed] = gained
        per_cell = self.active_per_cell.astype(float)
        return [
            np.bincount(fold, weights=per_cell, minlength=len(labels)) / size
            for (labels, fold), size in zip(self.folds, self.sizes, strict=True)
        ]

    def record(self, model: WalletAdoptionModel, row: int, outcome: StepOutcome | None) -> None:
        """Aggregate the model's arrays into row `row`."""
        self.rows = row + 1
        people, c = model.people, self.columns
        n = people.size
        stage = people.stage
        for name, code in (("n_unaware", Stage.UNAWARE), ("n_aware", Stage.AWARE), ("n_lapsed", Stage.LAPSED)):
            c[name][row] = np.count_nonzero(stage == code)
        active = stage == Stage.ACTIVE
        n_active = np.count_nonzero(active)
        c["n_active"][row] = n_active
        c["n_ever_adopted"][row] = np.count_nonzero(people.ever_adopted)
        c["share_active"][row] = n_active / n
        c["share_ever_adopted"][row] = c["n_ever_adopted"][row] / n
        accepting = np.count_nonzero(model.shops.accepts)
        c["n_merchants_accepting"][row] = accepting
        c["share_merchants_accepting"][row] = accepting / max(model.shops.size, 1)
        c["mean_trust"][row] = people.trust.mean(dtype=np.float64)
        for columns, shares in zip(self._segment_columns, self._segment_shares(active), strict=True):
            for column, share in zip(columns, shares, strict=True):
                column[row] = share
        for spec, run in model.interventions:
            c[f"exhausted_{spec.name}"][row] = float(run.exhausted)
        if outcome is not None:
            economics = model.spec.economics
            c["new_aware"][row] = outcome.new_aware
            c["new_adopters"][row] = outcome.n_new_adopters
            c["new_lapses"][row] = outcome.new_lapses
            c["transactions"][row] = outcome.payments
            c["payment_volume"][row] = outcome.payment_volume
            c["revenue"][row] = economics.revenue(outcome.payment_volume, outcome.payments)
            c["margin"][row] = economics.margin * c["revenue"][row]
            for name, spend in outcome.spend.items():
                c[f"spend_{name}"][row] = spend
            c["spend_total"][row] = sum(outcome.spend.values())

    def table(self) -> pd.DataFrame:
        """The time series of the steps run so far, as a tidy table."""
        import pandas as pd

        frame = pd.DataFrame({name: values[: self.rows] for name, values in self.columns.items()})
        frame.insert(0, "step", np.arange(len(frame)))
        return frame


def segment_cells(model: WalletAdoptionModel) -> tuple[list[tuple[str, tuple[str, ...]]], np.ndarray, list]:
    """Every consumer's segment cell (a combination of every segmentation's code, as small ints),
    each segmentation's labels, and for each segmentation the map from cell to its code.

    Computed slice by slice, so the set-up holds one small array per consumer, not one per
    segmentation."""
    people = model.people
    n = people.size
    labels: list[tuple[str, tuple[str, ...]]] = []
    cell = np.zeros(n, dtype=np.int32)
    for start in range(0, max(n, 1), CHUNK):
        part = slice(start, start + CHUNK)
        parts = segmentations(
            people.age_group[part],
            people.region[part],
            people.income[part],
            people.online[part],
            model.age_group_labels,
            model.region_labels,
        )
        code = np.zeros(parts[0].codes.size, dtype=np.int32)
        for segmentation in parts:
            code = code * len(segmentation.labels) + segmentation.codes
        cell[part] = code
        labels = [(s.name, s.labels) for s in parts]
    radices = [len(ls) for _, ls in labels]
    cells = int(np.prod(radices))
    every = np.arange(cells)
    folds = []
    for radix in reversed(radices):
        folds.append(every % radix)
        every = every // radix
    folds.reverse()
    small = np.int16 if cells < 2**15 else np.int32
    return labels, cell.astype(small), list(zip([ls for _, ls in labels], folds, strict=True))
