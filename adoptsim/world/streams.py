"""Named random streams: one per decision, all derived from one seed.

Each stream's seed is SeedSequence(seed, spawn_key=(crc32(name),)): adding a stream, or an
intervention with its own stream, never shifts the numbers another stream draws. With every
agent drawing every step (then masking), two scenarios that differ only in an intervention
share their random numbers (common random numbers).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of the stream `name` under `seed`."""
    return np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode("utf-8")),))


def stream(seed: int, name: str) -> np.random.Generator:
    """A generator for the stream `name` under `seed`."""
    return np.random.Generator(np.random.PCG64(stream_seed(seed, name)))


def seed_of(scenario: Any, seed: int | None = None) -> int:
    """The seed a run uses: `seed` when given (--seed, a comparison's shared seed), else the
    scenario's own `seed`. Every command, the runner and the model resolve it here."""
    return int(scenario.seed if seed is None else seed)


def replication_seed(seed: int, replication: int) -> int:
    """Seed of replication r of a run seeded `seed`; the same in every executor and worker."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


class RandomStreams:
    """The model's streams, created on first use by name."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._streams:
            self._streams[name] = stream(self.seed, name)
        return self._streams[name]


def uniform_below(rng: np.random.Generator, size: int, p: float, chunk: int = 1 << 20) -> np.ndarray:
    """rng.random(size) < p, drawn a slice at a time: the same numbers without a float64 temporary
    of `size` (uniform doubles take one draw each, so slicing does not change the stream)."""
    out = np.empty(size, dtype=bool)
    for start in range(0, size, chunk):
        np.less(rng.random(min(chunk, size - start)), p, out=out[start : start + chunk])
    return out
