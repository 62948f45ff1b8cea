"""The `network:` block of a scenario: a generator by name with its parameters, or a file.

Which generators exist is `generator_params.GENERATOR_PARAMS` (one entry per generator, with the
typed parameters it accepts); network.py builds the graph.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from adoptsim.scenario.schema import Fraction, StrictModel, did_you_mean
from adoptsim.world.generator_params import GENERATOR_PARAMS


def canonical_name(name: str) -> str:
    """Accept 'watts_strogatz' for 'watts_strogatz_graph'."""
    return name if name.endswith("_graph") else f"{name}_graph"


class Homophily(StrictModel):
    """Share of ties redirected to someone of the same age group / region (0 = none, 1 = all)."""

    age_group: Fraction = Field(0.0, description="Chance a cross-age-group tie is redirected within the age group.")
    region: Fraction = Field(0.0, description="Chance a cross-region tie is redirected within the region.")


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
        if self.file is None:
            if self.generator is None:
                raise ValueError("give either generator or file")
            if self.generator_name not in GENERATOR_PARAMS:
                hint = did_you_mean(self.generator, list(GENERATOR_PARAMS))
                raise ValueError(f"generator: unknown generator '{self.generator}' ({hint})")
        return self

    @property
    def generator_name(self) -> str | None:
        """The networkx name of the generator used (`_graph` added); None when a file is given."""
        return None if self.file is not None else canonical_name(self.generator or "")
