"""The adoption funnel: every consumer is in exactly one stage."""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    """Funnel stage, stored as int8 in the model's `stage` array."""

    UNAWARE = 0
    AWARE = 1
    ACTIVE = 2
    LAPSED = 3
