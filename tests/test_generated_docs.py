"""Measured numbers in the docs come from the command that writes them (benchmarks/docs): every
doc's generated block must be the rendering of its stored output, say which command wrote it and
when, and show a command the doc itself names. Only stored JSON is rendered: no simulation runs."""

from __future__ import annotations

import copy
import re

import pytest

from benchmarks.docs import BLOCKS

HINT = "run `uv run python -m benchmarks.docs {name} --run` (or --from an output folder)"


@pytest.fixture(params=list(BLOCKS), ids=list(BLOCKS))
def block(request):
    return BLOCKS[request.param]


def test_the_doc_shows_the_stored_output(block):
    assert block.current(), f"{block.doc}: the markers of block {block.name} are missing"
    assert block.current() == block.rendered(block.load()), (
        f"{block.doc}: block {block.name} is not the command's output: " + HINT.format(name=block.name)
    )


def test_the_block_says_which_command_wrote_it_and_when(block):
    stored, text = block.load(), block.current()
    assert set(stored) == set(block.runs), f"{block.stored}: runs {sorted(stored)}, registry {sorted(block.runs)}"
    for key, run in stored.items():
        assert run["command"] == block.runs[key].command, f"{block.name}/{key}: stored from another command"
        assert f"`{run['command']}`" in text or block.name == "optimization" and run["command"] in text
        assert run.get("transcribed") or run["commit"] in text, f"{block.name}/{key}: the block does not say its commit"


def _numbers(value, path=()):
    """Every measured number in a stored output, with where it is."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _numbers(v, (*path, i))
    elif isinstance(value, float) or (isinstance(value, str) and re.search(r"\d", value)):
        yield path, value  # measured, or a figure stored as printed ("1.18x [1.11x-1.42x]"); an int may be a count


def _edited(stored, path):
    changed = copy.deepcopy(stored)
    target = changed
    for step in path[:-1]:
        target = target[step]
    old = target[path[-1]]
    if isinstance(old, str):
        target[path[-1]] = re.sub(r"\d+(\.\d+)?", lambda m: f"{float(m.group()) * 1.37 + 3:g}", old, count=1)
    else:
        target[path[-1]] = old * 1.37 + 3
    return changed


def test_an_edited_number_is_caught(block):
    """A number the block shows, changed in the store, changes the block: a hand-edited doc cannot
    pass as the command's output, whichever number was edited."""
    stored = block.load()
    shown = block.rendered(stored)
    caught = [path for path, _ in _numbers(stored) if block.rendered(_edited(stored, path)) != shown]
    assert caught, f"{block.name}: no stored number reaches the block"
    edited = block.rendered(_edited(stored, caught[0]))
    assert edited.startswith(block.begin) and edited.endswith(block.end)
    assert edited != block.current()
