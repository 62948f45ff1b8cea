"""Loading scenario files: YAML through the guard (yaml_guard.py), `extends:`, `--set` (paths.py),
validation with one line per problem.

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
from adoptsim.scenario.paths import parse_override, set_path
from adoptsim.scenario.schema import did_you_mean, unknown_hint
from adoptsim.scenario.spec import Scenario
from adoptsim.scenario.yaml_guard import read_yaml

_TYPE_TAGS = frozenset(INTERVENTION_TYPES)


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


def read_with_extends(
    path: Path, shown: str, chain: tuple[Path, ...] = (), origins: dict[str, str] | None = None
) -> dict[str, Any]:
    """The raw mapping of a scenario file with its `extends:` chain merged underneath.

    A problem in a file it extends is reported against this file: `a.yaml: extends: b.yaml: ...`.
    `origins`, when given, is filled with the file (as shown) that last set each dotted field.
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
    if parent is not None:
        if not isinstance(parent, str) or not parent or "\x00" in parent:
            raise ScenarioError(shown, "extends", "must be a file path")
        if Path(parent).suffix.lower() not in (".yaml", ".yml") and _is_file(path.parent / parent):
            raise ScenarioError(shown, "extends", f"{parent} is not a scenario file (a .yaml or .yml file)")
        try:
            base = read_with_extends(path.parent / parent, str(Path(shown).parent / parent), chain + (real,), origins)
        except ScenarioError as err:
            raise err.within(shown, "extends") from None
    if origins is not None:
        _record(origins, data, shown)
    return data if parent is None else deep_merge(base, data)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long: reading it says so
        return False


SET = "--set"
"""The origin of a field given on the command line (`--set FIELD=VALUE`), for its problems' lines."""


def _record(origins: dict[str, str], data: dict[str, Any], shown: str, prefix: str = "") -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        for inner in [k for k in origins if k.startswith(f"{dotted}.")] if not isinstance(value, dict) else []:
            del origins[inner]  # replaced whole (a list, a value): nothing below it is the parent's
        origins[dotted] = shown
        if isinstance(value, dict):
            _record(origins, value, shown, f"{dotted}.")


def attributed(err: ScenarioError, origins: dict[str, str], shown: str) -> ScenarioError:
    """Problems of fields set in an extended file, named by that file: `a.yaml: extends: b.yaml: f: ...`
    (unless this file set something in the same section: `network.generator` here makes the
    parent's `network.params.k` this file's problem)."""
    problems = []
    for path, problem in err.problems:
        parts = path.split("[", 1)[0].split(".")
        origin = next((origins[k] for i in range(len(parts), 0, -1) if (k := ".".join(parts[:i])) in origins), shown)
        if origin == SET:  # a mistyped override is the command line's, not the file's
            problems.append((f"{SET} {path}", problem))
            continue
        if any(o == shown and k.split(".")[0] == parts[0] for k, o in origins.items()):
            origin = shown
        problems.append((path, problem) if origin == shown else ("extends", f"{origin}: {path}: {problem}"))
    return ScenarioError.listing(err.source, problems)


def format_validation_error(err: dict[str, Any]) -> tuple[str, str]:
    """One pydantic error as (field path, problem), in the words of docs/scenario-format.md."""
    loc = list(err["loc"])
    # A discriminated union adds the type tag after the list index: drop it from the path.
    if len(loc) >= 3 and loc[0] == "interventions" and isinstance(loc[1], int) and loc[2] in _TYPE_TAGS:
        del loc[2]
    ctx = err.get("ctx") or {}
    hint = unknown_hint(err)
    path = ""
    for item in loc:
        path += f"[{item}]" if isinstance(item, int) else (f".{item}" if path else str(item))
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if hint is not None:
        message = f"unknown field ({hint})"
    elif err["type"] == "union_tag_invalid":
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
        if "input" in err and not isinstance(err["input"], (dict, list)):
            message += f" (got {_shown_input(err['input'])})"
    # A model-level problem may carry its own sub-path, e.g. "interventions[x].start: ...".
    if ": " in message and re.match(r"^[\w\[\]\.\-+]+: ", message):
        sub, message = message.split(": ", 1)
        path = f"{path}{'' if sub.startswith('[') else '.'}{sub}" if path else sub
    return path, message


def _shown_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def network_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Problems of the network spec found before building it; types the generator's parameters.

    The typed parameters replace the given ones (`k: 10.0` from a design table becomes 10), so
    the generator receives exactly what was checked.
    """
    from adoptsim.world.generator_params import file_problems, implementation_problems, size_problems, typed_params

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
    from adoptsim.scenario.footprint import memory_problem

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
    origins: dict[str, str] = {}
    data = read_with_extends(path, shown, origins=origins)
    for text in overrides or []:
        try:
            key, value = parse_override(text)
            set_path(data, key, value)
        except ValueError as err:
            raise ScenarioError(shown, "", str(err)) from None
        _record(origins, {key: value}, SET)
    try:
        return validate_scenario(data, shown, allow_large)
    except ScenarioError as err:
        raise attributed(err, origins, shown) from None


def scenario_to_yaml(scenario: Scenario) -> str:
    """Every field, defaults filled: enough to repeat the run."""
    data = json.loads(scenario.model_dump_json())
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
