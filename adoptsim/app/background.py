"""A page's background work: a thread started when its dependencies change, told to stop (an
event it checks) when they change again or the page goes away.

Unlike `solara.use_thread`, it keeps no result state, so starting and ending a thread renders
nothing (the work sets the state the page shows), and it does not trace the thread's every line
to stop it at any point: the work stops itself where stopping is safe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import solara


def use_background(work: Callable[[threading.Event], None], dependencies: list) -> None:
    """Run `work(stop)` in a thread now and after each change of `dependencies`; `stop` is set
    when they change again or the component is removed."""

    def start() -> Callable[[], None]:
        stop = threading.Event()
        threading.Thread(target=work, args=(stop,), daemon=True).start()
        return stop.set

    solara.use_effect(start, dependencies)
