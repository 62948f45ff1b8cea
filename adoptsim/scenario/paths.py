"""Parameter paths: `behaviour.q_wom`, `interventions[referral].reward`, `network.params.k`.

The one parser of dotted paths (`split_path`) and what is done with them: read (`get_path`),
write (`set_path`, `--set` through `parse_override`), and check against a resolved scenario
(`path_problem`, naming valid neighbours). List items are picked by index or by name.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel

from adoptsim.errors import ScenarioError
from adoptsim.scenario.schema import MONEY, did_you_mean
from adoptsim.scenario.yaml_guard import parse_yaml

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


def holds_money(scenario: BaseModel, dotted: str) -> bool:
    """Whether the field at a dotted path of a validated scenario holds money (its type is marked
    `schema.MONEY`: an intervention's costs and rewards, budgets, payment values), so that an axis
    or a table of it can name the currency. False for a path that is not a field of the scenario."""
    node: Any = scenario  # a model, its class where the scenario leaves the block out, or a list
    parts = split_path(dotted)
    for depth, part in enumerate(parts):
        if isinstance(node, list):
            named = [{"name": getattr(item, "name", None), "type": getattr(item, "type", None)} for item in node]
            try:
                node = node[_list_item(named, part, dotted)]
            except ValueError:
                return False
            continue
        model = node if isinstance(node, type) else type(node)
        if not issubclass(model, BaseModel) or not isinstance(part, str) or part not in model.model_fields:
            return False
        field = model.model_fields[part]
        if depth == len(parts) - 1:
            return MONEY in field.metadata or _marked(field.annotation)
        value = None if isinstance(node, type) else getattr(node, part)
        node = value if value is not None else _model_in(field.annotation)  # e.g. `budget:` not in the file
        if node is None:
            return False
    return False


def _marked(annotation: Any) -> bool:
    """Whether a type, or a type inside it (`Money | None`), carries the money mark."""
    if typing.get_origin(annotation) is typing.Annotated and MONEY in annotation.__metadata__:
        return True
    return any(_marked(inner) for inner in typing.get_args(annotation))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class an optional block's type names (`Budget | None` -> Budget), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = [model for inner in typing.get_args(annotation) if (model := _model_in(inner)) is not None]
    return found[0] if len(found) == 1 else None


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


LEVERS = ("interventions", "budget")
"""Paths of what buys the interventions (their fields, the shared budget); every other path is the market."""

FREE_FORM = {"params"}
"""Mappings whose keys are not fixed by the schema (a generator's parameters)."""
SEED_PROBLEM = (
    "the seed is not a parameter: every point runs the same replication seeds; "
    "set the file's own seed, or more replications"
)


def path_problem(resolved: dict[str, Any], dotted: str) -> str | None:
    """A problem with a parameter path against a resolved scenario (a mapping), naming valid
    neighbours; None if the path is there. The seed is not a parameter: every point of a design
    runs the same replication seeds (common random numbers), so varying it would change nothing."""
    if dotted == "seed":
        return SEED_PROBLEM
    node: Any = resolved
    walked: list[str] = []
    for part in split_path(dotted):
        here = ".".join(walked) or "the top level"
        if isinstance(node, list):
            names = [str(item.get("name")) for item in node if isinstance(item, dict)]
            if isinstance(part, int):
                if not -len(node) <= part < len(node):
                    return f"index {part} out of range under {here} (0..{len(node) - 1})"
                node = node[part]
            else:
                name = str(part)[1:-1]
                if name not in names:
                    return f"no item named '{name}' under {here} (valid: {', '.join(names) or 'none'})"
                node = node[names.index(name)]
            walked[-1] += f"[{part if isinstance(part, int) else name}]"
            continue
        if not isinstance(node, dict):
            return f"{here} is a value, not a mapping"
        if part not in node:
            if walked and walked[-1] in FREE_FORM:
                return None
            return f"no field '{part}' under {here} (valid: {', '.join(map(str, node))})"
        node = node[part]
        walked.append(str(part))
    return None
