"""Plot helpers: bands computed as labelled."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from adoptsim.plots import adoption_figure, band_label, mean_band


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": [0, 1, 2, 0, 1, 2],
            "step": [0, 0, 0, 1, 1, 1],
            "share_active": [0.0, 0.0, 0.0, 0.1, 0.2, 0.3],
            "share_ever_adopted": [0, 0, 0, 0.2, 0.3, 0.4],
        }
    )


def test_ci_band_is_the_t_interval_of_the_mean_and_range_band_is_min_to_max():
    ci = mean_band(table(), "share_active").iloc[1]
    half = stats.t.ppf(0.975, 2) * 0.1 / 3**0.5
    assert (ci["mean"], ci["low"], ci["high"]) == pytest.approx((0.2, 0.2 - half, 0.2 + half))
    spread = mean_band(table(), "share_active", band="range").iloc[1]
    assert (spread["low"], spread["high"]) == pytest.approx((0.1, 0.3))


def test_band_labels_say_what_the_band_is():
    assert band_label(5) == "95 % CI of the mean (5 reps)"
    assert band_label(5, "range") == "spread of 5 replications (min to max)"
    assert band_label(1) == "single replication: no band"
    figure = adoption_figure(table(), windows=[("ads", 0, 1)], band="range")
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "spread of 3 replications (min to max)" in labels
