"""Reading scenario and experiment files: one guard between the user's bytes and the schema.

`read_yaml` turns every way a file can fail to be read or parsed into a `ScenarioError` line
(missing, unreadable, too large, not UTF-8, bad YAML, a tag that cannot be constructed such as
`!!float abc` or the date 2026-13-45, duplicate keys, nesting deeper than `MAX_DEPTH`, aliases
expanding past `MAX_VALUES` values). It uses libyaml's parser when PyYAML was built with it.
`load_scenario` merges the `extends:` chain, applies `--set` overrides and validates, listing
every problem of the file, one line each; problems inside an `extends` target name the chain.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from adoptsim.errors import ScenarioError
from adoptsim.interventions import INTERVENTION_TYPES
from adoptsim.scenario import Scenario
from adoptsim.schema import did_you_mean

MAX_FILE_BYTES = 4 * 2**20
"""Scenario and experiment files are a few kilobytes; anything this large is a mistake."""
MAX_DEPTH = 48
"""Deepest nesting of mappings and lists (the schema needs about 8)."""
MAX_VALUES = 100_000
"""Values in a file once aliases are expanded (guards against alias bombs)."""

_TYPE_TAGS = frozenset(INTERVENTION_TYPES)
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


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """`top` over `base`: mappings merge key by key, anything else (lists too) is replaced."""
    merged = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _resolve_relative_paths(data: dict[str, Any], folder: Path) -> None:
    network = data.get("network")
    if isinstance(network, dict) and isinstance(network.get("file"), str):
        network["file"] = str((folder / network["file"]).resolve())


def read_with_extends(path: Path, shown: str, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The raw mapping of a scenario file with its `extends:` chain merged underneath.

    A problem in a file it extends is reported against this file: `a.yaml: extends: b.yaml: ...`.
    """
    try:
        real = path.resolve()
        if real in chain:
            raise ScenarioError(shown, "extends", "circular extends chain")
        data = read_yaml(path, shown)
        _resolve_relative_paths(data, path.parent)
    except OSError as err:
        raise ScenarioError(shown, "", f"cannot be read ({err.strerror or err})") from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(shown, "extends", "must be a file path")
    try:
        base = read_with_extends(path.parent / parent, str(Path(shown).parent / parent), chain + (real,))
    except ScenarioError as err:
        raise err.within(shown, "extends") from None
    return deep_merge(base, data)


_INDEX = re.compile(r"^(?P<key>[^\[\]]+)(\[(?P<index>[^\]]+)\])?$")


def split_path(dotted: str) -> list[str | int]:
    """`interventions[referral].reward` -> ['interventions', 'referral'-selector, 'reward']."""
    parts: list[str | int] = []
    for piece in dotted.split("."):
        match = _INDEX.match(piece)
        if not match:
            raise ValueError(f"cannot read the path '{dotted}'")
        parts.append(match["key"])
        if match["index"] is not None:
            index = match["index"]
            parts.append(int(index) if index.lstrip("-").isdigit() else f"[{index}]")
    return parts


def _list_item(items: list[Any], selector: str | int, where: str) -> int:
    if isinstance(selector, int):
        if not -len(items) <= selector < len(items):
            raise ValueError(f"{where}: index {selector} out of range (0..{len(items) - 1})")
        return selector
    name = selector[1:-1]
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    types = [item.get("type") if isinstance(item, dict) else None for item in items]
    for i, (n, t) in enumerate(zip(names, types, strict=True)):
        if n == name or (n is None and t == name):
            return i
    valid = [str(n or t) for n, t in zip(names, types, strict=True)]
    raise ValueError(f"{where}: no item named '{name}' ({did_you_mean(name, valid)})")


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `value` at a dotted path; list items by index or by name (`interventions[name]`)."""
    parts = split_path(dotted)
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(str(p) for p in parts[: depth + 1])
        if isinstance(node, list):
            index = _list_item(node, part, where)
            if last:
                node[index] = value
            else:
                node = node[index]
            continue
        if not isinstance(node, dict):
            raise ValueError(f"{where}: cannot set a field inside a {type(node).__name__}")
        if last:
            node[part] = value
            continue
        following = parts[depth + 1]
        selects_item = isinstance(following, int) or str(following).startswith("[")
        if part not in node and selects_item:
            raise ValueError(f"{where}: there is no list here to pick {following} from")
        node = node.setdefault(part, {})


def get_path(data: Any, dotted: str) -> Any:
    """The value at a dotted path (list items by index or by name, as `set_path`); None where a
    field is absent."""
    node: Any = data
    parts = split_path(dotted)
    for depth, part in enumerate(parts):
        if isinstance(node, list):
            node = node[_list_item(node, part, ".".join(str(p) for p in parts[: depth + 1]))]
        elif isinstance(node, dict):
            node = node.get(part)
        if node is None:
            return None
    return node


def parse_override(text: str) -> tuple[str, Any]:
    """`a.b=value` -> ('a.b', YAML-parsed value); values are data, never code. A value the guard
    refuses stays a string, which the schema then rejects with the field's path."""
    if "=" not in text:
        raise ValueError(f"--set {text}: expected FIELD=VALUE, e.g. population.size=5000")
    key, raw = text.split("=", 1)
    try:
        value = parse_yaml(raw, "--set") if raw.strip() else ""
    except ScenarioError:
        value = raw
    return key.strip(), value


def format_validation_error(err: dict[str, Any]) -> tuple[str, str]:
    """One pydantic error as (field path, problem), in the words of docs/scenario-format.md."""
    loc = list(err["loc"])
    # A discriminated union adds the type tag after the list index: drop it from the path.
    if len(loc) >= 3 and loc[0] == "interventions" and isinstance(loc[1], int) and loc[2] in _TYPE_TAGS:
        del loc[2]
    ctx = err.get("ctx") or {}
    if err["type"] == "unknown_field":
        loc.append(ctx["field"])
    path = ""
    for item in loc:
        path += f"[{item}]" if isinstance(item, int) else (f".{item}" if path else str(item))
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if err["type"] == "union_tag_invalid":
        message = (
            f"unknown intervention type '{ctx.get('tag')}' ({did_you_mean(str(ctx.get('tag')), sorted(_TYPE_TAGS))})"
        )
        path += ".type"
    elif err["type"] == "union_tag_not_found":
        message = "every intervention needs a type"
    elif err["type"] == "missing":
        message = "required field is missing"
    else:
        message = f"{message[0].lower()}{message[1:]}"
        if "input" in err and not isinstance(err["input"], (dict, list)) and err["type"] != "unknown_field":
            message += f" (got {_shown_input(err['input'])})"
    # A model-level problem may carry its own sub-path, e.g. "interventions[x].start: ...".
    if ": " in message and re.match(r"^[\w\[\]\.\-+]+: ", message):
        sub, message = message.split(": ", 1)
        path = f"{path}.{sub}" if path else sub
    return path, message


def _shown_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def network_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Problems of the network spec found before building it; types the generator's parameters.

    The typed parameters replace the given ones (`k: 10.0` from a design table becomes 10), so
    the generator receives exactly what was checked.
    """
    from adoptsim.generator_params import file_problems, implementation_problems, size_problems, typed_params

    network, n = scenario.network, scenario.population.size
    if network.file is not None:
        return file_problems(network.file, n)
    name = network.generator_name or ""
    params, problems = typed_params(name, network.params)
    if problems:
        return problems
    network.params = params
    return implementation_problems(name, network.implementation) or size_problems(name, params, n)


def scenario_problems(data: dict[str, Any], allow_large: bool = False) -> tuple[Scenario | None, list[tuple[str, str]]]:
    """The validated scenario and every problem found: schema, network, memory (unless allowed)."""
    from adoptsim.footprint import memory_problem

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        return None, list(dict.fromkeys(format_validation_error(e) for e in err.errors()))
    problems = network_problems(scenario)
    if not problems and not allow_large:
        problems = [p for p in [memory_problem(scenario)] if p]
    return scenario, problems


def validate_scenario(data: dict[str, Any], shown: str, allow_large: bool = False) -> Scenario:
    """Validate a merged mapping; every problem becomes a line of one ScenarioError."""
    scenario, problems = scenario_problems(data, allow_large)
    if problems or scenario is None:
        raise ScenarioError.listing(shown, problems)
    return scenario


def load_scenario(path: str | Path, overrides: list[str] | None = None, allow_large: bool = False) -> Scenario:
    """Read, merge, override and validate a scenario file.

    `allow_large` lets through a run whose memory estimate exceeds what the machine has.
    """
    path = Path(path)
    shown = str(path)
    data = read_with_extends(path, shown)
    for text in overrides or []:
        try:
            key, value = parse_override(text)
            set_path(data, key, value)
        except ValueError as err:
            raise ScenarioError(shown, "", str(err)) from None
    return validate_scenario(data, shown, allow_large)


def scenario_to_yaml(scenario: Scenario) -> str:
    """Every field, defaults filled: enough to repeat the run."""
    data = json.loads(scenario.model_dump_json())
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
