"""Where "save scenario" may write, and what the file and its scenario are called.

The page takes a file *name*, never a path: the file goes into one of two folders the app chose
(`results/app/` under where the app was started, or the loaded scenario's own folder), so a typed
`../..`, an absolute path or a new folder cannot take it anywhere else. An existing file is
replaced only when the person said so (the page asks). The default name is the base's name and
its changes (`referral_q_wom_0.03_reward_15`), made free by a suffix if taken, and it is also the
saved scenario's `name`, so its run goes to `results/<that name>/`, not over the base's results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_FOLDER = Path("results") / "app"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
MOST_CHANGES_NAMED = 3
LONGEST_STEM = 80


class SaveRefusedError(ValueError):
    """A save the app will not do, with the reason in one line for the page."""


@dataclass(frozen=True)
class Folder:
    label: str
    path: Path


def save_folders(scenario_file: str | Path | None) -> list[Folder]:
    """The folders a save may go to: the results folder first, then the scenario's own."""
    folders = [Folder(f"results folder ({RESULTS_FOLDER}/)", RESULTS_FOLDER)]
    if scenario_file is not None:
        own = Path(scenario_file).resolve().parent
        folders.append(Folder(f"the scenario's folder ({own.name}/)", own))
    return folders


def _short(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "+".join(_short(v) for v in value) or "none"
    return str(value)


def _field(path: str) -> str:
    """The part of a path that says what changed: `interventions[refer].reward` -> `refer_reward`,
    `population.age_groups.60+.traits.trust.mean` -> `60+_trust`, `behaviour.q_wom` -> `q_wom`."""
    path = re.sub(r"^interventions\[([^\]]+)\]\.", r"\1_", path)
    path = re.sub(r"^population\.age_groups\.([^.]+)\.traits\.([^.]+)\.mean$", r"\1_\2", path)
    path = re.sub(r"^(behaviour|population|budget)\.", "", path)
    return path.replace("target.", "").replace(".", "_")


def change_words(changes: dict[str, Any], added: list[str], removed: list[str]) -> list[str]:
    """One short word group per change, in the order made: `no_classes`, `plus_signup_bonus_1`,
    `q_wom_0.03`."""
    words = [f"no_{name}" for name in removed] + [f"plus_{name}" for name in added]
    return words + [f"{_field(path)}_{_short(value)}" for path, value in changes.items()]


def default_stem(base_name: str, words: list[str], folder: Path) -> str:
    """`<base>_<first changes>[_and_N_more]`, cut to a readable length, free in `folder`."""
    named = words[:MOST_CHANGES_NAMED]
    more = len(words) - len(named)
    stem = "_".join([base_name, *named] if named else [base_name, "copy"])
    stem = re.sub(r"[^A-Za-z0-9_.+-]", "-", stem)[:LONGEST_STEM].rstrip("._-")
    if more:
        stem += f"_and_{more}_more"
    candidate, number = stem, 2
    while (folder / f"{candidate}.yaml").exists():
        candidate, number = f"{stem}_{number}", number + 1
    return candidate


def save_target(folder: Path, typed: str, base_name: str, overwrite: bool = False) -> tuple[Path, str]:
    """The file to write for a typed name in an allowed folder, and the scenario name it gets.

    SaveRefusedError when the name is a path or not a plain name, when it is the base's own name
    (its results would replace the base's), or when the file exists and `overwrite` is not set.
    """
    typed = typed.strip()
    if "/" in typed or "\\" in typed or typed.startswith("~"):
        raise SaveRefusedError(f"'{typed}' is a path: type a file name only; it is saved in {folder}/")
    stem = typed[: -len(".yaml")] if typed.endswith(".yaml") else typed
    if not NAME.fullmatch(stem) or stem in (".", ".."):
        raise SaveRefusedError(
            f"'{typed}' is not a file name: use letters, digits and _ . + - (starting with one of the first two)"
        )
    if stem == base_name:
        raise SaveRefusedError(
            f"'{stem}' is the base scenario's name: its run would replace results/{base_name}/; choose another"
        )
    target = folder / f"{stem}.yaml"
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise SaveRefusedError(f"{target} is not a plain file: choose another name")
    if target.exists() and not overwrite:
        raise SaveRefusedError(f"{target} exists: press 'Overwrite' to replace it, or choose another name")
    return target, stem
