"""Per-step levers that interventions set: multipliers and incentives on the adoption rules.

An array exists in a step only once some intervention touched it (`model.levers.media[...] *= 2`);
untouched levers are neutral and cost the step nothing. Arrays are kept between steps and
refilled with their neutral value when next touched, so no step allocates a fresh one.
"""

from __future__ import annotations

import numpy as np

from adoptsim.world.population import FLOAT

NEUTRAL = {"media": 1.0, "wom": 1.0, "incentive": 0.0, "lapse": 1.0}
"""m_i multiplies p_media, w_i multiplies q_wom, incentive_i is money offered for adopting now
(scenario currency), lapse multiplies the lapse probability."""


class Levers:
    """media, wom, incentive and lapse: one value per consumer, neutral until touched."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._kept: dict[str, np.ndarray] = {}
        self._touched: dict[str, np.ndarray] = {}

    def _touch(self, name: str) -> np.ndarray:
        if name not in self._touched:
            array = self._kept.get(name)
            if array is None:
                array = self._kept[name] = np.empty(self.n, dtype=FLOAT)
            array.fill(NEUTRAL[name])
            self._touched[name] = array
        return self._touched[name]

    def get(self, name: str) -> np.ndarray | None:
        """The lever's array this step, or None when it is neutral for everyone."""
        return self._touched.get(name)

    def largest(self, name: str) -> float:
        """The lever's largest value this step (its neutral value when untouched): what bounds
        the probabilities it multiplies."""
        array = self._touched.get(name)
        return NEUTRAL[name] if array is None or array.size == 0 else float(array.max())

    def reset(self) -> None:
        """Every lever back to neutral (at the start of a step)."""
        self._touched.clear()

    media = property(lambda self: self._touch("media"), doc="m_i, multiplier on p_media.")
    wom = property(lambda self: self._touch("wom"), doc="w_i, multiplier on q_wom.")
    incentive = property(lambda self: self._touch("incentive"), doc="Money offered for adopting now.")
    lapse = property(lambda self: self._touch("lapse"), doc="Multiplier on the lapse probability.")
