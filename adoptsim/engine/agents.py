"""Mesa agents as thin views: each reads and writes its row of the model's arrays.

No agent runs Python in the step; the model updates the arrays for everyone at once. Agents
exist for Mesa's API (`model.agents`, selection, inspection) and for users exploring a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from adoptsim.world.stages import Stage

if TYPE_CHECKING:
    from adoptsim.engine.model import WalletAdoptionModel


def _people_view(name: str, cast: type) -> property:
    def get(self: Consumer):
        return cast(getattr(self.model.people, name)[self.index])

    def put(self: Consumer, value) -> None:
        getattr(self.model.people, name)[self.index] = value

    return property(get, put, doc=f"This consumer's `{name}` (a view onto model.people.{name}).")


def _shops_view(name: str, cast: type) -> property:
    def get(self: MerchantAgent):
        return cast(getattr(self.model.shops, name)[self.index])

    def put(self: MerchantAgent, value) -> None:
        getattr(self.model.shops, name)[self.index] = value

    return property(get, put, doc=f"This merchant's `{name}` (a view onto model.shops.{name}).")


class Consumer(mesa.Agent):
    """A consumer: row `index` of `model.people`."""

    def __init__(self, model: WalletAdoptionModel, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    age = _people_view("age", int)
    income = _people_view("income", float)
    online = _people_view("online", float)
    trust = _people_view("trust", float)
    tech_skill = _people_view("tech_skill", float)
    habit = _people_view("habit", float)
    competitor = _people_view("competitor", bool)
    in_market = _people_view("in_market", bool)
    trust_deficit = _people_view("trust_deficit", float)
    ever_adopted = _people_view("ever_adopted", bool)
    wallet_habit = _people_view("wallet_habit", float)
    stage = _people_view("stage", Stage)

    @property
    def age_group(self) -> str:
        return self.model.age_group_labels[self.model.people.age_group[self.index]]

    @property
    def region(self) -> str:
        return self.model.region_labels[self.model.people.region[self.index]]

    @property
    def neighbours(self) -> list[Consumer]:
        """Consumers tied to this one in the social graph."""
        return [self.model.consumer(j) for j in self.model.graph_neighbours(self.index)]


class MerchantAgent(mesa.Agent):
    """A merchant: row `index` of `model.shops`."""

    def __init__(self, model: WalletAdoptionModel, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    accepts = _shops_view("accepts", bool)
    has_deal = _shops_view("has_deal", bool)

    @property
    def region(self) -> str:
        return self.model.region_labels[self.model.shops.region[self.index]]

    @property
    def category(self) -> str:
        return self.model.category_labels[self.model.shops.category[self.index]]


class AgentViews:
    """Mixin for the model: Mesa agent views created at set-up or on first access."""

    def _create_agents(self) -> None:
        if self._agents_created:
            return
        self._agents_created = True
        self._consumer_agents = Consumer.create_agents(self, self.people.size, np.arange(self.people.size)).to_list()
        MerchantAgent.create_agents(self, self.shops.size, np.arange(self.shops.size))

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All Mesa agents (created on first access for large populations)."""
        self._create_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """Mesa agents by class (created on first access for large populations)."""
        self._create_agents()
        return super().agents_by_type

    def consumer(self, index: int) -> Consumer:
        """The Mesa agent of consumer `index`."""
        self._create_agents()
        return self._consumer_agents[index]

    def graph_neighbours(self, index: int) -> np.ndarray:
        """Indices of consumer `index`'s neighbours."""
        return self.graph.neighbours(index)
