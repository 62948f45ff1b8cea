"""The output folder's lock and its swaps (see adoptsim/results/folders.py for the mechanism).

- `FolderLock`: `filelock` on `.<name>.lock` beside the folder (inside a mount point); the kernel
  releases it when the process dies, and the file is removed on release.
- `swap_inside`: a mount point's content replaced one rename per entry, with a journal.
- `recover`: what a killed command left, finished or undone by the next one (under the lock).
- `signals_held`: SIGINT and SIGTERM held back over the steps that must not be cut in half.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from adoptsim.errors import AdoptsimError

MARKER = ".adoptsim.json"
INSIDE = ".adoptsim-"  # prefix of the mechanism's own entries inside a target (staging, old, swap, lock)


def cannot_write(folder: Path, option: str, err: OSError) -> AdoptsimError:
    return AdoptsimError(f"{option} {folder}: cannot write there ({err.strerror or err})")


def stage_inside(folder: Path) -> bool:
    """Whether staging must live inside `folder`: a mount point, or a parent we cannot write."""
    if not folder.is_dir():
        return False
    here = os.path.samefile(folder, ".")  # renaming the working folder away would pull it from under us
    return here or os.path.ismount(folder) or not os.access(folder.parent, os.W_OK)


def content(folder: Path) -> list[str]:
    """The folder's entries, less the mechanism's own (staging, lock) and a killed write's `*.tmp`."""
    if not folder.is_dir():
        return []
    return sorted(e.name for e in folder.iterdir() if not e.name.startswith(INSIDE) and not e.name.endswith(".tmp"))


class FolderLock:
    """An exclusive lock on an output folder, through `.<name>.lock` beside it (inside a mount point)."""

    def __init__(self, folder: Path, option: str = "--out", shown: Path | None = None) -> None:
        self.folder = folder
        self.shown = shown or folder
        self.option = option
        inside = stage_inside(folder)
        self.path = folder / f"{INSIDE}lock" if inside else folder.parent / f".{folder.name}.lock"
        from adoptsim.results.store import current_umask  # store imports this module

        self.lock = FileLock(self.path, timeout=0, mode=0o666 & ~current_umask(), thread_local=False)

    def __enter__(self) -> FolderLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for _ in range(3):
                self.lock.acquire()
                fd = self.lock._context.lock_file_fd  # a holder before us may have unlinked our file
                if fd is not None and self.path.exists() and os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    os.ftruncate(fd, 0)
                    os.write(fd, str(os.getpid()).encode())
                    return self
                self.lock.release()
        except Timeout:
            holder = "?"
            with contextlib.suppress(OSError):
                holder = self.path.read_text(encoding="ascii").strip() or "?"
            raise AdoptsimError(
                f"{self.option} {self.shown}: in use by another adoptsim command (pid {holder}); "
                "wait for it to finish or choose another folder"
            ) from None
        except OSError as err:
            raise cannot_write(self.shown, self.option, err) from None
        raise AdoptsimError(f"{self.option} {self.shown}: its lock keeps changing; try again")

    def __exit__(self, *exc: object) -> None:
        if self.lock.is_locked:
            with contextlib.suppress(OSError):
                os.unlink(self.path)  # while still held: no `.lock` is left behind
            self.lock.release()


def swap_inside(target: Path, staging: Path) -> None:
    """Replace a mount point's content by the staging folder inside it, one rename per entry.

    A journal (`.adoptsim-swap`) says how far the swap went, so that `recover` finishes or undoes it."""
    old = target / f"{INSIDE}old-{staging.name.rsplit('-', 1)[-1]}"
    journal = target / f"{INSIDE}swap"
    old.mkdir()
    journal.write_text(f"aside\n{old.name}\n{staging.name}\n")
    for name in content(target):
        os.rename(target / name, old / name)
    journal.write_text(f"in\n{old.name}\n{staging.name}\n")
    _move_in(staging, target)
    journal.unlink()
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _move_in(staging: Path, target: Path) -> None:
    names = sorted(p.name for p in staging.iterdir())
    for name in sorted(names, key=lambda n: n == MARKER):  # the marker last: present = complete
        os.rename(staging / name, target / name)


def recover(target: Path) -> None:
    """Finish or undo what a killed command left (call holding the lock): a swap cut short is
    undone before the new files went in and finished after; staging folders and `*.tmp` go."""
    parent = target.parent
    for old in parent.glob(f".{target.name}.old-*"):
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(old, target)
    for stale in parent.glob(f".{target.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if not target.is_dir():
        return
    journal = target / f"{INSIDE}swap"
    if journal.exists():
        phase, old, staging = journal.read_text().split()
        if phase == "in" and (target / staging).is_dir():
            _move_in(target / staging, target)
        else:  # new files not yet going in: the old ones come back
            for name in os.listdir(target / old):
                os.rename(target / old / name, target / name)
        journal.unlink()
    for stale in target.glob(f"{INSIDE}*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    for tmp in target.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back over steps that must not be cut in half (a folder made and
    registered to be undone; the new folder put in place and marked committed, the old one
    removed); one that came meanwhile is handled as they end, by the handler it would have met.
    Cut in half, the exit code and its message could say the previous folder is unchanged when
    the new one is in place, or say nothing (seen once in CI). Python handlers run in the main
    thread whichever thread the signal reaches, so holding them there holds them for the process
    (a signal mask would not: tqdm's monitor thread, for one, would take the signal)."""
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
