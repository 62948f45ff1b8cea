"""Writing results so that nothing is half-written, and one command per output folder.

- `write_atomic`: a file is written beside its target and renamed over it (mode from the umask).
- `OutputFolder`: a command's files go to a hidden staging folder beside `--out` and are moved
  into place only when all are written; a failed or killed command leaves no folder that looks
  finished (a stale staging folder is removed by the next command on that target).
- `FolderLock`: an advisory lock file beside each output folder; the kernel releases it when the
  process dies, so a killed command never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from adoptsim.errors import AdoptsimError


def prepare_folder(folder: Path, option: str = "--out") -> Path:
    """Create the output folder and check it can be written, or fail with one line."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as err:
        raise AdoptsimError(f"{option} {folder}: cannot write there ({err.strerror or err})") from None
    return folder


def current_umask() -> int:
    """The process umask (mkstemp creates files 0600 whatever it is)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cannot_write(folder: Path, option: str, err: OSError) -> AdoptsimError:
    return AdoptsimError(f"{option} {folder}: cannot write there ({err.strerror or err})")


class FolderLock:
    """An exclusive lock on an output folder, held through a file beside it (`.<name>.lock`)."""

    def __init__(self, folder: Path, option: str = "--out") -> None:
        self.folder = folder
        self.option = option
        self.path = folder.parent / f".{folder.name}.lock"
        self.fd: int | None = None

    def __enter__(self) -> FolderLock:
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            while self.fd is None:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                    os.close(fd)
                    raise AdoptsimError(
                        f"{self.option} {self.folder}: in use by another adoptsim command (pid {holder}); "
                        "wait for it to finish or choose another folder"
                    ) from None
                # The holder before us may have removed the file after we opened it: lock the current one.
                if os.path.exists(self.path) and os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    os.ftruncate(fd, 0)
                    os.write(fd, str(os.getpid()).encode())
                    self.fd = fd
                else:
                    os.close(fd)
        except OSError as err:
            raise _cannot_write(self.folder, self.option, err) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(self.fd)
            self.fd = None


def remove_leftovers(folder: Path) -> None:
    """Temporary files of writes that were killed half-way (call only while holding the lock)."""
    if folder.is_dir():
        for tmp in folder.rglob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


class OutputFolder:
    """Stage a command's files and move them into `target` only when every one is written.

    `with OutputFolder(target) as staging:` write into `staging`; on a clean exit the staging
    folder becomes `target` (or, if `target` exists, each file is moved into it, each move
    atomic); on an exception it is removed. The folder is locked throughout.
    """

    def __init__(self, target: Path, option: str = "--out") -> None:
        self.target = target
        self.option = option
        self.lock = FolderLock(target, option)
        self.staging = target.parent / f".{target.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> Path:
        self.lock.__enter__()
        try:
            if self.target.exists() and not self.target.is_dir():
                raise AdoptsimError(f"{self.option} {self.target}: is a file, not a folder")
            for stale in self.target.parent.glob(f".{self.target.name}.partial-*"):
                shutil.rmtree(stale, ignore_errors=True)
            remove_leftovers(self.target)
            self.staging.mkdir()
        except OSError as err:
            self.lock.__exit__()
            raise _cannot_write(self.target, self.option, err) from None
        except BaseException:
            self.lock.__exit__()
            raise
        return self.staging

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            if kind is None:
                self._commit()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.lock.__exit__()

    def _commit(self) -> None:
        try:
            if not self.target.exists():
                os.rename(self.staging, self.target)
                return
            for entry in sorted(self.staging.iterdir()):
                os.replace(entry, self.target / entry.name)
        except OSError as err:
            raise _cannot_write(self.target, self.option, err) from None


@contextlib.contextmanager
def kept_only_if(folder: Path, keep: Callable[[], bool]) -> Iterator[None]:
    """Remove `folder` if it did not exist before and the block fails with `keep()` false
    (e.g. a sweep that stops before any run is saved leaves nothing behind)."""
    existed = folder.exists()
    try:
        yield
    except BaseException:
        if not existed and folder.is_dir() and not keep():
            shutil.rmtree(folder, ignore_errors=True)
        raise


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` then move tmp over `path` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_text(path: Path, text: str) -> Path:
    """Write a text file atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_csv(path: Path, frame) -> Path:
    """Write a DataFrame as CSV atomically."""
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def write_figure(path: Path, figure) -> Path:
    """Save a matplotlib figure atomically and close it."""
    import matplotlib.pyplot as plt

    suffix = path.suffix.lstrip(".") or "png"
    write_atomic(path, lambda tmp: figure.savefig(tmp, format=suffix, dpi=120, bbox_inches="tight"))
    plt.close(figure)
    return path
