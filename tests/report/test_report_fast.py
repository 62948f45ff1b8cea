"""The report in the fast loop: one small run and one small sweep, written once per session,
rendered section by section from the registry (comparisons, the browser and PDF are in test_report.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from adoptsim.cli.main import main
from adoptsim.report.build import render_html
from adoptsim.report.sections import NAMES
from tests.conftest import BASELINE, save_one_pixel

TINY = ["--set", "population.size=300", "--set", "steps=12", "--reps", "2", "--targets", "0.02"]


@pytest.fixture(scope="session")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A run of the referral scenario and a grid sweep with a sensitivity table beside it (figures
    as 1-pixel PNGs: these tests read sections and text; test_report.py looks at the charts)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Figure, "savefig", save_one_pixel)
        return written(tmp_path_factory.mktemp("report"))


def written(root: Path) -> dict[str, Path]:
    run = root / "run"
    referral = str(BASELINE.parent / "referral.yaml")
    assert main(["run", referral, *TINY, "--out", str(run)]) == 0
    experiment = root / "grid.yaml"
    experiment.write_text(
        f"name: grid\nscenario: {referral}\nseed: 3\nreplications: 1\n"
        "fixed: {population.size: 300, steps: 8}\n"
        "parameters:\n  interventions[refer_a_friend].reward: {values: [0.2, 0.8]}\n"
        "design: {type: grid}\nmetrics: [final_active_share]\n",
        encoding="utf-8",
    )
    sweep = root / "sweep"
    assert main(["sweep", str(experiment), "--workers", "1", "--out", str(sweep)]) == 0
    pd.DataFrame(
        {
            "metric": ["final_active_share"] * 2,
            "parameter": ["interventions[refer_a_friend].reward", "behaviour.q_wom"],
            "S1": [0.61, 0.2],
            "S1_conf": [0.05, 0.04],
            "ST": [0.7, 0.3],
            "ST_conf": [0.06, 0.05],
        }
    ).to_csv(sweep / "sensitivity.csv", index=False)
    return {"run": run, "sweep": sweep}


@pytest.fixture(scope="session")
def page(folders) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Figure, "savefig", save_one_pixel)
        return render_html([folders["run"], folders["sweep"]])


def sections(page: str, folder: int) -> list[str]:
    return re.findall(rf'<section id="p{folder}-(\w+)"', page)


def test_each_folder_shows_the_registry_sections_it_has_files_for_in_registry_order(page):
    run, sweep = sections(page, 0), sections(page, 1)
    assert run == [n for n in NAMES if n not in ("differences", "cost_effectiveness", "sweep", "sensitivity")]
    assert sweep == [n for n in NAMES if n in ("brief", "question", "sweep", "sensitivity", "assumptions")]


def test_numbers_read_as_words_and_nothing_leaves_the_file(page):
    text = re.sub(r"<script.*?</script>|src=\"data:[^\"]*\"", "", page, flags=re.S)
    assert "refer_a_friend: reward" in text and "behaviour: q_wom" in text  # parameter paths in words
    assert "weeks to 2 % active" in text  # a duration KPI's label from the registry
    assert "0.610" in text  # the sensitivity table shows S1 as given
    assert not re.search(r"\de[+-]\d", text), "a number in scientific notation"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "a resource outside the file"
    assert "Plotly" not in page  # one definition per figure: the PNG the command wrote, nothing redrawn


def test_the_report_command_writes_the_page_and_refuses_a_folder_that_is_no_output(folders, tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["report", str(folders["sweep"]), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count('<section id="p0-') == 5
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.strip().endswith(f"{tmp_path / 'missing'}: no such folder")
    assert main(["report", str(BASELINE.parent)]) == 2
    assert "not an adoptsim output folder" in capsys.readouterr().err
