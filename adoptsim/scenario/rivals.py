"""The `rivals:` list of a scenario file: rival wallets that compete with the focal one.

A rival with only a name is the focal wallet's twin (same media rate, word of mouth, ease,
merchant uptake, no users at the start): every field left out takes the focal wallet's value.
docs/rivals.md gives the rules these fields enter.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, ValidationInfo, WithJsonSchema

from adoptsim.interventions.targeting import Target
from adoptsim.scenario.behaviour import Behaviour
from adoptsim.scenario.schema import Fraction, Label, NonNegative, NonNegativeInt, PositiveInt, StrictModel

FOCAL = "focal"
"""The name the outputs give the scenario's own wallet."""

MERCHANT_RULE = ("r_m", "g0", "g1")
AWARENESS_RULE = ("p_media", "q_wom")


def _by_age_group(low: float | None, high: float | None):
    """A number, or a mapping age-group label -> number, each within [low, high] when given."""

    def number(value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise ValueError(f"{where}must be a number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{where}must be between {low:g} and {high:g}" + (f" (got {value})" if where else ""))
        return float(value)

    def check(value: Any) -> float | dict[str, float]:
        if isinstance(value, dict):
            return {str(label): number(v, f"{label}: ") for label, v in value.items()}
        return number(value, "")

    bounds = {"minimum": low, "maximum": high} if low is not None else {}
    schema = {
        "anyOf": [
            {"type": "number", **bounds},
            {"type": "object", "additionalProperties": {"type": "number", **bounds}},
        ]
    }
    return PlainValidator(check), WithJsonSchema(schema)


ShareByAgeGroup = Annotated[float | dict[str, float], *_by_age_group(0.0, 1.0)]
"""A share in [0, 1], or one per age-group label."""
ShiftByAgeGroup = Annotated[float | dict[str, float], *_by_age_group(None, None)]
"""A utility shift, or one per age-group label."""


class RivalCampaign(StrictModel):
    """A rival's own marketing push: its media rate and word of mouth multiplied in a window."""

    start: NonNegativeInt = Field(0, description="First step of the campaign.")
    duration: PositiveInt | None = Field(None, description="Steps it lasts (default: to the end).")
    media: NonNegative = Field(2.0, description="Multiplier on the rival's media rate for those targeted.")
    wom: NonNegative = Field(1.0, description="Multiplier on the rival's word of mouth for those targeted.")
    target: Target = Field(default_factory=Target, description="Who it reaches (age_groups, regions, ...).")

    def is_on(self, step: int) -> bool:
        return self.start <= step and (self.duration is None or step < self.start + self.duration)


class RivalSpec(StrictModel):
    """One rival wallet: its awareness, appeal, users at the start and merchant acceptance."""

    name: Label = Field(description="Short name, used in output columns (share_market_<name>, ...).")
    description: str = Field("", description="What the rival stands for.")
    p_media: Fraction | None = Field(None, description="Its media rate per step (default: behaviour.p_media).")
    q_wom: Fraction | None = Field(
        None, description="Its word of mouth per active neighbour (default: behaviour.q_wom)."
    )
    appeal: ShiftByAgeGroup = Field(
        0.0,
        description="Added to its adoption utility against the focal wallet's (its own selling point); "
        "one number, or one per age group (missing groups: 0).",
    )
    ease: NonNegative | None = Field(None, description="Its product ease (default: behaviour.ease).")
    trust_shift: float = Field(
        0.0, description="Consumers' trust in it at the start: their trust in the focal wallet plus this, in [0, 1]."
    )
    users: ShareByAgeGroup = Field(
        0.0,
        description="Share of consumers in the market who use it at the start; one number, or one per age "
        "group (missing groups: 0).",
    )
    aware: Fraction = Field(0.0, description="Share of the other consumers aware of it at the start.")
    habit: Fraction = Field(0.5, description="Wallet habit of its users at the start.")
    initial_acceptance: Fraction | None = Field(
        None, description="Share of merchants accepting it at the start (default: merchants.initial_acceptance)."
    )
    online_acceptance: Fraction | None = Field(
        None, description="Share of online shopping where it is accepted (default: merchants.online_acceptance)."
    )
    r_m: Fraction | None = Field(None, description="Largest chance per step a merchant starts accepting it.")
    g0: float | None = Field(None, description="Intercept of merchants' uptake of it (default: behaviour.g0).")
    g1: float | None = Field(
        None, description="Weight of its users among a merchant's customers (default: behaviour.g1)."
    )
    campaigns: list[RivalCampaign] = Field(default_factory=list, description="Its own marketing pushes.")

    def behaviour(self, focal: Behaviour) -> Behaviour:
        """The focal coefficients with this rival's awareness, ease and merchant uptake."""
        overrides = {k: getattr(self, k) for k in (*AWARENESS_RULE, *MERCHANT_RULE, "ease")}
        return focal.model_copy(update={k: v for k, v in overrides.items() if v is not None})

    def by_age_group(self, field: str, labels: list[str]) -> list[float]:
        """`appeal` or `users` per age group, in the population's order."""
        value = getattr(self, field)
        return [value.get(label, 0.0) for label in labels] if isinstance(value, dict) else [value] * len(labels)


def _fits_scenario(rivals: list[RivalSpec], info: ValidationInfo) -> list[RivalSpec]:
    """Unique names other than 'focal'; age-group and region labels the population has."""
    seen: set[str] = set()
    for i, rival in enumerate(rivals):
        if rival.name == FOCAL or rival.name in seen:
            reason = "is the focal wallet's name in outputs" if rival.name == FOCAL else "is used twice"
            raise ValueError(f"[{i}].name: '{rival.name}' {reason}")
        seen.add(rival.name)
    population = info.data.get("population")
    if population is None:
        return rivals
    groups, regions = list(population.age_groups), list(population.regions)
    for i, rival in enumerate(rivals):
        for field in ("appeal", "users"):
            value = getattr(rival, field)
            for label in value if isinstance(value, dict) else []:
                if label not in groups:
                    raise ValueError(f"[{i}].{field}: unknown age group '{label}' (valid: {', '.join(groups)})")
        for j, campaign in enumerate(rival.campaigns):
            problem = campaign.target.check_against(groups, regions)
            if campaign.target.stages is not None:
                problem = (
                    "target.stages: a rival's campaign targets by traits only (age, group, region, income, online)"
                )
            if problem:
                raise ValueError(f"[{i}].campaigns[{j}].{problem}")
    return rivals


Rivals = Annotated[list[RivalSpec], AfterValidator(_fits_scenario)]
"""The scenario's `rivals:` field (checked against the population read before it)."""


def wallet_names(rivals: list[RivalSpec]) -> list[str]:
    """Every wallet in outputs: the focal one first, then the rivals."""
    return [FOCAL, *(r.name for r in rivals)]


def market_share_names(scenario: Any, focal: bool) -> list[str]:
    """The market-share KPIs a scenario with rivals reports: the focal wallet's overall and by
    segment, or each rival's (none without rivals)."""
    rivals = scenario.rivals
    if not rivals:
        return []
    if not focal:
        return [f"final_market_share_{r.name}" for r in rivals]
    names = [f"final_market_share_{FOCAL}"]
    names += [f"final_market_share_{FOCAL}_age_{g}" for g in scenario.population.age_groups]
    return names + [f"final_market_share_{FOCAL}_region_{r}" for r in scenario.population.regions]
