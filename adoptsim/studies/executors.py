"""Executors for replications and sweeps: in-process, local processes, or a Dask cluster.

All are `concurrent.futures.Executor`s, so the runner and the sweep treat them alike. Results do
not depend on which one runs a task: every task carries its own seed.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from adoptsim.errors import AdoptsimError


class SerialExecutor(Executor):
    """Runs each task at once in this process (one worker; easiest to debug and profile)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(err, KeyboardInterrupt):
                raise
            future.set_exception(err)
        return future


class DaskExecutor(Executor):
    """A Dask distributed client's executor; closes the client on shutdown."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - dask is a core dependency
            raise AdoptsimError("--scheduler needs dask.distributed (uv add 'dask[distributed]')") from None
        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise AdoptsimError(f"--scheduler {address}: cannot connect ({err})") from None
        self._executor = self.client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)
        self.client.close()


def default_workers() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Dask when a scheduler address is given, else local processes (serial for one worker)."""
    if scheduler:
        return DaskExecutor(scheduler)
    workers = default_workers() if workers is None else workers
    if workers <= 1:
        return SerialExecutor()
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_process_context(), initializer=exit_with, initargs=(os.getpid(),)
    )
    pool.submit(int)  # start the workers now, while the command prepares its first tasks
    return pool


def exit_with(parent: int) -> None:
    """Worker initializer: end this worker within a second of `parent` (the command) dying.

    A pool's workers are children of the fork server, not of the command, and block on a queue
    whose write end they hold themselves: a SIGKILLed command would leave them running. A daemon
    thread waits on a pidfd of the parent (Linux 5.3+), or polls it once a second elsewhere.
    """
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="adoptsim-watch-parent").start()


def _watch(parent: int) -> None:
    try:
        handle = os.pidfd_open(parent)
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while _alive(parent):
            time.sleep(1.0)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _process_context() -> multiprocessing.context.BaseContext:
    """fork while this process runs no other thread: workers start at once with everything this
    process imported (a sweep's pool is up in milliseconds, not the seconds of importing adoptsim
    again); otherwise (progress bars, Dask already running) forkserver with adoptsim preloaded,
    which is safe from a threaded process."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["adoptsim.studies.runner", "adoptsim.studies.sweep"])
    return context
