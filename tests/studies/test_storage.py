"""The study file: a journal that survives a kill mid-write, and older folders' SQLite studies."""

from __future__ import annotations

import os

import optuna
import pytest

from adoptsim.studies.storage import LEGACY_FILE, LOCK_FILE_SUFFIX, STUDY_FILE, has_study, study_path, study_storage

SPACE = {"x": optuna.distributions.FloatDistribution(0.0, 1.0)}


def told(storage, count: int) -> list[tuple[int, float]]:
    study = optuna.create_study(study_name="s", storage=storage, load_if_exists=True)
    for _ in range(count):
        trial = study.ask(SPACE)
        study.tell(trial, trial.params["x"] ** 2)
    return [(t.number, t.value) for t in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))]


@pytest.mark.slow
def test_a_new_folder_gets_a_journal_and_an_older_folders_sqlite_study_is_resumed(tmp_path):
    fresh, older = tmp_path / "fresh", tmp_path / "older"
    fresh.mkdir(), older.mkdir()
    assert not has_study(fresh)
    first = told(study_storage(fresh), 3)
    assert study_path(fresh).name == STUDY_FILE and has_study(fresh)
    assert not (fresh / LEGACY_FILE).exists()
    before = told(optuna.storages.RDBStorage(f"sqlite:///{older / LEGACY_FILE}"), 3)
    assert study_path(older).name == LEGACY_FILE
    after = told(study_storage(older), 2)
    assert after[:3] == before and len(after) == 5
    assert not (older / STUDY_FILE).exists()
    assert told(study_storage(fresh), 0) == first


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="Optuna's journal lock is a symbolic link")
def test_a_kill_mid_write_loses_no_told_trial_and_leaves_no_lock_in_the_way(tmp_path):
    before = told(study_storage(tmp_path), 4)
    journal = study_path(tmp_path)
    with journal.open("ab") as f:
        f.write(b'{"op_code": 5, "worker_id": "x", "trial_id": 4, "par')  # the append a kill cut short
    lock = tmp_path / f"{STUDY_FILE}{LOCK_FILE_SUFFIX}"
    os.symlink(journal, lock)  # the write lock the killed process held
    storage = study_storage(tmp_path)
    assert not lock.exists() and not lock.is_symlink()
    assert told(storage, 0) == before
    resumed = told(storage, 2)  # appends after the cut line
    assert resumed[:4] == before and len(resumed) == 6
    assert told(study_storage(tmp_path), 0) == resumed
