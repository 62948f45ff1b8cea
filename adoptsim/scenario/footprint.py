"""How much memory one run of a scenario needs, estimated before anything is allocated.

    bytes ~ n * (60 + 2 * per_consumer [+ 330 with Mesa agent views]) + 20 * ties
            + (steps + 1) * columns * 24

(per consumer: float32 trait and state arrays, work arrays, the shopping table; per tie: the
edge list and the symmetric CSR it is sorted into (adoptsim/world/csr.py), the set-up's peak; per step:
the recorder's columns, the table and its copy). The constants were measured with `ru_maxrss`
on runs of 1M and 10M consumers (docs/performance.md).
A run estimated above 80 % of the machine's memory is refused unless the user allows it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from adoptsim.scenario.spec import Scenario
from adoptsim.world.generator_params import expected_ties

EAGER_AGENT_LIMIT = 200_000
"""Above this many consumers, Mesa agent views (about 330 bytes each) are created on first access
to `model.agents`, not at set-up."""
SHARE_OF_MEMORY = 0.8
USUAL_DEGREE = 100
"""Ties per consumer up to which a large graph is blamed on population.size, above on network.params."""


def estimate(scenario: Scenario) -> dict[str, float]:
    """Estimated bytes of one run, by the field that drives each part."""
    n = scenario.population.size
    per_consumer = 60 + 2 * scenario.merchants.per_consumer + (330 if n <= EAGER_AGENT_LIMIT else 0)
    network = scenario.network
    ties = 0.0 if network.file else expected_ties(network.generator_name or "", network.params, n)
    pop = scenario.population
    columns = 16 + len(pop.age_groups) + len(pop.regions) + len(scenario.interventions)
    usual_ties = min(ties, USUAL_DEGREE / 2 * n)  # ties that grow with n are the population's part
    return {
        "population.size": float(n * per_consumer + 20.0 * usual_ties),
        "network.params": 20.0 * (ties - usual_ties),
        "steps": float((scenario.steps + 1) * columns * 24),
    }


def machine_memory() -> int:
    """Physical memory, or the cgroup's limit when lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit.isdigit():
            total = min(total, int(limit))
    except OSError:
        pass
    return total


def memory_problem(scenario: Scenario) -> tuple[str, str] | None:
    """(field, problem) when one run would not fit in memory, naming the largest part."""
    parts = estimate(scenario)
    needed, memory = sum(parts.values()), machine_memory()
    if needed <= SHARE_OF_MEMORY * memory:
        return None
    field = max(parts, key=parts.__getitem__)
    return field, (
        f"one run needs about {_size(needed)} of memory, more than {SHARE_OF_MEMORY:.0%} of this "
        f"machine's {_size(memory)}; lower it, or pass --allow-large to try anyway"
    )


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"


def release_freed_memory() -> None:
    """Hand the C heap's freed pages back to the operating system (glibc's malloc_trim).

    The set-up's temporaries (the edge list, the halves of the graph) are freed into the heap,
    which keeps them: without this a 1M-consumer run holds ~45 bytes a consumer it no longer
    uses for its whole length. Elsewhere than glibc it does nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
