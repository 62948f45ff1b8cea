"""The notebook tour runs from top to bottom (nbclient), so it never goes stale."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT


@pytest.mark.slow
def test_the_tour_runs_and_shows_what_it_says():
    notebook = nbformat.read(ROOT / "docs" / "tour.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "docs")}}
    ).execute()
    outputs = [cell.get("outputs", []) for cell in notebook.cells if cell.cell_type == "code"]
    assert all(outputs), "every code cell shows something"
    assert not any(output.get("output_type") == "error" for cell in outputs for output in cell)
    text = "\n".join(str(output.get("data", {}).get("text/plain", "")) for cell in outputs for output in cell)
    assert "final_active_share" in text and "0.04" in text
    assert any("image/png" in output.get("data", {}) for output in outputs[-1])
