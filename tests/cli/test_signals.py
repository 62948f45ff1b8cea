"""Signals the command answers whenever they come: one lost inside a callback is raised again,
and one after the command's exit code is known ends the process with that code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import weakref

import pytest

from adoptsim.cli.stopping import Terminated, raise_on_signals
from tests.conftest import BASELINE, ROOT


class Thing:
    pass


@pytest.fixture(autouse=True)
def signals_as_in_a_terminal():
    """Each test starts from Python's own handlers, as a command started at a terminal does: a suite
    run as a shell's background job (`pytest &`) inherits SIGINT ignored, which a command keeps."""
    usual = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    before = {number: signal.signal(number, handler) for number, handler in usual.items()}
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


@pytest.mark.parametrize(("number", "raised"), [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)])
def test_a_signal_lost_in_a_weakref_callback_is_raised_again_without_a_traceback(capsys, number, raised):
    """Python loses an exception raised in a weakref callback ("Exception ignored in ..."); the
    signal is sent again, so the command stops instead of carrying on to the end."""
    restore = raise_on_signals()
    lost_in_callback = []
    try:
        thing = Thing()
        _ref = weakref.ref(thing, lambda ref: (os.kill(os.getpid(), number), lost_in_callback.append(True)))
        with pytest.raises(raised):
            del thing  # the callback runs here, and the handler raises inside it
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.005)
    finally:
        restore()
    assert lost_in_callback == []  # the exception came inside the callback, before its second part
    assert "Exception ignored" not in capsys.readouterr().err


def test_a_signal_sent_again_while_the_hook_still_runs_waits_until_it_has_returned(monkeypatch, capsys):
    """The signal sent again can meet the main thread still inside the hook that sent it, where a
    raise would be lost once more ("Exception ignored in sys.unraisablehook"): it is sent again
    later. Here the hook lingers 50 ms after sending, so the signal always comes inside it."""
    import adoptsim.cli.stopping as stopping

    send = stopping.send_again
    calls = []

    def lingering(pid: int, signum: int) -> None:
        send(pid, signum)
        calls.append(signum)
        if len(calls) == 1:  # the hook's call; the handler's, from inside the hook, returns at once
            time.sleep(0.05)

    monkeypatch.setattr(stopping, "send_again", lingering)
    restore = raise_on_signals()
    try:
        thing = Thing()
        _ref = weakref.ref(thing, lambda ref: os.kill(os.getpid(), signal.SIGTERM))
        with pytest.raises(Terminated):
            del thing
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.005)
    finally:
        restore()
    assert len(calls) >= 2  # by the hook, then by the handler each time it found itself inside it
    assert "Exception ignored" not in capsys.readouterr().err


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_after_the_command_ended_exits_with_its_code_and_says_nothing(number):
    """The console script, its command done, receives a signal while exit handlers run: its folders
    are already committed or undone, so it ends with the command's code, not -15 or a traceback."""
    script = (
        "import atexit, os, signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal, not a background job\n"
        "from adoptsim.cli.main import entry\n"
        f"atexit.register(os.kill, os.getpid(), {int(number)})\n"
        f"sys.argv = ['adoptsim', 'validate', {str(BASELINE)!r}]\n"
        "entry()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert "ok" in done.stdout


def test_a_signal_ignored_from_the_start_stays_ignored():
    """A shell starts background jobs with SIGINT ignored (Ctrl-C at the terminal is not theirs),
    `nohup` SIGHUP; the command keeps what it was given."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        restore = raise_on_signals()
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
        restore()
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
