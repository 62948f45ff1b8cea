"""Argument types and option groups shared by the commands' parsers.

Cheap to import (argparse only): every command module imports it to declare its arguments, and
`adoptsim --help` must stay fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from adoptsim.errors import AdoptsimError


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line and exit 2, like every other user mistake."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise AdoptsimError(f"{self.prog}: {message} (see {self.prog} --help)")


def whole_number_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


REPORT_HELP = "also write report.html in the output folder (see adoptsim report)"
positive_int = whole_number_at_least(1)
non_negative_int = whole_number_at_least(0)


def finite_number_above(low: float, inclusive: bool) -> Callable[[str], float]:
    """An argparse type: a finite number above `low` (or equal to it when `inclusive`)."""
    bound = f"{low:g} or more" if inclusive else f"above {low:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number such as 3, got '{text}'") from None
        if not ((value >= low) if inclusive else (value > low)) or not value < float("inf"):
            raise argparse.ArgumentTypeError(f"must be {bound} and finite, got {text}")
        return value

    return parse


positive_number = finite_number_above(0, inclusive=False)
non_negative_number = finite_number_above(0, inclusive=True)


def comma_list(item: Callable[[str], object]) -> Callable[[str], list]:
    """An argparse type: comma-separated values, each parsed by `item`."""

    def parse(text: str) -> list:
        return [item(part) for part in text.split(",") if part.strip()]

    return parse


def open_share(text: str) -> float:
    """A share strictly between 0 and 1, e.g. 0.3."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share such as 0.3, got '{text}'") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"a share must be between 0 and 1 (exclusive), got {value:g}")
    return value


def add_run_options(parser: argparse.ArgumentParser, seed_help: str, set_help: str) -> None:
    """--reps, --seed, --set, --workers, --report, --band, --targets, --horizon: shared by run and compare."""
    parser.add_argument("--reps", type=positive_int, default=5, help="replications per scenario (default 5)")
    parser.add_argument("--seed", type=non_negative_int, help=seed_help)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help=f"{set_help} (repeatable)")
    parser.add_argument("--workers", type=positive_int, default=1, help="processes for replications (default 1)")
    parser.add_argument("--report", action="store_true", help=REPORT_HELP)
    parser.add_argument(
        "--band",
        choices=["ci", "range"],
        default="ci",
        help="band around mean curves: 95 %% CI of the mean (default) or range of the replications",
    )
    parser.add_argument(
        "--targets", type=comma_list(open_share), default=[], help="shares for steps_to_<P>pct_ KPIs, e.g. 0.3,0.5"
    )
    parser.add_argument(
        "--horizon", type=comma_list(positive_int), default=[], help="steps at which every KPI is read too, e.g. 52"
    )
    add_allow_large(parser)


def add_allow_large(parser: argparse.ArgumentParser) -> None:
    """--allow-large: run even past the estimated runs, time or memory limits."""
    parser.add_argument(
        "--allow-large",
        action="store_true",
        help="run even if the estimated runs, time or memory exceed the limits (see docs/scenario-format.md)",
    )
