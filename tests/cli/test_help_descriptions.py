"""Every command's --help opens with a sentence saying what it does."""

from __future__ import annotations

import argparse

from adoptsim.cli.main import build_parser


def test_every_command_has_a_description_in_its_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [name for name, command in sub.choices.items() if not (command.description or "").strip()]
    assert missing == []
    assert "Run several scenarios on common random numbers" in sub.choices["compare"].format_help()
