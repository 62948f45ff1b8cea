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
import warnings
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from adoptsim.errors import AdoptsimError


class SerialExecutor(Executor):
    """Runs each task at once in this process (one worker; easiest to debug and profile)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)  # Ctrl-C, SIGTERM (the command's Terminated), exits: raised at once
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


class Pool(ProcessPoolExecutor):
    """Local worker processes that say how many they are (`workers`)."""

    def __init__(self, workers: int, **options) -> None:
        super().__init__(max_workers=workers, **options)
        self.workers = workers


def capacity(executor: Executor) -> int:
    """Tasks the executor runs at once: a pool's processes, a Dask cluster's threads (at least 1
    while its workers are joining), a plain ProcessPoolExecutor's max_workers, 1 for any other
    (in-process) executor."""
    if isinstance(executor, DaskExecutor):
        return max(1, sum(executor.client.nthreads().values()))
    return getattr(executor, "workers", getattr(executor, "_max_workers", 1))


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
    pool = Pool(workers, mp_context=_process_context(), initializer=exit_with, initargs=(os.getpid(),))
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
        # Python 3.12 warns at any fork of a process with more than one OS thread; here the others
        # are native (numpy's OpenBLAS starts one at import, and it re-arms itself in the child
        # through pthread_atfork), and none holds a Python lock, since no Python thread but this runs.
        warnings.filterwarnings(
            "ignore", r"This process \(pid=\d+\) is multi-threaded", DeprecationWarning, r"multiprocessing\."
        )
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["adoptsim.studies.runner", "adoptsim.studies.sweep"])
    return context


def capped_workers(workers: int | None, tasks: int | None = None) -> int:
    """Workers that can be busy: no more than the tasks, nor than this machine's cores (results do
    not depend on the number: every task carries its own seed). Says so on stderr when it caps."""
    import sys

    cores = default_workers()
    asked = cores if workers is None else workers
    cap = min(asked, cores, tasks if tasks is not None else asked)
    cap = max(cap, 1)
    if workers is not None and cap < workers:
        why = f"{tasks} task(s), {cores} core(s)" if tasks is not None else f"{cores} core(s)"
        print(f"--workers {workers}: using {cap} ({why})", file=sys.stderr)
    return cap


SECONDS_PER_CONSUMER = 4e-5
"""Set-up of one consumer (population, graph, merchants), from the 10M run in docs/performance.md."""
SECONDS_PER_AGENT_STEP = 6e-8
"""One consumer for one step (docs/performance.md: 46-64 ns per agent-step)."""
MAX_RUNS = 1_000_000
MAX_HOURS = 24.0


def run_seconds(consumers: int, steps: int) -> float:
    """seconds ~ n * (4e-5 + 6e-8 * steps) + 0.05 for one run (a rough figure, on one core)."""
    return consumers * (SECONDS_PER_CONSUMER + SECONDS_PER_AGENT_STEP * steps) + 0.05


def check_budget(what: str, runs: int, consumers: int, steps: int, workers: int, allow_large: bool) -> str:
    """One line estimating runs, wall time and memory; refused (AdoptsimError) beyond `MAX_RUNS`
    runs, `MAX_HOURS` of wall time or 80 % of memory for the runs going at once, unless
    `allow_large`. Nothing is built: the figures come from the design's sizes only."""
    from adoptsim.scenario.footprint import SHARE_OF_MEMORY, _size, machine_memory

    hours = runs * run_seconds(consumers, steps) / max(workers, 1) / 3600
    memory = min(workers, runs) * consumers * 200.0
    line = f"{runs:,} runs of {consumers:,} consumers x {steps:,} steps: about {_hours(hours)} on {workers} worker(s)"
    if allow_large:
        return line
    limit = SHARE_OF_MEMORY * machine_memory()
    if runs > MAX_RUNS or hours > MAX_HOURS or memory > limit:
        beyond = (
            f"more than {MAX_RUNS:,} runs"
            if runs > MAX_RUNS
            else f"more than {MAX_HOURS:g} h"
            if hours > MAX_HOURS
            else f"about {_size(memory)} of memory at once, more than {_size(limit)}"
        )
        raise AdoptsimError(f"{what}: {line}; {beyond}; make it smaller, or pass --allow-large to run it anyway")
    return line


def _hours(hours: float) -> str:
    if hours < 1 / 60:
        return f"{hours * 3600:.0f} s"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:,.0f} days"
