"""How a command cut short ends: SIGTERM raised like Ctrl-C, and an exit code that says whether
the command's output folder is the new one, complete (0), or the previous one, untouched
(141 closed pipe, 143 SIGTERM, 130 Ctrl-C). See docs/scenario-format.md, "Output folders"."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


class Terminated(BaseException):
    """SIGTERM (what `timeout` and schedulers send), raised like Ctrl-C so that folders are undone."""


def terminate_by_exception() -> Callable[[], None]:
    """Make SIGTERM raise `Terminated` in this process (a forked worker dies as usual); the undo."""
    me = os.getpid()

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != me:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)


def stopped(stop: BaseException) -> tuple[int, str]:
    """A study's exit code and the word its own message starts with: SIGTERM (`Terminated`) 143
    "terminated", Ctrl-C 130 "interrupted", as `main` answers them for every other command."""
    return (143, "terminated") if isinstance(stop, Terminated) else (130, "interrupted")


def cut_short(folders: list, code: int, message: str | None) -> int:
    """0 when every output folder was complete and is in place; else `code`, saying so."""
    if all(folder.committed for folder in folders):
        return 0 if folders or message is None else code
    if message:
        print(f"{message}; the previous contents of {folders[-1].shown} are unchanged", file=sys.stderr)
    return code
