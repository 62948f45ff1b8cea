"""The docs stay true to the code: every coefficient and intervention type is documented."""

from __future__ import annotations

from adoptsim.cli.docgen import COMMON
from adoptsim.interventions import INTERVENTION_TYPES
from adoptsim.scenario.behaviour import Behaviour
from tests.conftest import ROOT


def test_model_doc_names_every_coefficient_with_its_default():
    text = (ROOT / "docs" / "model.md").read_text()
    for name, field in Behaviour.model_fields.items():
        assert f"| `{name}` | {field.default} |" in text, name


def test_interventions_doc_is_generated_from_the_code():
    from adoptsim.cli.docgen import render

    assert (ROOT / "docs" / "interventions.md").read_text() == render(), "run: uv run python -m adoptsim.cli.docgen"


def test_the_interventions_generator_gives_every_type_a_section_and_every_field_a_row():
    from adoptsim.cli.docgen import render

    text = render()  # the generator itself, so this fails even when the committed page matches it
    for kind, cls in INTERVENTION_TYPES.items():
        assert text.count(f"\n## `{kind}`\n") == 1, kind
        section = text.split(f"## `{kind}`", 1)[1].split("\n## ", 1)[0]
        for field in cls.model_fields:
            if field not in ("type", *COMMON):
                assert f"\n| `{field}` | " in section, f"{kind}.{field}"
    for field in COMMON:
        assert f"\n| `{field}` | " in text, field


def test_kpis_doc_is_generated_from_the_registry_and_lists_every_kpi():
    from adoptsim.cli.docgen import kpi_name, render_kpis
    from adoptsim.results.kpis import KPIS

    text = (ROOT / "docs" / "kpis.md").read_text()
    assert text == render_kpis(), "run: uv run python -m adoptsim.cli.docgen"
    assert [line.split("`")[1] for line in text.splitlines() if line.startswith("| `")] == [
        kpi_name(k.pattern) for k in KPIS
    ]
    assert kpi_name(next(k.pattern for k in KPIS if k.pattern.startswith("steps_to_"))) == "steps_to_<P>pct_<what>"


def _architecture_names() -> tuple[set[str], list[tuple[str, str]]]:
    """Every module path docs/architecture.md names: full backticked paths, and `x.py` read against
    the last backticked folder before it (a heading or a paragraph's opening); and its registries."""
    import re

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named, folder = set(), "adoptsim/"
    for token in re.findall(r"`([^`\n]+)`", text):
        if "<" in token:  # a placeholder: `adoptsim/interventions/<type>.py`
            continue
        if token.startswith("adoptsim/"):
            if token.endswith("/"):
                folder = token
            named.add(token)
        elif re.fullmatch(r"\w+\.py", token):
            named.add(folder + token)
    registries = re.findall(r"`(\w+)` in `(adoptsim/[\w/]+\.py)`", text)
    return named, registries


def test_architecture_names_only_modules_and_registries_that_exist():
    from importlib import import_module

    named, registries = _architecture_names()
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"docs/architecture.md names what is not there: {missing}"
    assert len(registries) >= 7
    for name, path in registries:
        module = import_module(path.removesuffix(".py").removesuffix("/__init__").replace("/", "."))
        assert hasattr(module, name), f"docs/architecture.md: no {name} in {path}"


def test_architecture_names_every_module():
    named, _ = _architecture_names()
    modules = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "adoptsim").rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py") or path.parent.name == "adoptsim"
    }
    assert not sorted(modules - named), f"docs/architecture.md does not name: {sorted(modules - named)}"
