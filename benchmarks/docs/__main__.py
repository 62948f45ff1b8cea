"""The one command that writes and checks every doc's measured numbers (see benchmarks/docs/__init__.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.docs import BLOCKS
from benchmarks.docs.blocks import RESULTS, execute, head


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.docs", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"blocks (default: all): {', '.join(BLOCKS)}")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--run", action="store_true", help="run the blocks' commands (timed) into results/docs/, then write"
    )
    mode.add_argument(
        "--from",
        dest="folder",
        type=Path,
        help="one block's output folder; with several runs, DIR/<run> for each run to replace (the others stay)",
    )
    mode.add_argument("--check", action="store_true", help="exit 1 when a doc's block is not its stored numbers")
    parser.add_argument("--commit", help="with --from: the commit the folder was made at (default: HEAD)")
    parser.add_argument(
        "--wall",
        action="append",
        default=[],
        metavar="[RUN=]SECONDS",
        help="with --from: a run's wall time in seconds, measured elsewhere (RUN= for a block of several runs)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BLOCKS]
    if unknown:
        parser.error(f"unknown block {', '.join(unknown)} (known: {', '.join(BLOCKS)})")
    names = args.names or list(BLOCKS)
    if args.check:
        stale = [
            f"{BLOCKS[n].doc}: block {n}" for n in names if BLOCKS[n].current() != BLOCKS[n].rendered(BLOCKS[n].load())
        ]
        if stale:
            sys.exit("not the stored numbers (run `uv run python -m benchmarks.docs NAME`):\n" + "\n".join(stale))
        print(f"{len(names)} blocks match their stored numbers")
        return
    if args.folder and len(names) != 1:
        parser.error("--from takes exactly one NAME")
    for name in names:
        block = BLOCKS[name]
        stored = block.load() if block.stored.exists() else {}
        for key, run in block.runs.items():
            if args.run:
                folder = RESULTS / name / key
                wall = execute(run, folder)
                commit = head()
            elif args.folder:
                folder = args.folder if len(block.runs) == 1 else args.folder / key
                if not folder.is_dir():
                    print(f"{name}: no {folder}: run {key} keeps its stored numbers")
                    continue
                walls = dict(w.split("=", 1) if "=" in w else (next(iter(block.runs)), w) for w in args.wall)
                wall, commit = (float(walls[key]) if key in walls else None), args.commit or head()
            else:
                continue
            timed = None if wall is None else round(wall)
            stored[key] = {**run.read(folder), "command": run.command, "commit": commit, "wall_s": timed}
        block.write(stored)
        print(f"{block.doc}: block {name} written from {block.stored.relative_to(block.stored.parents[2])}")


if __name__ == "__main__":
    main()
