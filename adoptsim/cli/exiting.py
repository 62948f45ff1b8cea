"""Leaving the process once a command is done, without tearing the interpreter down; profiling it.

A command that imported pandas, scipy, Mesa and matplotlib spends 0.35-0.5 s at exit freeing
their modules object by object (docs/performance.md, "Start-up and exit"): memory the operating
system takes back at once anyway. `exit_now` leaves through the ordinary `sys.exit`, so Python
waits for running threads and runs every exit handler as usual (logging, multiprocessing, temporary
files); the last handler to run is this module's, registered when it is first imported (handlers
run last-registered first), and it flushes the streams and calls `os._exit` before the teardown.
Only public `atexit` calls are used. A handler registered before this module was imported would
run after it, so it is not: the console script imports this module before anything that registers
one, and `logging.shutdown` (public) is called here whatever the order.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import NoReturn

PROFILE_VARIABLE = "ADOPTSIM_PROFILE"
"""Environment variable naming a file for a cProfile of the command (as `adoptsim --profile FILE`)."""

_armed: list[int] = []
"""The exit code `exit_now` asked for; empty for an ordinary exit, which tears down as usual."""


def exit_now(code: int) -> NoReturn:
    """End the process with `code`: threads waited for, exit handlers run and streams flushed, no teardown."""
    _armed.append(code)
    sys.exit(code)


@atexit.register
def _skip_teardown() -> None:
    """The last exit handler: once `exit_now` asked for it, flush and leave before the teardown."""
    if not _armed:
        return
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    flush_streams()
    os._exit(_armed[-1])


def flush_streams() -> None:
    """Flush stdout and stderr; a reader that went away (`adoptsim schema | head`) missed nothing
    it wanted, so a closed pipe is not an error here."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            continue


@contextlib.contextmanager
def profiled(file: str | None) -> Iterator[None]:
    """Profile the block with cProfile into `file` (or the ADOPTSIM_PROFILE file; nothing if neither),
    written when the block ends, however it ends: read it with `python -m pstats FILE` or snakeviz."""
    file = file or os.environ.get(PROFILE_VARIABLE) or None
    if file is None:
        yield
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(file)
