"""One output-folder mechanism for every command: a folder holds one invocation's results, whole.

- The folder is locked (`filelock`) for the whole command; the lock file is removed on release.
- A marker `.adoptsim.json` names the command that wrote the folder, the invocation's `run_id`
  and (for staged commands) every file with its SHA-256: a folder whose files match its marker
  came from one invocation.
- A non-empty folder that is not the same command's results is refused before any work unless
  `force`; a folder that cannot be written is refused before any work.
- Staged (run, compare; a study replacing an earlier one, --force): files go to a staging folder
  on the target's filesystem and replace the target only once the command calls `done()`:
  old aside, new in, old removed; each step a `rename`. Staging sits beside the target
  (`.NAME.partial-*`), or inside it (`.adoptsim-staging-*`) when the target is a mount point or
  its parent cannot be written, so that `rename` never crosses filesystems.
- In place (a resumable study on a new folder, or `--resume`): files go straight into the target,
  which the command can resume after a kill.
A swap cut short by a kill is finished or undone by the next command on that folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from adoptsim.errors import AdoptsimError
from adoptsim.results.swap import (
    INSIDE,
    MARKER,
    FolderLock,
    cannot_write,
    content,
    recover,
    signals_held,
    stage_inside,
    swap_inside,
)


def read_marker(folder: Path) -> dict:
    """The folder's marker, or {} when it has none or it cannot be read."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}


def digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def listing(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path -> SHA-256), the marker excepted."""
    return {
        str(p.relative_to(folder)): digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER and not p.name.startswith(INSIDE)
    }


class OutputFolder:
    """A command's output folder; `with OutputFolder(...) as folder:` write under `folder.path`.

    `command` names the command (the marker says whose folder it is); `resumable` commands work
    in place on a new folder or with `resume`; `owns` are files that mark this command's folders
    written before markers existed; `keep()` says whether a new in-place folder that failed is
    worth keeping (a sweep with saved runs). Staged files are committed only after `done()`.
    """

    def __init__(
        self,
        target: Path,
        command: str,
        *,
        force: bool = False,
        resume: bool = False,
        resumable: bool = False,
        owns: tuple[str, ...] = (),
        keep: Callable[[], bool] = lambda: False,
        option: str = "--out",
    ) -> None:
        self.shown = Path(target)  # as the user gave it, for messages
        self.target, self.command, self.option = Path(os.path.abspath(target)), command, option
        self.force, self.resume, self.resumable, self.owns, self.keep = force, resume, resumable, owns, keep
        self.run_id = uuid.uuid4().hex
        self.lock = FolderLock(self.target, option, self.shown)
        self.completed = self.committed = False
        self.in_place = False
        self.existed = self.target.exists()
        self.path = self.target

    # -- entering: lock, recover, check ownership and writability, stage -------------------------
    def __enter__(self) -> OutputFolder:
        if self.target.exists() and not self.target.is_dir():
            raise AdoptsimError(f"{self.option} {self.shown}: is a file, not a folder")
        self.lock.__enter__()
        try:
            recover(self.target)
            self.existed = bool(content(self.target))
            same = self.check_owner()
            self.in_place = self.resumable and (not self.existed or (self.resume and same))
            self.path = self.target if self.in_place else self.staging_path()
            self.path.mkdir(parents=True, exist_ok=self.in_place)
            check_writable(self.path, self.shown, self.option)
            if self.in_place:
                marker = read_marker(self.target) if self.existed else {}
                marker.pop("finished", None)  # until this invocation finishes
                write_marker(self.target, {**marker, "command": self.command, "run_id": self.run_id})
            elif self.existed and not stage_inside(self.target) and not os.access(self.target.parent, os.W_OK):
                raise AdoptsimError(f"{self.option} {self.shown}: cannot replace it (its folder is read-only)")
        except OSError as err:
            self.abandon()
            raise cannot_write(self.shown, self.option, err) from None
        except BaseException:
            self.abandon()
            raise
        return self

    def check_owner(self) -> bool:
        """Whether the target holds this command's results; refuse anyone else's unless forced."""
        if not self.existed:
            return False
        owner = read_marker(self.target).get("command")
        if owner == self.command or (owner is None and any((self.target / f).exists() for f in self.owns)):
            if self.resumable and not (self.resume or self.force):  # hours of trials are not replaced by a typo
                raise AdoptsimError(
                    f"{self.option} {self.shown}: holds an earlier {self.command} study; add --resume to continue "
                    f"it, --force to replace it when this one ends, or choose another {self.option}"
                )
            return True
        if self.force:
            return False
        whose = f"the results of adoptsim {owner}" if owner else "files adoptsim did not write"
        shown = ", ".join(content(self.target)[:3])
        raise AdoptsimError(
            f"{self.option} {self.shown}: holds {whose} ({shown}); choose another {self.option}, "
            f"or add --force to replace the folder"
        )

    def staging_path(self) -> Path:
        tag = f"{os.getpid()}-{self.run_id[:8]}"
        if stage_inside(self.target):
            return self.target / f"{INSIDE}staging-{tag}"
        return self.target.parent / f".{self.target.name}.partial-{tag}"

    def done(self) -> None:
        """Every file is written: the folder is committed however the command now ends."""
        self.completed = True

    # -- leaving: commit or discard, unlock ------------------------------------------------------
    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        with signals_held():  # committed or undone, and unlocked, whole; a signal meanwhile waits
            try:
                if self.in_place:
                    self.finish_in_place(self.completed)
                elif self.completed:
                    self.commit()
            finally:
                self.abandon()

    def left_as(self) -> str:
        """What a command cut short leaves in the target, said for its message (after `__exit__`)."""
        if self.in_place and content(self.target):
            return f"what it saved is kept in {self.shown}; run again with --resume"
        if self.existed:
            return f"the previous contents of {self.shown} are unchanged"
        return f"nothing was written to {self.shown}"

    def finish_in_place(self, success: bool) -> None:
        if success:  # a study cut short stays in place, to be resumed
            marker = read_marker(self.target)
            write_marker(self.target, {**marker, "finished": _now()})
            self.committed = True
        elif not self.existed and not self.keep():
            shutil.rmtree(self.target, ignore_errors=True)

    def commit(self) -> None:
        write_marker(
            self.path, {"command": self.command, "run_id": self.run_id, "finished": _now(), "files": listing(self.path)}
        )
        try:
            self._swap()  # under `__exit__`'s signals_held: in place and marked so, or not at all
        except OSError as err:
            raise cannot_write(self.shown, self.option, err) from None

    def _swap(self) -> None:
        if self.path.parent == self.target:
            try:
                swap_inside(self.target, self.path)
            finally:  # an exception half-way: finish or undo the swap now, as a kill's next command would
                recover(self.target)
                self.committed = read_marker(self.target).get("run_id") == self.run_id
        elif self.target.exists():
            old = self.target.parent / f".{self.target.name}.old-{self.run_id[:8]}"
            os.rename(self.target, old)
            try:
                os.rename(self.path, self.target)
            except BaseException:  # the new folder did not go in: the old one comes back
                os.rename(old, self.target)
                raise
            self.committed = True
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.path, self.target)
            self.committed = True

    def abandon(self) -> None:
        if not self.in_place and self.path != self.target:
            shutil.rmtree(self.path, ignore_errors=True)
        self.lock.__exit__()


def check_writable(folder: Path, target: Path, option: str) -> None:
    try:
        probe = folder / f"{INSIDE}write-check-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise cannot_write(target, option, err) from None


def write_marker(folder: Path, marker: dict) -> None:
    from adoptsim.results.store import write_text

    write_text(folder / MARKER, json.dumps(marker, indent=1, sort_keys=True))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_files(folder: Path, written: list[Path]) -> None:
    """Record files written later into a finished folder (the report of `adoptsim report DIR`)."""
    marker = read_marker(folder)
    if isinstance(marker.get("files"), dict):
        marker["files"].update({str(p.relative_to(folder)): digest(p) for p in written})
        write_marker(folder, marker)
