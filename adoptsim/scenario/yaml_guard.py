"""One guard between the user's bytes and the schema: reading YAML files safely.

`read_yaml` turns every way a file can fail to be read or parsed into a `ScenarioError` line
(missing, unreadable, too large, not UTF-8, bad YAML, a tag that cannot be constructed such as
`!!float abc` or the date 2026-13-45, duplicate keys, nesting deeper than `MAX_DEPTH`, aliases
expanding past `MAX_VALUES` values). It uses libyaml's parser when PyYAML was built with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from adoptsim.errors import ScenarioError

MAX_FILE_BYTES = 4 * 2**20
"""Scenario and experiment files are a few kilobytes; anything this large is a mistake."""
MAX_DEPTH = 48
"""Deepest nesting of mappings and lists (the schema needs about 8)."""
MAX_VALUES = 100_000
"""Values in a file once aliases are expanded (guards against alias bombs)."""

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that refuses duplicate keys and reports unreadable scalars with their line."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, TypeError) as err:
            problem = f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]} ({err})"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        return super().construct_mapping(node, deep)


class _LimitError(Exception):
    """A limit of the guard was crossed."""


def _check_nesting(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH from the event stream, before any tree is built."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _LimitError(f"line {mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_expansion(data: Any) -> None:
    """Refuse data that, with aliases expanded, holds more than MAX_VALUES values, nests deeper
    than MAX_DEPTH, or contains itself. Shared nodes are measured once: (values, height)."""
    measured: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def visit(node: Any, depth: int) -> tuple[int, int]:
        if not isinstance(node, (dict, list, tuple, set)):
            return 1, 0
        key = id(node)
        if key in open_nodes:
            raise _LimitError("an alias refers to a mapping or list that contains it")
        if key not in measured:
            if depth > MAX_DEPTH:
                raise _LimitError(f"nested more than {MAX_DEPTH} levels deep once aliases are expanded")
            open_nodes.add(key)
            values, height = 1 + (len(node) if isinstance(node, dict) else 0), 0
            for child in node.values() if isinstance(node, dict) else node:
                size, child_height = visit(child, depth + 1)
                values, height = values + size, max(height, child_height + 1)
                if values > MAX_VALUES:
                    raise _LimitError(f"more than {MAX_VALUES:,} values once aliases are expanded")
            open_nodes.discard(key)
            measured[key] = values, height
        values, height = measured[key]
        if depth + height > MAX_DEPTH:
            raise _LimitError(f"nested more than {MAX_DEPTH} levels deep once aliases are expanded")
        return values, height

    visit(data, 0)


def parse_yaml(text: str, shown: str) -> Any:
    """YAML text to plain data, or one ScenarioError line saying why not."""
    try:
        _check_nesting(text)
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
        _check_expansion(data)
    except _LimitError as err:
        raise ScenarioError(shown, "", f"refused: {err}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = ", ".join(part for part in (err.context, err.problem) if part) or "unreadable"
        raise ScenarioError(shown, "", f"{where}not valid YAML ({problem})") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError, MemoryError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ScenarioError(shown, "", f"not valid YAML ({first})") from None
    return data


def read_yaml(path: Path, shown: str) -> dict[str, Any]:
    """A YAML file's top-level mapping, through the guard."""
    try:
        if not path.is_file():
            raise ScenarioError(shown, "", "not a regular file" if path.exists() else "file not found")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                shown,
                "",
                f"is {size / 2**20:.1f} MB; scenario and experiment files are limited to {MAX_FILE_BYTES / 2**20:g} MB",
            )
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise ScenarioError(shown, "", f"cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(shown, "", f"cannot be read (not UTF-8 text: byte {err.start})") from None
    data = parse_yaml(text, shown)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(shown, "", f"must be a mapping of fields (got a {type(data).__name__})")
    return data
