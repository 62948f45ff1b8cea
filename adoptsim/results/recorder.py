"""The Recorder: per-step aggregates of a run, one preallocated column per series.

Names follow one convention: `n_` counts, `new_` flows in a step, `share_` fractions,
`spend_` money in a step. Row `step` k is the state after k steps; row 0 is the start.

A row costs a few passes over small arrays, not one per series: stage counts by comparison,
segment shares from counts per segment kept up to date from the consumers whose active flag
changed since the last row (work proportional to change, results/counts.py), payments from the
model's totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from adoptsim.results import rival_columns as rival_outputs
from adoptsim.results.bands import BandRecorder, recorded_columns
from adoptsim.results.counts import ColumnCounts
from adoptsim.world.segments import segmentations
from adoptsim.world.stages import ACTIVE, AWARE, UNAWARE

if TYPE_CHECKING:
    import pandas as pd

    from adoptsim.interventions.context import RecordedRun, StepOutcome

CHUNK = 1 << 18
"""Consumers per slice when segment codes are computed (bounds the set-up's temporaries)."""


class Recorder:
    """Preallocated columns, one row per step (0..steps): views onto one block of rows x series."""

    def __init__(self, model: RecordedRun, steps: int) -> None:
        self.rows = 0
        people = model.people
        labels, self.cell, folds = segment_cells(model)
        segments = [f"share_active_{name}_{label}" for name, ls in labels for label in ls]
        # a cell lies in one segment of each segmentation: its columns are their offsets + its codes
        offsets = np.cumsum([0] + [len(ls) for ls, _ in folds[:-1]])
        columns_of = np.stack([offset + codes for offset, (_, codes) in zip(offsets, folds, strict=True)], axis=1)
        self.segment_counts = ColumnCounts(self.cell, columns_of, len(segments))
        self.active = np.zeros(people.size, dtype=bool)
        names = list(HEADLINE) + segments
        names += [f"spend_{name}" for name in model.intervention_names] + ["spend_total"]
        names += [f"exhausted_{name}" for name in model.intervention_names]
        self._segments = slice(len(HEADLINE), len(HEADLINE) + len(segments))
        self._spend = slice(self._segments.stop, self._segments.stop + len(model.intervention_names) + 1)
        self._exhausted = slice(self._spend.stop, len(names))
        names += rival_outputs.column_names(model.rivals, model)
        market_names = recorded_columns(model)  # results/bands.py: only with a `market:` block
        self._market = slice(len(names), len(names) + len(market_names))
        self._bands = BandRecorder(model) if market_names else None
        names += market_names
        self.block = np.zeros((steps + 1, len(names)))
        self.columns: dict[str, np.ndarray] = {name: self.block[:, j] for j, name in enumerate(names)}

    def _active_changed(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Those whose active flag changed since the last row, and whether each became active."""
        changed = (active != self.active).nonzero()[0]
        gained = active.take(changed)
        self.active[changed] = gained
        return changed, gained

    def record(self, model: RecordedRun, row: int, outcome: StepOutcome | None) -> None:
        """Aggregate the model's arrays into row `row`."""
        self.rows = row + 1
        people, shops = model.people, model.shops
        n, stage, line = people.size, people.stage, self.block[row]
        active = stage == ACTIVE
        n_active = np.count_nonzero(active)
        unaware, aware = np.count_nonzero(stage == UNAWARE), np.count_nonzero(stage == AWARE)
        lapsed = n - unaware - aware - n_active  # every consumer is in exactly one stage
        ever = np.count_nonzero(people.ever_adopted)
        accepting = np.count_nonzero(shops.accepts)
        line[:13] = (
            unaware,
            aware,
            n_active,
            lapsed,
            ever,
            0,
            0,
            0,
            accepting,
            n_active / n,
            ever / n,
            accepting / max(shops.size, 1),
            np.add.reduce(people.trust, dtype=np.float64) / n,
        )
        changed, gained = self._active_changed(active)
        line[self._segments] = self.segment_counts.shares(changed, gained)
        if model.interventions:
            line[self._exhausted] = [float(run.exhausted) for _, run in model.interventions]
        rival_outputs.record(model.rivals, model, self.columns, row)
        if self._bands is not None:
            line[self._market] = self._bands.row(people, changed, gained)
        if outcome is not None:
            economics = model.spec.economics
            revenue = economics.revenue(outcome.payment_volume, outcome.payments)
            line[5:8] = (outcome.new_aware, outcome.n_new_adopters, outcome.new_lapses)
            line[13:17] = (outcome.payments, outcome.payment_volume, revenue, economics.margin * revenue)
            spend = [outcome.spend.get(name, 0.0) for name in model.intervention_names]
            line[self._spend] = [*spend, sum(outcome.spend.values())]

    def table(self) -> pd.DataFrame:
        """The time series of the steps run so far, as a tidy table."""
        import pandas as pd

        frame = pd.DataFrame(self.block[: self.rows].copy(), columns=list(self.columns))
        frame.insert(0, "step", np.arange(len(frame)))
        return frame


HEADLINE = (
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
)
"""Series every run records, in column order (segments, spend and budget flags follow)."""


def segment_cells(model: RecordedRun) -> tuple[list[tuple[str, tuple[str, ...]]], np.ndarray, list]:
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
