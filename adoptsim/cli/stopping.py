"""How a command cut short ends: SIGTERM raised like Ctrl-C, and an exit code that says whether
the command's output folder is the new one, complete (0), or the previous one, untouched
(141 closed pipe, 143 SIGTERM, 130 Ctrl-C). See docs/scenario-format.md, "Output folders"."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator


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


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back over a few lines that must not be cut in half (an output
    folder made and registered to be undone); one that came meanwhile is handled as they end, by
    the handler it would have met. Without it, a SIGTERM just after the folder was made left it
    unregistered: undone, but the command ended with 143 and no word of the previous folder (seen
    once in CI). Python handlers run in the main thread whichever thread the signal reaches, so
    holding them there holds them for the process (a signal mask would not: tqdm's monitor
    thread, for one, would take the signal)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda number, frame: caught.append(number)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if caught:
        handler = previous[caught[0]]
        if callable(handler):
            handler(caught[0], None)  # raises Terminated or KeyboardInterrupt here
        elif handler == signal.SIG_DFL:
            os.kill(os.getpid(), caught[0])


def cut_short(folders: list, code: int, message: str | None) -> int:
    """0 when every output folder was complete and is in place; else `code`, saying so."""
    if all(folder.committed for folder in folders):
        return 0 if folders or message is None else code
    if message:
        print(f"{message}; the previous contents of {folders[-1].shown} are unchanged", file=sys.stderr)
    return code
