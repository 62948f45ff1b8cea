"""What differs between two scenarios once `extends` and defaults are resolved (`adoptsim diff`).

Both files are loaded as a run would load them and dumped as plain data; the two trees are walked
together. A difference is reported at the deepest field where the values part, with the dotted
path `--set` reads. Lists of named mappings (the interventions) are matched by name, so an entry is
added, removed or changed field by field wherever it sits in the list; a change of order among
the entries both files share is one more line. Any other list is a value.

Exit codes follow diff(1): 0 the scenarios are the same, 1 they differ, 2 a file has a mistake.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ABSENT = object()
"""Stands for a field one side does not have."""


@dataclass(frozen=True)
class Difference:
    """One field path whose value differs: `old` in the first scenario, `new` in the second."""

    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        if self.old is ABSENT:
            return f"{self.path}: added {show(_given(self.new))}"
        if self.new is ABSENT:
            return f"{self.path}: removed {show(_given(self.old))}"
        return f"{self.path}: {show(self.old)} -> {show(self.new)}"


def show(value: Any) -> str:
    """A value as one line of JSON (which `--set` reads as YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _given(value: Any) -> Any:
    """A mapping without its unset (null) fields, to keep an added or removed entry to one short line."""
    if isinstance(value, dict):
        return {k: _given(v) for k, v in value.items() if v is not None and _given(v) != {}}
    return value


def resolved(path: str | Path) -> dict[str, Any]:
    """A scenario file as plain data: extends merged, every default filled in."""
    from adoptsim.scenario.loading import load_scenario

    return json.loads(load_scenario(path).model_dump_json())


def _named(items: list[Any]) -> dict[str, Any] | None:
    """The items by name, if every item is a mapping with a distinct name (an empty list has none)."""
    if not all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in items):
        return None
    by_name = {item["name"]: item for item in items}
    return by_name if len(by_name) == len(items) else None


def differences(old: Any, new: Any, path: str = "") -> list[Difference]:
    """Every field path where `old` and `new` differ, in the order of `old` then `new`."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in [*old, *(k for k in new if k not in old)]:
            below = f"{path}.{key}" if path else str(key)
            found += differences(old.get(key, ABSENT), new.get(key, ABSENT), below)
        return found
    if isinstance(old, list) and isinstance(new, list):
        old_named, new_named = _named(old), _named(new)
        if old_named is not None and new_named is not None:
            return _named_differences(old_named, new_named, path)
    return [] if old == new else [Difference(path, old, new)]


def _named_differences(old: dict[str, Any], new: dict[str, Any], path: str) -> list[Difference]:
    found = []
    for name in [*old, *(n for n in new if n not in old)]:
        found += differences(old.get(name, ABSENT), new.get(name, ABSENT), f"{path}[{name}]")
    old_order = [n for n in old if n in new]
    new_order = [n for n in new if n in old]
    if old_order != new_order:
        found.append(Difference(f"{path} (order)", old_order, new_order))
    return found


def diff_files(first: str | Path, second: str | Path) -> list[Difference]:
    """The differences between two scenario files (ScenarioError if either has a mistake)."""
    return differences(resolved(first), resolved(second))


def arguments(parser: argparse.ArgumentParser) -> None:
    """`adoptsim diff OLD NEW`'s arguments."""
    parser.description = (
        "List the fields that differ between two scenarios after extends and defaults are resolved, "
        "one line per field path (old -> new); interventions are matched by name. Exit code as diff(1): "
        "0 same, 1 different, 2 a file has a mistake."
    )
    parser.add_argument("first", help="scenario YAML file (old)")
    parser.add_argument("second", help="scenario YAML file (new)")


def command(args: argparse.Namespace) -> int:
    """`adoptsim diff A B`: print the differences; exit 0 if none, 1 if any."""
    text, code = report(args.first, args.second)
    print(text)
    return code


def report(first: str, second: str) -> tuple[str, int]:
    """The text `adoptsim diff` prints and its exit code (0 same, 1 different)."""
    found = diff_files(first, second)
    if not found:
        return f"no differences between {first} and {second}", 0
    lines = [f"--- {first}", f"+++ {second}", *map(str, found)]
    lines.append(f"{len(found)} difference{'s' if len(found) != 1 else ''}")
    return "\n".join(lines), 1
