"""Measured numbers in the docs come from the command that writes them: the doc's generated block
must be the rendering of the stored output (benchmarks/optimization_doc.py)."""

from __future__ import annotations

import json

from benchmarks.optimization_doc import BEGIN, DOC, END, STORED, block, render


def test_the_optimisation_doc_shows_the_stored_output():
    text = DOC.read_text()
    assert block(text), f"{DOC}: the generated block's markers are missing"
    assert block(text) == render(json.loads(STORED.read_text())), (
        "docs/optimization.md's numbers are not the command's output: "
        "run `uv run python -m benchmarks.optimization_doc --run` (or --from an optimize folder)"
    )


def test_an_edited_number_is_caught():
    numbers = json.loads(STORED.read_text())
    numbers["weeks"][0] += 0.01
    assert render(numbers) != block(DOC.read_text())
    assert render(numbers).startswith(BEGIN) and render(numbers).endswith(END)
