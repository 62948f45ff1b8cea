"""`adoptsim app [SCENARIO]`: the model in the browser (the app itself: adoptsim/app/)."""

from __future__ import annotations

import argparse

from adoptsim.cli.arguments import positive_int


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim app [SCENARIO] [--port] [--host] [--set ...]`."""
    parser.add_argument(
        "scenario", nargs="?", default="scenarios/baseline.yaml", help="scenario file (default: baseline)"
    )
    parser.add_argument("--port", type=positive_int, default=8765, help="port to serve on (default 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="override a field (repeatable)"
    )


def command(args: argparse.Namespace) -> int:
    """Serve the app until interrupted."""
    from adoptsim.app.server import serve

    serve(args.scenario, args.set, args.host, args.port)
    return 0
