"""`adoptsim report DIR...`: the report of output folders (the page itself: adoptsim/report/)."""

from __future__ import annotations

import argparse


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim report DIR... [--out FILE] [--pdf]`."""
    parser.add_argument("folders", nargs="+", metavar="DIR", help="folders written by run, compare, sweep, ...")
    parser.add_argument("--out", help="HTML file (default: report.html in the first DIR)")
    parser.add_argument("--pdf", action="store_true", help="also print it to PDF with headless Chromium")


def command(args: argparse.Namespace) -> int:
    """Write the page (and the PDF); say what was written."""
    from adoptsim.report.build import run_report

    return run_report(args.folders, args.out, args.pdf, args.force)
