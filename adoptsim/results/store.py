"""Writing results so that nothing is half-written.

- `write_atomic`: a file is written beside its target and renamed over it (mode from the umask).
- `OutputFolder`, `FolderLock` (adoptsim/results/folders.py): one command's results per folder,
  staged and swapped in whole, locked while the command runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from adoptsim.errors import AdoptsimError
from adoptsim.results.folders import FolderLock as FolderLock
from adoptsim.results.folders import OutputFolder as OutputFolder
from adoptsim.results.swap import signals_held


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
    """Save a matplotlib figure atomically and close it; SIGINT and SIGTERM wait until it is saved
    (pybind11, under matplotlib's drawing, turns a KeyboardInterrupt raised while it converts
    arguments into its own TypeError or ValueError: exit 1 with a traceback, seen by fuzzing).

    A figure with a layout engine (the house figures are `layout="constrained"`, which fits the
    legends outside the axes) is saved as laid out; only one without is cropped to its drawn
    extent (`bbox_inches="tight"` draws the whole figure once more to find it). pyplot is imported
    only if the figure may be one of its own (a `Figure(...)` made directly needs no closing)."""
    suffix = path.suffix.lstrip(".") or "png"
    bbox = None if figure.get_layout_engine() is not None else "tight"
    with signals_held():  # a signal raised inside matplotlib's C++ calls becomes their TypeError: after
        write_atomic(path, lambda tmp: figure.savefig(tmp, format=suffix, dpi=120, bbox_inches=bbox))
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)
    return path
