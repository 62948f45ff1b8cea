"""The shape of the code: modules small enough to read in one sitting, one registry per extension point."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

LIMIT = 300


def test_no_module_is_over_300_lines():
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((ROOT / "adoptsim").rglob("*.py"))
    }
    too_long = {name: lines for name, lines in sizes.items() if lines > LIMIT}
    assert not too_long, f"split these by concept: {too_long}"


def test_intervention_types_are_listed_once():
    from adoptsim.interventions import INTERVENTION_TYPES, TYPES

    modules = sorted(p.stem for p in (ROOT / "adoptsim" / "interventions").glob("*.py"))
    shared = {"__init__", "base", "budget", "context", "targeting", "triggers"}
    assert sorted(cls.__module__.rsplit(".", 1)[1] for cls in TYPES) == [m for m in modules if m not in shared]
    assert list(INTERVENTION_TYPES) == [cls.model_fields["type"].default for cls in TYPES]
    source = (ROOT / "adoptsim" / "interventions" / "__init__.py").read_text(encoding="utf-8")
    assert all(source.count(f"{cls.__name__},") == 1 for cls in TYPES)


def test_generator_names_are_written_once():
    from adoptsim.world.generator_params import GENERATOR_PARAMS
    from adoptsim.world.network import networkx_generator

    assert all(callable(networkx_generator(name)) for name in GENERATOR_PARAMS)
    with pytest.raises(KeyError):
        networkx_generator("karate_club_graph")  # networkx has it, the model does not offer it
    for path in (ROOT / "adoptsim").rglob("*.py"):
        if path.name != "generator_params.py":
            assert '"powerlaw_cluster_graph"' not in path.read_text(encoding="utf-8"), path


def test_trait_names_are_declared_once_and_every_one_is_a_consumer_array():
    from typing import get_args

    from adoptsim.world.population import PEOPLE_FIELDS, TRAIT_NAMES, AgeGroup, TraitName

    assert get_args(TraitName) == TRAIT_NAMES and set(TRAIT_NAMES) <= set(PEOPLE_FIELDS)
    assert get_args(AgeGroup.model_fields["traits"].annotation)[0] is TraitName


def test_stage_arrays_are_compared_with_plain_ints():
    """`stage == Stage.ACTIVE` widens the whole int8 array to int64 first (7x slower at 1M)."""
    import re

    member = r"\bStage\.[A-Z_]+\b(?!\.value)"
    bare = re.compile(rf"(==|!=|<=|>=|<|>)\s*{member}|{member}\s*(==|!=|<=|>=|<|>)")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "adoptsim").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bare.search(line)
    ]
    assert not offenders, f"compare with Stage.X.value: {offenders}"
    assert bare.search("hit = people.stage == Stage.ACTIVE") and not bare.search("people.stage == Stage.ACTIVE.value")


def test_every_command_is_one_module_in_the_registry():
    from importlib import import_module

    from adoptsim.cli.main import COMMANDS, build_parser

    for name, module, help_text in COMMANDS:
        entry = import_module(module)
        assert callable(entry.arguments) and callable(entry.command), module
        assert help_text and "\n" not in help_text, name
    helpers = {"__init__", "__main__", "main", "arguments", "common", "exiting", "tables", "docgen", "stopping"}
    helpers.add("compare_uncertain")  # compare --uncertain
    modules = {p.stem for p in (ROOT / "adoptsim" / "cli").glob("*.py")} - helpers
    assert modules == {module.rsplit(".", 1)[1] for _, module, _ in COMMANDS}
    assert set(build_parser()._subparsers._group_actions[0].choices) == {name for name, _, _ in COMMANDS}


def test_listing_the_commands_imports_none_of_them():
    import subprocess
    import sys

    probe = (
        "import contextlib, io, sys\n"
        "from adoptsim.cli.main import COMMANDS, main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "print(sorted(m for _, m, _ in COMMANDS if m in sys.modules))\n"
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.splitlines() == ["[]", "False False"]


def test_the_package_top_holds_at_most_8_modules():
    top = sorted(p.name for p in (ROOT / "adoptsim").glob("*.py"))
    assert len(top) <= 8, f"the top is for entry points; file these in a layer: {top}"


def test_a_command_module_is_cheap_to_import_for_its_parser():
    """`adoptsim run --help` builds run's parser only: what the command runs is imported when it runs."""
    import subprocess
    import sys

    probe = (
        "import importlib, sys\n"
        "from adoptsim.cli.main import COMMANDS\n"
        "for _, module, _ in COMMANDS:\n"
        "    importlib.import_module(module)\n"
        "heavy = ('pandas', 'matplotlib', 'mesa', 'plotly', 'pydantic', 'optuna')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_the_run_parser_knows_every_export_kind():
    from adoptsim.cli.run import EXPORT_KINDS
    from adoptsim.results import export

    assert tuple(EXPORT_KINDS) == tuple(export.EXPORT_KINDS)
