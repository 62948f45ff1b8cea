"""The docs stay true to the code: every coefficient and intervention type is documented."""

from __future__ import annotations

from adoptsim.behaviour import Behaviour
from adoptsim.docgen import COMMON
from adoptsim.interventions import INTERVENTION_TYPES
from tests.conftest import ROOT


def test_model_doc_names_every_coefficient_with_its_default():
    text = (ROOT / "docs" / "model.md").read_text()
    for name, field in Behaviour.model_fields.items():
        assert f"| `{name}` | {field.default} |" in text, name


def test_interventions_doc_is_generated_from_the_code():
    from adoptsim.docgen import render

    assert (ROOT / "docs" / "interventions.md").read_text() == render(), "run: uv run python -m adoptsim.docgen"


def test_interventions_doc_covers_every_type_and_field():
    text = (ROOT / "docs" / "interventions.md").read_text()
    for kind, cls in INTERVENTION_TYPES.items():
        assert f"## `{kind}`" in text, kind
        section = text.split(f"## `{kind}`", 1)[1].split("\n## ", 1)[0]
        for field in cls.model_fields:
            if field not in ("type", *COMMON):
                assert f"`{field}`" in section, f"{kind}.{field}"
