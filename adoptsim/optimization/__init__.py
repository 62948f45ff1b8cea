"""Optimisation: the best mix, timing and targeting of interventions for one budget (Optuna).

spec.py reads optimisation files; search.py runs the study; results.py re-evaluates the finalists
and pairs them with the references; figures.py draws; command.py is `adoptsim optimize`. This
module only registers the command, so building the command line imports none of them.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, positive_int) -> None:
    """Add the `optimize` subcommand (its work is imported only when it runs)."""
    p = sub.add_parser("optimize", help="search the best mix, timing and targeting of interventions for a budget")
    p.add_argument("file", help="optimisation file (see docs/optimization.md)")
    p.add_argument("--out", help="output folder (default results/optimize-<name>/)")
    p.add_argument("--workers", type=positive_int, default=1, help="local processes for replications (default 1)")
    p.add_argument("--scheduler", help="address of a Dask scheduler to run replications on")
    p.add_argument("--resume", action="store_true", help="continue the study in the output folder")
    p.add_argument("--trials", type=positive_int, help="finished trials wanted (default: the file's)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from adoptsim.optimization.command import cmd_optimize

    return cmd_optimize(args)
