"""The fan chart of `compare --uncertain`: the active share's percentile bands over the draws of
the uncertain inputs (adoptsim/studies/uncertainty.py), one panel per scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from adoptsim.studies.uncertainty import BANDS


def fan_chart(curves: pd.DataFrame, baseline: str) -> Figure:
    """A panel per scenario: the active share's 5-95 and 25-75 percentile bands over draws and its
    median, with the baseline's median dashed for reference."""
    names = list(dict.fromkeys(curves["scenario"]))
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    figure = Figure(figsize=(5 * columns, 3.8 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False, sharex=True, sharey=True).ravel()
    wide = curves.pivot_table(index=["scenario", "step"], columns="draw", values="share_active") * 100
    base_median = wide.loc[baseline].median(axis=1)
    for ax, name in zip(axes, names, strict=False):
        part = wide.loc[name]
        steps = part.index.to_numpy()
        for (low, high), alpha in zip(BANDS, (0.2, 0.4), strict=True):
            ax.fill_between(
                steps,
                np.percentile(part, low, axis=1),
                np.percentile(part, high, axis=1),
                color="tab:blue",
                alpha=alpha,
                linewidth=0,
                label=f"{low}-{high} percentile",
            )
        ax.plot(steps, part.median(axis=1), color="tab:blue", label="median")
        if name != baseline:
            ax.plot(base_median.index, base_median, color="0.3", linestyle="--", label=f"{baseline} median")
        ax.set_title(name + (" (baseline)" if name == baseline else ""))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    for ax in axes[(rows - 1) * columns :]:
        ax.set_xlabel("week")
    for ax in axes[::columns]:
        ax.set_ylabel("active users (% of consumers)")
    draws = curves["draw"].nunique()
    figure.suptitle(f"Active share under uncertain inputs: bands over {draws} draws (inputs and seed shared)")
    return figure
