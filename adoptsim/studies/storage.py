"""Where a study's Optuna trials live: an append-only journal file in the output folder.

Optuna's journal storage writes one JSON line per change and fsyncs each append; SQLite commits
(and fsyncs) each of the several writes a trial makes. Measured on this project's calibrations
(`uv run python -m benchmarks.measure calibration FILE 16`), the storage was most of the time a
trial spends outside its simulations (docs/performance.md). A kill leaves at most a torn last
line, an append that never returned; opening the study drops it (Optuna's reader would skip it,
but the next append would join it into one unreadable line), so `--resume` finds every trial
told before the kill and nothing else. A folder made by an older adoptsim keeps its SQLite
`study.db`, which is opened as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import optuna
from optuna.storages.journal import JournalFileBackend, JournalStorage

LOCK_FILE_SUFFIX = ".lock"
"""Optuna's journal write lock: a symbolic link beside the journal while an append is under way."""

STUDY_FILE = "study.journal"
LEGACY_FILE = "study.db"
"""The SQLite study of folders written before the journal (resumed, never created)."""


def study_path(folder: Path) -> Path:
    """The folder's study file: the journal, or an older folder's SQLite database."""
    legacy = folder / LEGACY_FILE
    return legacy if legacy.exists() and not (folder / STUDY_FILE).exists() else folder / STUDY_FILE


def has_study(folder: Path) -> bool:
    """Whether the folder holds a study (of either kind)."""
    return study_path(folder).exists()


def study_storage(folder: Path) -> optuna.storages.BaseStorage:
    """The storage of the folder's study, created as a journal when there is none.

    The caller holds the folder's lock (adoptsim/results/folders.py), so no other process writes
    here: a journal write lock left by a killed process is stale and removed, instead of Optuna
    waiting out its 30-second grace period before taking it over."""
    path = study_path(folder)
    if path.name == LEGACY_FILE:
        return optuna.storages.RDBStorage(f"sqlite:///{path}")
    Path(f"{path}{LOCK_FILE_SUFFIX}").unlink(missing_ok=True)
    drop_torn_tail(path)
    return JournalStorage(JournalFileBackend(str(path)))


def drop_torn_tail(path: Path) -> None:
    """Cut the journal back to its last whole line (every append ends with a newline)."""
    if not path.exists():
        return
    with path.open("rb+") as journal:
        size = journal.seek(0, os.SEEK_END)
        if size == 0:
            return
        journal.seek(size - 1)
        if journal.read(1) == b"\n":
            return
        journal.seek(0)
        whole = journal.read().rfind(b"\n") + 1
        journal.truncate(whole)
        journal.flush()
        os.fsync(journal.fileno())
