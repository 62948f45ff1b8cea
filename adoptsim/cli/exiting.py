"""Leaving the process once a command is done, without tearing the interpreter down.

A command that imported pandas, scipy, Mesa and matplotlib spends 0.35-0.5 s at exit freeing
their modules object by object (docs/performance.md, "Start-up and exit"): memory the operating
system takes back at once anyway. Once the output is flushed and the exit handlers have run
(logging, multiprocessing, temporary files), nothing is left that a user could miss.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    """End the process with `code`: exit handlers run and streams flushed, then `os._exit`.

    Falls back to the ordinary `sys.exit` while another non-daemon thread runs (Python would wait
    for it, and so must we) or where this Python has no way to run the exit handlers early.
    """
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_handlers is None or others_running():
        sys.exit(code)
    flush_streams()
    run_handlers()
    flush_streams()
    os._exit(code)


def others_running() -> bool:
    """Whether a thread other than this one that the interpreter would wait for is alive."""
    me = threading.current_thread()
    return any(t is not me and t.is_alive() and not t.daemon for t in threading.enumerate())


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
