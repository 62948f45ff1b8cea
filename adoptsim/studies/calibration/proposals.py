"""The ABC's prior and proposal kernel: pyabc's own, with their numbers computed without scipy's
and pandas' per-call costs (the same numbers, bit for bit: tests/studies/test_calibration_proposals.py).

A proposal is tried until the prior's density is positive (about 6 tries a job late in the China
hold-out, whose kernel of twice the covariance reaches past the bounds). pyabc's uniform prior
asks scipy for each parameter's density (0.27 ms each) and its kernel builds a pandas Series and
factorizes the covariance for every draw (1.2 ms): 3 ms a try, a quarter of a generation's time
once the runs are simulated in blocks (engine/blocks.py).
"""

from __future__ import annotations

import numpy as np
import pyabc
from pyabc.parameters import Parameter
from pyabc.transition import MultivariateNormalTransition


class BoxPrior(pyabc.Distribution):
    """Independent uniforms on [loc, loc + scale] (pyabc RVs, for drawing); the density is scipy's,
    1 / scale where 0 <= (x - loc) / scale <= 1, else 0, multiplied in the order of the point's keys
    as pyabc.Distribution.pdf does."""

    def __init__(self, bounds: dict[str, tuple[float, float]]) -> None:
        super().__init__(**{name: pyabc.RV("uniform", loc, scale) for name, (loc, scale) in bounds.items()})
        self.bounds = dict(bounds)

    def pdf(self, x: Parameter | dict) -> float:
        if sorted(x.keys()) != sorted(self.bounds):
            raise ValueError(f"parameters {sorted(x.keys())}, expected {sorted(self.bounds)}")
        density = None
        for name, value in x.items():
            loc, scale = self.bounds[name]
            standard = (value - loc) / scale
            factor = 1.0 / scale if 0.0 <= standard <= 1.0 else 0.0
            density = factor if density is None else density * factor
        return 1 if density is None else density


class NormalKernel(MultivariateNormalTransition):
    """pyabc's multivariate normal kernel, drawing as it does: a particle by weight
    (np.random.choice) plus numpy's multivariate normal, whose factor sqrt(s) v of the covariance's
    SVD is computed once a generation instead of at every draw (numpy's legacy
    RandomState.multivariate_normal: x = z . (sqrt(s)[:, None] v) + mean, z standard normal)."""

    def fit(self, X, w) -> None:  # noqa: N803 (pyabc's names)
        super().fit(X, w)
        _, s, v = np.linalg.svd(self.cov.astype(np.double))
        self._factor = np.sqrt(s)[:, None] * v
        self._names = list(X.columns)

    def rvs_single(self) -> Parameter:
        index = np.random.choice(self._range, p=self.w, replace=True)
        noise = np.random.standard_normal(self._factor.shape[0]).reshape(1, -1)
        noise = np.dot(noise, self._factor)
        noise += np.zeros(self._factor.shape[0])
        return Parameter(dict(zip(self._names, self._X_arr[index] + noise[0], strict=True)))
