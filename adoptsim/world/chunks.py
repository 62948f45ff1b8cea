"""Consumers a slice at a time: the chunking shared by the engine, interventions and results.

Here, not in the engine, so that interventions (which may not import the engine) walk the
population in the same slices as the step does.
"""

from __future__ import annotations

import numpy as np

CHUNK = 1 << 16
"""Consumers per slice (a multiple of every SIMD width, so each element is computed as on the whole array)."""


def slices(n: int) -> list[slice]:
    """Consumers 0..n-1 in slices of CHUNK."""
    return [slice(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK)]


def pick(values: np.ndarray, who: np.ndarray | slice) -> np.ndarray:
    """values[who]: a view for everyone, else a gather (the take method: as fast as fancy indexing
    for many, without np.take's wrapper for few)."""
    return values[who] if isinstance(who, slice) else values.take(who)
