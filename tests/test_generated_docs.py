"""Measured numbers in the docs come from the command that writes them: each generated block
must be the rendering of its stored output (benchmarks/optimization_doc.py)."""

from __future__ import annotations

import json

import pytest

from benchmarks.optimization_doc import BLOCKS, DOC, END, block, marker, rendered


@pytest.mark.parametrize("name", list(BLOCKS))
def test_the_optimisation_doc_shows_the_stored_output(name):
    text = DOC.read_text()
    assert block(text, name), f"{DOC}: the markers of the generated block {name} are missing"
    assert block(text, name) == rendered(name), (
        f"docs/optimization.md's {name} numbers are not the command's output: run "
        f"`uv run python -m benchmarks.optimization_doc --run --only {name}` (or --from its output folder)"
    )


@pytest.mark.parametrize("name", list(BLOCKS))
def test_an_edited_number_is_caught(name):
    numbers = json.loads(BLOCKS[name].stored.read_text())
    key = "gap" if name == "dominated_lever" else "value"
    numbers[key][0] += 0.01 if name != "best_net_value" else 1.0
    edited = BLOCKS[name].render(numbers)
    assert edited != block(DOC.read_text(), name)
    assert edited.startswith(marker(name)) and edited.endswith(END)
