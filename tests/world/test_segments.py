"""Segmentation variables: income bands at their cuts."""

from __future__ import annotations

import numpy as np

from adoptsim.world.segments import INCOME_CUTS, income_band


def test_income_bands_are_searchsorteds_at_and_beside_the_cuts():
    """At each cut and its float32 neighbours, the bands are np.searchsorted's (incomes compared
    with the cuts in float64); an income exactly at a cut is in the band above."""
    rng = np.random.default_rng(0)
    cuts = [np.float32(c) for c in INCOME_CUTS]
    edges = [np.nextafter(c, d) for c in cuts for d in (0, 1)] + cuts + [np.float32(0), np.float32(1)]
    income = np.concatenate([np.array(edges, dtype=np.float32), rng.random(10_000).astype(np.float32)])
    expected = np.searchsorted(np.asarray(INCOME_CUTS), income, side="right")
    assert np.array_equal(income_band(income), expected) and income_band(income).dtype == np.int8
    assert income_band(np.array([1 / 3, 2 / 3, 0.5])).tolist() == [1, 2, 1]
