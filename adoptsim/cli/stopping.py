"""How a command cut short ends: SIGTERM raised like Ctrl-C, and an exit code that says whether
the command's output folder is the new one, complete (0), or the previous one, untouched
(141 closed pipe, 143 SIGTERM, 130 Ctrl-C). See docs/scenario-format.md, "Output folders".

A signal's exception is raised wherever the main thread is, and Python loses it when that is a
callback that cannot raise (a weakref callback, a `__del__`: "Exception ignored in ...", and the
command carries on). `raise_on_signals` sends such a signal again a moment later, once the callback
has returned.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import time
from collections.abc import Callable
from types import CodeType, FrameType

from adoptsim.cli.exiting import flush_streams

SIGNALS = (signal.SIGINT, signal.SIGTERM)
AGAIN_AFTER = 0.001
"""Seconds before a lost signal is sent again: long enough for the callback that lost it to return."""


class Terminated(BaseException):
    """SIGTERM (what `timeout` and schedulers send), raised like Ctrl-C so that folders are undone."""


_final: list[int] = []
"""The command's exit code once it has ended: in the console script, a signal from then on ends
the process at once with that code (its folders are committed or undone), not with a traceback
or -15."""


def raise_on_signals(console: bool = False) -> Callable[[], None]:
    """Make SIGTERM raise `Terminated` and SIGINT `KeyboardInterrupt` in this process (a forked
    worker dies of SIGTERM as usual), and send again a signal whose exception was lost; the undo.
    `console`: the process is the command's, so a signal after `final` may end it."""
    me = os.getpid()
    _final.clear()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != me:  # a forked worker: as if we had never been here
            if signum == signal.SIGINT:
                signal.default_int_handler(signum, frame)
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if console and _final:
            flush_streams()
            os._exit(_final[-1])
        if inside(frame, lost.__code__):  # raised in the hook, it would be lost again: later
            send_again(me, signum)
            return
        raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt

    def lost(unraisable: sys.UnraisableHookArgs) -> None:
        stop = unraisable.exc_value
        if os.getpid() == me and isinstance(stop, (Terminated, KeyboardInterrupt)):
            send_again(me, signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT)
            return
        hook(unraisable)

    try:  # a signal ignored from the start stays so (`nohup`, a shell's background job and Ctrl-C)
        previous = {n: signal.signal(n, handler) for n in SIGNALS if signal.getsignal(n) != signal.SIG_IGN}
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        return lambda: None
    hook, sys.unraisablehook = sys.unraisablehook, lost

    def undo() -> None:
        for number, before in previous.items():
            signal.signal(number, before)
        sys.unraisablehook = hook
        _final.clear()

    return undo


def send_again(pid: int, signum: int) -> None:
    """Send `signum` to this process `AGAIN_AFTER` seconds from now, from another thread (a bare
    one: `threading.Thread.start` waits for it to start, and a signal handled in that wait would
    be one more raise inside the hook)."""

    def later() -> None:
        time.sleep(AGAIN_AFTER)
        os.kill(pid, signum)

    _thread.start_new_thread(later, ())


def inside(frame: FrameType | None, code: CodeType) -> bool:
    """Whether `frame` runs `code` or is called, however deeply, from a frame that does."""
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


def final(code: int) -> int:
    """`code`, the command's exit code, known: a signal from now on ends the console script with it."""
    _final.append(code)
    return code


def stopped(stop: BaseException) -> tuple[int, str]:
    """A study's exit code and the word its own message starts with: SIGTERM (`Terminated`) 143
    "terminated", Ctrl-C 130 "interrupted", as `main` answers them for every other command."""
    return (143, "terminated") if isinstance(stop, Terminated) else (130, "interrupted")


def cut_short(folders: list, code: int, message: str | None, writes: bool = False) -> int:
    """0 when every output folder was complete and is in place (or a closed pipe cut a command
    that writes none); else `code`, saying what is left (`writes`: the command writes a folder,
    so none opened yet means nothing was written)."""
    if all(folder.committed for folder in folders) and (folders or message is None):
        return 0
    if message:
        left = folders[-1].left_as() if folders else "nothing was written" if writes else ""
        print(f"{message}; {left}" if left else message, file=sys.stderr)
    return code
