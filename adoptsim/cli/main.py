"""The `adoptsim` command: run, compare, sweep, report, calibrate, optimize, app, validate, schema.

Every user mistake ends as one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from importlib import import_module
from typing import NoReturn

from adoptsim.cli.common import naming_files as naming_files  # calibration/command.py reads it here
from adoptsim.cli.exiting import exit_now
from adoptsim.errors import AdoptsimError


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line and exit 2, like every other user mistake."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise AdoptsimError(f"{self.prog}: {message} (see {self.prog} --help)")


class VersionAction(argparse.Action):
    """--version, looked up only when asked (importlib.metadata costs every command's start-up)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args) -> None:
        import adoptsim

        print(f"adoptsim {adoptsim.__version__}")
        parser.exit()


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


REPORT_HELP = "also write report.html in the output folder (see adoptsim report)"
positive_int = whole_number_at_least(1)
non_negative_int = whole_number_at_least(0)


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


EXPORT_KINDS = ("agents", "network")
"""What `run --export` writes (adoptsim/results/export.py; named here so the parser needs no import)."""


def lazy(module: str, name: str = "command") -> Callable[[argparse.Namespace], int]:
    """A command's entry, imported only when it runs (`adoptsim --help` imports no command)."""

    def command(args: argparse.Namespace) -> int:
        return getattr(import_module(module), name)(args)

    return command


def cmd_validate(args: argparse.Namespace) -> int:
    from adoptsim.cli.validate import validate_file

    failures = 0
    for path in args.files:
        try:
            print(f"{path}: ok ({validate_file(path, args.set, args.allow_large)})")
        except AdoptsimError as err:
            print(err, file=sys.stderr)
            failures += 1
    return 2 if failures else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from adoptsim.scenario.spec import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def add_run_options(parser: argparse.ArgumentParser, seed_help: str, set_help: str) -> None:
    """--reps, --seed, --set, --workers: shared by run and compare."""
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
    parser.add_argument(
        "--allow-large", action="store_true", help="run even if the memory estimate exceeds this machine's memory"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="adoptsim", description="Agent-based simulator of digital-wallet adoption.")
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    p = sub.add_parser("run", help="run a scenario and write tables and plots")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--out", help="output folder (default results/<scenario name>/)")
    add_run_options(p, "override the scenario's seed", "override a field, e.g. --set population.size=5000")
    p.add_argument(
        "--export",
        action="append",
        default=[],
        choices=EXPORT_KINDS,
        help="also write per replication: agents/ (a Parquet row per consumer) or network/ (the edge list); "
        "repeatable (see docs/export.md)",
    )
    p.set_defaults(func=lazy("adoptsim.cli.run"))

    p = sub.add_parser("compare", help="run several scenarios on common random numbers and compare")
    p.add_argument("scenarios", nargs="+", help="scenario YAML files; the first is the baseline")
    p.add_argument("--baseline", help="the baseline scenario (default: the first file)")
    p.add_argument("--out", help="output folder (default results/compare-<names>/)")
    p.add_argument("--rank-by", default="final_active_share", metavar="KPI", help="KPI to rank by (any KPI name)")
    add_run_options(p, "seed shared by every scenario", "override a field in every scenario")
    p.add_argument(
        "--uncertain",
        metavar="FILE",
        help="run every scenario once per draw of the uncertain inputs in FILE (--reps unused) and write "
        "fan_chart.png and uncertainty.csv: P(beats the baseline) (see docs/uncertainty.md)",
    )
    p.set_defaults(func=lazy("adoptsim.cli.compare"))

    p = sub.add_parser("sweep", help="run a parameter sweep from an experiment file")
    p.add_argument("experiment", help="experiment YAML file")
    p.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--out", help="output folder (default results/sweep-<experiment name>/)")
    p.add_argument("--resume", action="store_true", help="skip tasks already finished in --out")
    add_allow_large(p)
    p.add_argument("--report", action="store_true", help=REPORT_HELP)
    p.set_defaults(func=lazy("adoptsim.cli.sweep"))

    p = sub.add_parser("report", help="one self-contained HTML page (and PDF) from output folders")
    p.add_argument("folders", nargs="+", metavar="DIR", help="folders written by run, compare, sweep, ...")
    p.add_argument("--out", help="HTML file (default: report.html in the first DIR)")
    p.add_argument("--pdf", action="store_true", help="also print it to PDF with headless Chromium")
    p.set_defaults(func=lazy("adoptsim.report.build", "command"))

    p = sub.add_parser("calibrate", help="fit a scenario to an observed adoption curve and forecast")
    p.add_argument("file", help="calibration YAML file (see docs/calibration.md)")
    p.add_argument("--out", help="output folder (default results/calibrate-<name>/)")
    p.add_argument("--workers", type=positive_int, help="local processes (default: all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true", help="continue the study already in --out")
    p.add_argument("--trials", type=positive_int, help="optimiser trials (default: the file's method.trials)")
    p.add_argument("--horizon", type=float, default=3.0, help="forecast years past the data (default 3)")
    p.set_defaults(func=lazy("adoptsim.cli.calibrate", "calibrate_command"))

    p = sub.add_parser(
        "diff",
        help="what differs between two scenarios, resolved",
        description="List the fields that differ between two scenarios after extends and defaults are resolved, "
        "one line per field path (old -> new); interventions are matched by name. Exit code as diff(1): "
        "0 same, 1 different, 2 a file has a mistake.",
    )
    p.add_argument("first", help="scenario YAML file (old)")
    p.add_argument("second", help="scenario YAML file (new)")
    p.set_defaults(func=lazy("adoptsim.cli.diff"))

    p = sub.add_parser("validate", help="check scenario, experiment and optimisation files")
    p.add_argument("files", nargs="+", help="scenario, experiment or optimisation YAML files")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    add_allow_large(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("app", help="explore a scenario interactively in the browser")
    p.add_argument("scenario", nargs="?", default="scenarios/baseline.yaml", help="scenario file (default: baseline)")
    p.add_argument("--port", type=positive_int, default=8765, help="port to serve on (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a field (repeatable)")
    p.set_defaults(func=lazy("adoptsim.app.server", "command"))

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("optimize", help="search the best mix, timing and targeting of interventions for a budget")
    p.add_argument("file", help="optimisation file (see docs/optimization.md)")
    p.add_argument("--out", help="output folder (default results/optimize-<name>/)")
    p.add_argument("--workers", type=positive_int, default=1, help="local processes for replications (default 1)")
    p.add_argument("--scheduler", help="address of a Dask scheduler to run replications on")
    p.add_argument("--resume", action="store_true", help="continue the study in the output folder")
    p.add_argument("--trials", type=positive_int, help="finished trials wanted (default: the file's)")
    p.set_defaults(func=lazy("adoptsim.cli.optimize", "cmd_optimize"))
    for action in sub._choices_actions:  # `adoptsim CMD --help` opens with what CMD does
        command = sub.choices[action.dest]
        command.description = command.description or action.help[0].upper() + action.help[1:] + "."
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` names; its exit code (see `entry` for the console script)."""
    try:
        args = build_parser().parse_args(argv)
        with contextlib.ExitStack() as args.cleanup:  # output folders, locks: committed or undone on exit
            code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader stopped early (`adoptsim schema | head`): not an error
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except AdoptsimError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("adoptsim: interrupted", file=sys.stderr)
        return 130


def entry() -> NoReturn:
    """The console script: `main`, then an exit that skips the interpreter's teardown."""
    exit_now(main())


if __name__ == "__main__":
    entry()
