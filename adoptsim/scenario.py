"""The scenario file format: pydantic models, loading with `extends:`, `--set` overrides.

A scenario is plain data. `load_scenario(path, overrides)` reads YAML safely, deep-merges the
chain of `extends:` files, applies `--set a.b=value` overrides, validates, and turns any mistake
into one `ScenarioError` line: `file: field.path: problem`.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from adoptsim.behaviour import Behaviour
from adoptsim.errors import ScenarioError
from adoptsim.interventions import INTERVENTION_TYPES, InterventionSpec
from adoptsim.schema import (
    Fraction,
    Label,
    NonNegativeInt,
    OpenFraction,
    Positive,
    PositiveInt,
    StrictModel,
    did_you_mean,
)

_TYPE_TAGS = frozenset(INTERVENTION_TYPES)
TRAIT_NAMES = ("trust", "tech_skill", "habit", "income", "online")


MARKET_POTENTIAL_BY_AGE = ((30, 0.97), (45, 0.95), (60, 0.85), (200, 0.60))
"""(middle age below, share in the market): the default ceiling of an age group.

Grounded in China, where mobile payment levelled off near 86.5 % of internet users (CNNIC 47th
report, 2020) and internet use falls with age (over 95 % under 40, under two thirds over 60 in the
same reports); the default is the share of a group with the means to use a wallet at all.
"""


def default_market_potential(middle_age: float) -> float:
    """The default share in the market for an age group with this middle age."""
    return next(share for below, share in MARKET_POTENTIAL_BY_AGE if middle_age < below)


class TraitDistribution(StrictModel):
    """A Beta distribution by its mean and spread: a concentration a + b (higher is narrower)
    or a standard deviation."""

    mean: OpenFraction = Field(description="Mean of the trait in the age group, in (0, 1).")
    concentration: Positive | None = Field(
        None,
        description="Beta concentration a + b; sd = sqrt(mean*(1-mean)/(concentration+1)). "
        "Defaults to population.concentration.",
    )
    sd: Positive | None = Field(None, description="Standard deviation, instead of concentration.")

    @model_validator(mode="after")
    def _spread(self) -> TraitDistribution:
        if self.sd is not None:
            if self.concentration is not None:
                raise ValueError("give concentration or sd, not both")
            ceiling = (self.mean * (1 - self.mean)) ** 0.5
            if self.sd >= ceiling:
                raise ValueError(
                    f"sd: must be below sqrt(mean*(1-mean)) = {ceiling:.3g} for a Beta law (got {self.sd})"
                )
            self.concentration = self.mean * (1 - self.mean) / self.sd**2 - 1
            self.sd = None
        return self


class AgeGroup(StrictModel):
    """An age band with its share of the population and its trait distributions."""

    share: Fraction = Field(description="Share of the population in this age group.")
    ages: tuple[int, int] = Field(description="Youngest and oldest age, inclusive.")
    traits: dict[Literal["trust", "tech_skill", "habit", "income", "online"], TraitDistribution] = Field(
        description="Trait distributions; every trait must be given."
    )
    market_potential: Fraction | None = Field(
        None,
        description="Share of the age group in the market under present conditions (has a smartphone and a "
        "payment account, does not refuse on principle); the rest never adopt unless an intervention brings "
        "them in. Default: by the group's middle age, from CNNIC's internet use by age (see docs/model.md).",
    )

    @property
    def potential(self) -> float:
        """`market_potential`, or the default for the group's middle age."""
        if self.market_potential is not None:
            return self.market_potential
        return default_market_potential((self.ages[0] + self.ages[1]) / 2)

    @model_validator(mode="after")
    def _complete(self) -> AgeGroup:
        missing = [t for t in TRAIT_NAMES if t not in self.traits]
        if missing:
            raise ValueError(f"traits missing: {', '.join(missing)}")
        if self.ages[0] > self.ages[1]:
            raise ValueError(f"ages: youngest ({self.ages[0]}) is above oldest ({self.ages[1]})")
        return self


class Region(StrictModel):
    """A region with its share, shifts of trait means against the age-group means, and media reach."""

    share: Fraction = Field(description="Share of the population living in this region.")
    trait_shift: dict[Literal["trust", "tech_skill", "habit", "income", "online"], float] = Field(
        default_factory=dict, description="Added to each age group's trait mean (clipped to [0.01, 0.99])."
    )
    media_reach: Annotated[float, Field(ge=0)] = Field(
        1.0, description="Multiplier on p_media: how well mass media reach this region."
    )
    market_potential: Fraction = Field(
        1.0,
        description="Multiplier on the age groups' market potential in this region (e.g. 0.88 for rural "
        "China: 79.0 % against 89.9 % urban mobile-payment use in 2020, CNNIC 47th report).",
    )


class Population(StrictModel):
    """Who the consumers are: size, age groups, regions, traits, competitor use."""

    size: PositiveInt = Field(description="Number of consumers.")
    age_groups: dict[str, AgeGroup] = Field(description="Age groups by label, e.g. '18-29'.")
    regions: dict[str, Region] = Field(description="Regions by label, e.g. 'urban', 'rural'.")
    concentration: Positive = Field(10.0, description="Default Beta concentration of every trait.")
    competitor_share: Fraction = Field(0.10, description="Share already using a rival wallet.")

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Population:
        for label, groups in (("age_groups", self.age_groups), ("regions", self.regions)):
            if not groups:
                raise ValueError(f"{label}: at least one is needed")
            total = sum(g.share for g in groups.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"{label}: shares must sum to 1 (got {total:g})")
        return self


class Homophily(StrictModel):
    """Share of ties redirected to someone of the same age group / region (0 = none, 1 = all)."""

    age_group: Fraction = Field(0.0, description="Chance a cross-age-group tie is redirected within the age group.")
    region: Fraction = Field(0.0, description="Chance a cross-region tie is redirected within the region.")


GENERATOR_NAMES = (
    "watts_strogatz_graph",
    "newman_watts_strogatz_graph",
    "connected_watts_strogatz_graph",
    "erdos_renyi_graph",
    "gnp_random_graph",
    "fast_gnp_random_graph",
    "gnm_random_graph",
    "barabasi_albert_graph",
    "powerlaw_cluster_graph",
    "random_regular_graph",
    "complete_graph",
    "empty_graph",
)
"""networkx generators a scenario may name (with or without the `_graph` suffix)."""


class Network(StrictModel):
    """The social graph: a generator by name with parameters, or a file."""

    generator: str | None = Field(
        "watts_strogatz_graph", description="networkx generator name (see docs/scenario-format.md)."
    )
    params: dict[str, Any] = Field(
        default_factory=lambda: {"k": 10, "p": 0.1}, description="Generator parameters, n excluded."
    )
    file: str | None = Field(None, description="Edge list (.edgelist, .txt, .csv) or GraphML file.")
    implementation: Literal["auto", "networkx", "fast"] = Field(
        "auto", description="auto: adoptsim's vectorized generator when it has one, else networkx."
    )
    homophily: Homophily = Field(default_factory=Homophily)

    @model_validator(mode="after")
    def _one_source(self) -> Network:
        if self.file is not None:
            self.generator = None
        elif self.generator is None:
            raise ValueError("give either generator or file")
        else:
            name = self.generator if self.generator.endswith("_graph") else f"{self.generator}_graph"
            if name not in GENERATOR_NAMES:
                raise ValueError(
                    f"generator: unknown generator '{self.generator}' ({did_you_mean(self.generator, GENERATOR_NAMES)})"
                )
            self.generator = name
        return self


class Merchants(StrictModel):
    """The merchants consumers pay at, and the wallet's acceptance online."""

    count: NonNegativeInt = Field(400, description="Number of merchants (spread over regions by population).")
    categories: dict[str, Fraction] = Field(
        default_factory=lambda: {"grocery": 0.4, "restaurant": 0.3, "retail": 0.3},
        description="Merchant categories and their shares.",
    )
    per_consumer: PositiveInt = Field(5, description="Merchants each consumer shops at (in their region).")
    initial_acceptance: Fraction = Field(0.15, description="Share of merchants accepting the wallet at the start.")
    online_acceptance: Fraction = Field(0.5, description="Share of online shopping where the wallet is accepted.")

    @model_validator(mode="after")
    def _category_shares(self) -> Merchants:
        total = sum(self.categories.values())
        if self.categories and abs(total - 1.0) > 1e-6:
            raise ValueError(f"categories: shares must sum to 1 (got {total:g})")
        return self


class Scenario(StrictModel):
    """One scenario: population, network, merchants, behaviour and interventions."""

    name: Label = Field(description="Short name; results go to results/<name>/ by default.")
    description: str = Field("", description="What the scenario represents.")
    seed: NonNegativeInt = Field(0, description="Seed of every random stream.")
    steps: PositiveInt = Field(104, description="Number of steps (weeks) to run.")
    population: Population
    network: Network = Field(default_factory=Network)
    merchants: Merchants = Field(default_factory=Merchants)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    interventions: list[InterventionSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _interventions_fit(self) -> Scenario:
        names: set[str] = set()
        for i, iv in enumerate(self.interventions):
            if iv.name is None:
                iv.name = f"{iv.type}_{i}"
            if iv.name in names:
                raise ValueError(f"interventions[{i}].name: '{iv.name}' is used twice")
            names.add(iv.name)
            problem = iv.check_against(self)
            if problem:
                raise ValueError(f"interventions[{i}].{problem}")
        return self


# ---------------------------------------------------------------- loading


def read_yaml(path: Path, shown: str) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError(shown, "", "file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(shown, "", f"{where}not valid YAML ({problem})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(shown, "", f"cannot be read ({err})") from None
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
    """The raw mapping of a scenario file with its `extends:` chain merged underneath."""
    real = path.resolve()
    if real in chain:
        raise ScenarioError(shown, "extends", "circular extends chain")
    data = read_yaml(path, shown)
    _resolve_relative_paths(data, path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(shown, "extends", "must be a file path")
    parent_path = path.parent / parent
    parent_shown = str(Path(shown).parent / parent)
    if not parent_path.is_file():
        raise ScenarioError(shown, "extends", f"file not found: {parent_shown}")
    base = read_with_extends(parent_path, parent_shown, chain + (real,))
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


def parse_override(text: str) -> tuple[str, Any]:
    """`a.b=value` -> ('a.b', YAML-parsed value); values are data, never code."""
    if "=" not in text:
        raise ValueError(f"--set {text}: expected FIELD=VALUE, e.g. population.size=5000")
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
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
            message += f" (got {err['input']!r})"
    # A model-level problem may carry its own sub-path, e.g. "interventions[x].start: ...".
    if ": " in message and re.match(r"^[\w\[\]\.\-+]+: ", message):
        sub, message = message.split(": ", 1)
        path = f"{path}.{sub}" if path else sub
    return path, message


def validate_scenario(data: dict[str, Any], shown: str) -> Scenario:
    """Validate a merged mapping; the first problem becomes a one-line ScenarioError."""
    from adoptsim.network import check_network  # network builds on this module's types

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        path, message = format_validation_error(err.errors()[0])
        raise ScenarioError(shown, path, message) from None
    problem = check_network(scenario.network)
    if problem:
        raise ScenarioError(shown, *problem)
    return scenario


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, merge, override and validate a scenario file."""
    path = Path(path)
    shown = str(path)
    data = read_with_extends(path, shown)
    for text in overrides or []:
        try:
            key, value = parse_override(text)
            set_path(data, key, value)
        except ValueError as err:
            raise ScenarioError(shown, "", str(err)) from None
    return validate_scenario(data, shown)


def scenario_to_yaml(scenario: Scenario) -> str:
    """Every field, defaults filled: enough to repeat the run."""
    data = json.loads(scenario.model_dump_json())
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editor autocompletion."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "adoptsim scenario"
    return schema
