"""The `adoptsim` command: parsing and dispatch over the command registry.

A command is one module with `arguments(parser)` (its options) and `command(args) -> int` (its exit
code), and one line in `COMMANDS`. Only the command named on the line is imported, so `adoptsim
--help` imports none. Every user mistake ends as one line on stderr and exit code 2; never a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from importlib import import_module
from typing import NoReturn

from adoptsim.cli.arguments import OneLineParser
from adoptsim.cli.exiting import exit_now, profiled
from adoptsim.cli.stopping import Terminated, cut_short, final, raise_on_signals
from adoptsim.errors import AdoptsimError, ScenarioError, one_line

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("run", "adoptsim.cli.run", "run a scenario and write tables and plots"),
    ("compare", "adoptsim.cli.compare", "run several scenarios on common random numbers and compare"),
    ("sweep", "adoptsim.cli.sweep", "run a parameter sweep from an experiment file"),
    ("report", "adoptsim.cli.report", "one self-contained HTML page (and PDF) from output folders"),
    ("calibrate", "adoptsim.cli.calibrate", "fit a scenario to an observed adoption curve and forecast"),
    ("diff", "adoptsim.cli.diff", "what differs between two scenarios, resolved"),
    ("validate", "adoptsim.cli.validate", "check scenario, experiment and optimisation files"),
    ("app", "adoptsim.cli.app", "explore a scenario interactively in the browser"),
    ("schema", "adoptsim.cli.schema", "print the JSON Schema of scenario files"),
    ("optimize", "adoptsim.cli.optimize", "search the best mix, timing and targeting of interventions for a budget"),
)
"""(name, module, one-line help) per command, in `adoptsim --help` order: the one registry line of a
new command. The help is here so that listing the commands imports none of them."""


class VersionAction(argparse.Action):
    """--version, looked up only when asked (importlib.metadata costs every command's start-up)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args) -> None:
        import adoptsim

        print(f"adoptsim {adoptsim.__version__}")
        parser.exit()


FORCE_HELP = "replace --out even if it holds files that are not this command's results"
WRITES_FOLDER = ("run", "compare", "sweep", "report", "calibrate", "optimize")
"""Commands that write an output folder (adoptsim/results/folders.py): each takes --force."""


def build_parser(commands: set[str] | None = None) -> argparse.ArgumentParser:
    """The parser; the arguments of `commands` only (default: every command), each imported here."""
    parser = OneLineParser(prog="adoptsim", description="Agent-based simulator of digital-wallet adoption.")
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the command to FILE (also: ADOPTSIM_PROFILE=FILE)"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name, module, help_text in COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        if commands is None or name in commands:
            entry = import_module(module)
            entry.arguments(p)
            if name in WRITES_FOLDER:
                p.add_argument("--force", action="store_true", help=FORCE_HELP)
            p.set_defaults(func=entry.command)
    return parser


TOP_LEVEL_VALUES = {"--profile"}
"""Top-level options that take a value: the word after them is not the command."""


def named_command(argv: list[str]) -> set[str]:
    """The command `argv` names: its first word that is neither an option nor a top-level option's value."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in TOP_LEVEL_VALUES:
            skip = True
        elif not word.startswith("-"):
            return {word}
    return set()


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` names; its exit code (see `entry` for the console script).

    Exit codes when the command is cut short: 0 when its output folder was already complete (it
    is in place), else the previous folder is untouched and the code says why: 141 the reader
    of stdout went away, 143 SIGTERM, 130 Ctrl-C."""
    restore = raise_on_signals()
    try:
        return dispatch(sys.argv[1:] if argv is None else list(argv))
    finally:
        restore()


def dispatch(argv: list[str]) -> int:
    """`main` without setting up signals: each exit code goes through `final`."""
    folders: list = []
    named = named_command(argv)
    writes = bool(named & set(WRITES_FOLDER))
    try:
        args = build_parser(named).parse_args(argv)
        args.output_folders = folders
        # output folders, locks: committed or undone on exit; the profile written before
        with contextlib.ExitStack() as args.cleanup, profiled(args.profile):
            code = args.func(args)
        sys.stdout.flush()
        return final(code)
    except BrokenPipeError:  # the reader stopped early (`adoptsim run ... | head -1`)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return final(cut_short(folders, 141, None))
    except AdoptsimError as err:
        lines = err.args[0].splitlines() if isinstance(err, ScenarioError) else [one_line(str(err))]
        print("\n".join(lines), file=sys.stderr)
        return final(err.exit_code)
    except KeyboardInterrupt:
        return final(cut_short(folders, 130, "adoptsim: interrupted", writes))
    except Terminated:
        return final(cut_short(folders, 143, "adoptsim: terminated", writes))
    except MemoryError:
        print("adoptsim: out of memory; make the run smaller (population.size, --reps, --workers)", file=sys.stderr)
        return final(2)


def entry() -> NoReturn:
    """The console script: `dispatch` with signals raised for the life of the process, then an
    exit that skips the interpreter's teardown. A signal once the exit code is known ends the
    process at once with that code: the folders are already committed or undone."""
    raise_on_signals(console=True)
    exit_now(dispatch(sys.argv[1:]))


if __name__ == "__main__":
    entry()
