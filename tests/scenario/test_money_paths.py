"""Which parameter paths hold money: the mark on a field's type (`schema.Money`) that lets a sweep's
axes and tables name the currency of a swept reward or cost."""

from __future__ import annotations

import pytest

from adoptsim.interventions import TYPES
from adoptsim.results.economics import Economics
from adoptsim.scenario.loading import load_scenario
from adoptsim.scenario.paths import _marked, holds_money
from adoptsim.scenario.schema import MONEY
from tests.conftest import ROOT

REFERRAL = ROOT / "scenarios" / "referral.yaml"


@pytest.mark.parametrize(
    ("path", "money"),
    [
        ("interventions[refer_a_friend].reward", True),
        ("interventions[refer_a_friend].referrer_reward", True),  # `Money | None`
        ("interventions[refer_a_friend].budget", True),
        ("interventions[0].fixed_cost", True),
        ("interventions[refer_a_friend].start", False),
        ("budget.total", True),  # the file has no shared budget: read from the block's type
        ("economics.payment_value.low", True),
        ("behaviour.money_scale", True),
        ("economics.margin", False),
        ("behaviour.q_wom", False),
        ("network.params.k", False),
        ("interventions[nobody].reward", False),
        ("population.nothing_here", False),
    ],
)
def test_a_path_holds_money_when_its_field_is_marked(path, money):
    assert holds_money(load_scenario(REFERRAL), path) is money


def test_every_intervention_amount_of_money_is_marked():
    """A new cost or reward field left as a plain number would lose its currency on every axis:
    each field whose description speaks of money is marked, and no other."""
    fields = [(cls.__name__, name, f) for cls in TYPES for name, f in cls.model_fields.items()]
    fields += [("Economics", name, f) for name, f in Economics.model_fields.items()]
    for owner, name, field in fields:
        said = "money" in (field.description or "").lower() and "multiplier" not in (field.description or "").lower()
        marked = MONEY in field.metadata or _marked(field.annotation)
        assert marked == said or name in ("currency", "payment_value"), (owner, name, field.description)
