"""The adoption funnel: every consumer is in exactly one stage."""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    """Funnel stage, stored as int8 in the model's `stage` array.

    Compare arrays with a plain int (`ACTIVE` below, or `Stage.X.value`): numpy takes an IntEnum member as an int64
    array and widens the whole int8 array before comparing (7x slower at 1M consumers)."""

    UNAWARE = 0
    AWARE = 1
    ACTIVE = 2
    LAPSED = 3


UNAWARE, AWARE, ACTIVE, LAPSED = (int(s) for s in Stage)
"""The stages as plain ints, for comparisons in every step: no enum attribute lookup per use."""
