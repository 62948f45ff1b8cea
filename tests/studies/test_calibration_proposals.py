"""The ABC's prior and kernel (calibration/proposals.py) give pyabc's numbers exactly, faster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyabc
from pyabc.transition import MultivariateNormalTransition

from adoptsim.studies.calibration.proposals import BoxPrior, NormalKernel


def test_the_box_prior_has_pyabcs_density_inside_outside_and_on_the_edges():
    rng = np.random.default_rng(0)
    bounds = {f"p{i}": (float(rng.uniform(-3, 0)), float(rng.uniform(0.1, 2))) for i in range(7)}
    theirs = pyabc.Distribution(**{name: pyabc.RV("uniform", loc, scale) for name, (loc, scale) in bounds.items()})
    ours = BoxPrior(bounds)
    points = [
        {n: loc + scale * u for (n, (loc, scale)), u in zip(bounds.items(), rng.uniform(-0.1, 1.1, 7), strict=True)}
        for _ in range(500)
    ]
    points += [{n: loc for n, (loc, _) in bounds.items()}, {n: loc + scale for n, (loc, scale) in bounds.items()}]
    densities = [ours.pdf(x) for x in points]
    assert densities == [theirs.pdf(x) for x in points]
    assert 0 < sum(d > 0 for d in densities) < len(points)  # both inside and outside were tried
    assert densities[-2] > 0  # the lower bound belongs to the prior (the upper one as scipy rounds it)


def test_the_kernel_draws_pyabcs_proposals_from_the_same_seed():
    rng = np.random.default_rng(1)
    particles = pd.DataFrame(rng.random((40, 5)), columns=[f"p{i}" for i in range(5)])
    weights = rng.random(40)
    weights /= weights.sum()
    theirs, ours = (kind(bandwidth_selector=lambda *_: 2**0.5) for kind in (MultivariateNormalTransition, NormalKernel))
    theirs.fit(particles, weights)
    ours.fit(particles, weights)
    np.random.seed(3)
    expected = [dict(theirs.rvs_single()) for _ in range(300)]
    np.random.seed(3)
    drawn = [dict(ours.rvs_single()) for _ in range(300)]
    assert drawn == expected and list(drawn[0]) == list(particles.columns)
    assert ours.pdf(pd.Series(drawn[0])) == theirs.pdf(pd.Series(drawn[0]))
