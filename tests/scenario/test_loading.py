"""The loader's guard: limits, the C parser, typed generator parameters, and a fuzz that may
raise nothing but the user-error type."""

from __future__ import annotations

import copy
import inspect
import string
from datetime import date

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from adoptsim.cli.validate import validate_file
from adoptsim.errors import AdoptsimError, ScenarioError
from adoptsim.scenario import paths, yaml_guard
from adoptsim.scenario.loading import load_scenario
from adoptsim.scenario.yaml_guard import MAX_FILE_BYTES
from adoptsim.world.generator_params import GENERATOR_PARAMS
from adoptsim.world.network import networkx_generator
from tests.conftest import BASELINE, ROOT


def test_generator_parameters_are_what_networkx_accepts():
    for name, model in GENERATOR_PARAMS.items():
        accepted = set(inspect.signature(networkx_generator(name)).parameters) - {"n", "seed"}
        assert set(model.model_fields) <= accepted, name


def test_fast_generators_are_those_network_py_vectorizes():
    import numpy as np

    from adoptsim.world.generator_params import FAST_GENERATORS
    from adoptsim.world.network import _fast_generator

    params = {"k": 4, "p": 0.1, "m": 2, "d": 2}
    has_fast = {
        name for name in GENERATOR_PARAMS if _fast_generator(name, 20, params, np.random.default_rng(0)) is not None
    }
    assert has_fast == set(FAST_GENERATORS)


def test_generator_receives_typed_parameters():
    scenario = load_scenario(BASELINE, ["network.params.k=10.0", "network.params.p=1"])
    assert scenario.network.params == {"k": 10, "p": 1.0}
    assert type(scenario.network.params["k"]) is int


def test_the_c_parser_is_used_when_available():
    assert issubclass(yaml_guard.StrictLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_oversized_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: big\ndescription: " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(ScenarioError, match=r"big.yaml: is 4.0 MB; scenario and experiment files are limited to 4 MB"):
        load_scenario(big)


def test_large_run_allowed_on_request():
    overrides = ["steps=1000000000"]
    with pytest.raises(ScenarioError, match="--allow-large"):
        load_scenario(BASELINE, overrides)
    assert load_scenario(BASELINE, overrides, allow_large=True).steps == 1_000_000_000


def test_every_problem_of_a_file_is_listed():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, ["steps=0", "seed=-1", "behaviour.r_a=2"])
    lines = str(caught.value).splitlines()  # each named as given: on the command line, for this file
    assert [line.split(": ")[1] for line in lines] == ["--set seed", "--set steps", "--set behaviour.r_a"]
    assert all(line.startswith(f"{BASELINE}: ") for line in lines)


def test_network_file_checked_without_building(tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text("".join(f"{i} {i + 1}\n" for i in range(10_000)))
    with pytest.raises(ScenarioError, match="names 10,001 nodes but population.size is 500"):
        load_scenario(BASELINE, ["population.size=500", f"network={{file: {edges}}}"])
    edges.write_bytes(b"0 1\n" * (2**20 + 1))
    with pytest.raises(ScenarioError, match=r"holds 4.0 MB, more than 4.0 MB for 500 consumers"):
        load_scenario(BASELINE, ["population.size=500", f"network={{file: {edges}}}"])


def test_validate_recognises_experiments():
    assert validate_file(ROOT / "experiments" / "referral_vs_clustering.yaml").startswith("experiment ")
    assert validate_file(BASELINE).startswith("scenario baseline")


# ---------------------------------------------------------------- fuzz

YAML_CHARACTERS = string.ascii_lowercase[:6] + string.digits + " \n\t:-[]{},&*!#|>'\"%@`?~.=_+<"

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(min_value=date(1, 1, 1)),
    st.sampled_from(["watts_strogatz", "complete_graph", "erdos_renyi", "training", "referral", "ten", ".nan"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["k", "p", "m", "d", "type", "x"]), inner)
    ),
    max_leaves=12,
)
PATHS = [
    "name",
    "steps",
    "seed",
    "extends",
    "population",
    "population.size",
    "population.concentration",
    "population.regions.rural.share",
    "population.regions.rural.trait_shift.trust",
    "population.age_groups.60+.traits.trust",
    "network",
    "network.generator",
    "network.params",
    "network.params.k",
    "network.params.p",
    "network.file",
    "network.homophily.region",
    "merchants.count",
    "behaviour.b0",
    "interventions",
]


def assert_only_user_errors(path) -> None:
    try:
        load_scenario(path)
    except AdoptsimError as err:
        assert str(err).strip(), "an error with no message"


@given(text=st.text(alphabet=YAML_CHARACTERS, max_size=300))
def test_fuzz_loader_with_yaml_like_text(text, tmp_path):
    path = tmp_path / "fuzz.yaml"
    path.write_text(f"extends: {BASELINE}\n{text}", encoding="utf-8")
    assert_only_user_errors(path)


BASE = yaml.safe_load(BASELINE.read_text())


@pytest.mark.slow
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=4))
def test_fuzz_loader_with_wrong_values_in_real_fields(changes, tmp_path):
    data = copy.deepcopy(BASE)
    for dotted, value in changes:
        try:
            paths.set_path(data, dotted, value)
        except ValueError:
            continue
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert_only_user_errors(path)


def test_an_extends_path_with_a_null_byte_is_one_line(tmp_path):
    """Found by the fuzz test in CI: `extends: "\\0"` reached the file system and raised ValueError."""
    path = tmp_path / "nul.yaml"
    path.write_text('extends: "\\0"\nname: x\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"nul\.yaml: extends: must be a file path$"):
        load_scenario(path)


def test_an_unknown_field_is_listed_beside_the_other_problems_of_its_block(tmp_path):
    """An unknown key used to stop its block's checks: a misspelled cost hid a wrong seat count."""
    path = tmp_path / "x.yaml"
    path.write_text(
        f"name: x\nextends: {BASELINE}\ninterventions:\n"
        "  - {type: training, name: classes, seats: lots, cost_per_set: 20, cost_per_seet: 1}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).splitlines() == [
        f"{path}: interventions[0].seats: input should be a valid integer, unable to parse string as an integer "
        "(got 'lots')",
        f"{path}: interventions[0].cost_per_set: unknown field (did you mean 'cost_per_seat'?)",
        f"{path}: interventions[0].cost_per_seet: unknown field (did you mean 'cost_per_seat'?)",
    ]
