"""`adoptsim schema`: the JSON Schema of scenario files, for editors and other tools."""

from __future__ import annotations

import argparse
import json


def arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the schema of the current version."""


def command(args: argparse.Namespace) -> int:
    """Print the schema (indented JSON) to stdout."""
    from adoptsim.scenario.spec import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0
