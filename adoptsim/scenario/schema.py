"""Building blocks shared by every part of the scenario schema.

`StrictModel` refuses unknown keys with a "did you mean" hint; the annotated number types carry
their ranges so that error messages can say "must be between 0 and 1 (got 1.4)".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A hint naming the closest valid choice, or listing them all when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "valid: " + ", ".join(sorted(choices))


class StrictModel(BaseModel):
    """A schema node that rejects unknown keys, naming the nearest valid one, and numbers that
    are not finite (NaN or infinity would pass every range check and poison the run)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _hint_unknown_keys(cls, data: Any) -> Any:
        """Each unknown key's value wrapped with its hint: `extra="forbid"` then refuses every one
        of them beside the other fields' problems (raising here would hide those), and the
        message reads the hint from the refused input (`unknown_hint`)."""
        if isinstance(data, dict):
            known = set(cls.model_fields) | {f.alias for f in cls.model_fields.values() if f.alias}
            if any(key not in known for key in data):
                return {
                    key: value if key in known else Unknown(value, did_you_mean(str(key), sorted(known)))
                    for key, value in data.items()
                }
        return data


@dataclass(frozen=True)
class Unknown:
    """The value of a key a model does not have, with the hint naming the nearest valid key."""

    value: Any
    hint: str


def unknown_hint(error: dict[str, Any]) -> str | None:
    """The hint of a pydantic error that refused an unknown key ("did you mean 'size'?"), else None."""
    found = error.get("input")
    return found.hint if error.get("type") == "extra_forbidden" and isinstance(found, Unknown) else None


def _between(low: float, high: float):
    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    return check


def _at_least(low: float):
    def check(value: float) -> float:
        if value < low:
            raise ValueError(f"must be at least {low:g}")
        return value

    return check


def _above(low: float):
    def check(value: float) -> float:
        if value <= low:
            raise ValueError(f"must be greater than {low:g}")
        return value

    return check


def _not_bool(value: object) -> object:
    """`steps: true` is a typo, not 1: YAML's true/false are never numbers here."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return value


NotBool = BeforeValidator(_not_bool)
Fraction = Annotated[float, NotBool, AfterValidator(_between(0.0, 1.0))]
"""A share or probability in [0, 1]."""
NonNegative = Annotated[float, NotBool, AfterValidator(_at_least(0.0))]
Positive = Annotated[float, NotBool, AfterValidator(_above(0.0))]
NonNegativeInt = Annotated[int, NotBool, AfterValidator(_at_least(0))]
MONEY = "money"
"""The mark a money field's type carries (`Money`): amounts in the scenario's `economics.currency`."""
Money = Annotated[NonNegative, MONEY]
"""An amount of money, at least 0; marked so that an axis or table of a swept or fitted amount can
name its currency (`scenario.paths.holds_money`)."""
PositiveMoney = Annotated[Positive, MONEY]
PositiveInt = Annotated[int, NotBool, AfterValidator(_above(0))]


def _strictly_inside_unit(value: float) -> float:
    if not 0.0 < value < 1.0:
        raise ValueError("must be strictly between 0 and 1")
    return value


OpenFraction = Annotated[float, AfterValidator(_strictly_inside_unit)]
"""A Beta mean: strictly inside (0, 1)."""


def _label(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", value):
        raise ValueError("use letters, digits and _ . + - only (it names files and columns)")
    return value


Label = Annotated[str, AfterValidator(_label)]
"""A name used in folder, file and column names."""
