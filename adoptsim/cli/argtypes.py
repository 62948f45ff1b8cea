"""argparse types of the command line: every numeric flag range-checked, one line when not."""

from __future__ import annotations

import argparse


def whole_number_at_least(minimum: int):
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


def positive_number(text: str) -> float:
    """An argparse type: a finite number above zero, e.g. 3 or 0.5."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 3, got '{text}'") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be above 0 and finite, got {text}")
    return value


def comma_list(item):
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
