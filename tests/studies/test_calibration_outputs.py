"""What `adoptsim calibrate` writes and prints, read as a new user would: a calibrated scenario
that still names its curve after the folder is moved, exact dates, the best fit against the band,
the values a left-out market's prediction used, where the posterior stopped, units.

One small dated run (three markets, two cash and one card, `west` left out), shared by the tests."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from adoptsim.cli.main import main
from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.calibration.loading import load_calibration
from tests.conftest import BASELINE

LAUNCH = "2007-03-06"  # its decimal year, turned back into a date, fell a hair before midnight
DATES = ["2007-06-30", "2007-09-30", "2007-12-31", "2008-03-31"]
CASH, CARD = "{cash_share: 1.0}", "{cash_share: 0.3, card_ownership: 1.0}"


def write_market(folder: Path, name: str, incumbent: str) -> None:
    (folder / "data").mkdir(exist_ok=True)
    curve = pd.DataFrame({"date": DATES, "value": [0.01, 0.03, 0.06, 0.10]})
    curve.to_csv(folder / "data" / f"{name}.csv", index=False)
    (folder / f"{name}.yaml").write_text(
        f"""extends: {BASELINE}
name: {name}
description: a market of 20,000 consumers (the base's words, not the calibrated population)
behaviour: {{p_media: 0.01}}
market:
  name: {name}
  launch: {LAUNCH}
  incumbent: {incumbent}
  observed: {{file: data/{name}.csv, column: value, measure: ever_adopted_share}}
""",
        encoding="utf-8",
    )


JOINT = """name: dated
markets: {north: north.yaml, south: south.yaml, west: west.yaml}
fixed: {population.size: 150, merchants.count: 10, behaviour.r_a: 0.5}
parameters:
  behaviour.q_wom: {low: 0.003, high: 0.3, log: true}
  market.advantage_weight: {low: 0.0, high: 6.0}
per_market:
  behaviour.p_media: {low: 0.001, high: 0.05, log: true}
replications: 2
method: {trials: 2, batch: 1, posterior: {population: 4, generations: 5, max_simulations: 10, draws: 2}}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, str]:
    """The output folder of `calibrate --leave-out west` and what it printed."""
    folder = tmp_path_factory.mktemp("dated")
    for name, incumbent in (("north", CASH), ("south", CASH), ("west", CARD)):
        write_market(folder, name, incumbent)
    (folder / "dated.yaml").write_text(JOINT, encoding="utf-8")
    out = folder / "out"
    printed = io.StringIO()
    arguments = ["calibrate", str(folder / "dated.yaml"), "--out", str(out), "--workers", "1", "--horizon", "0.5"]
    with contextlib.redirect_stdout(printed):
        assert main([*arguments, "--leave-out", "west"]) == 0
    return out, printed.getvalue()


@pytest.mark.slow
def test_a_calibrated_scenario_names_its_curve_wherever_the_folder_is_moved(run, tmp_path, monkeypatch):
    out, _ = run
    moved = tmp_path / "elsewhere" / "moved"
    shutil.copytree(out, moved)
    monkeypatch.chdir(tmp_path)  # another working directory
    scenario = load_scenario(moved / "calibrated-north.yaml")
    curve = moved / scenario.market.observed["file"]
    assert pd.read_csv(curve)["value"].tolist() == [0.01, 0.03, 0.06, 0.10]
    # the moved file serves as a market of a new calibration, which reads its curve
    (moved / "again.yaml").write_text(
        "name: again\nmarkets: {north: calibrated-north.yaml}\n"
        "parameters: {behaviour.q_wom: {low: 0.003, high: 0.3}}\n",
        encoding="utf-8",
    )
    assert load_calibration(moved / "again.yaml").observations["observed"].tolist() == [0.01, 0.03, 0.06, 0.10]


@pytest.mark.slow
def test_a_calibrated_scenario_describes_itself_not_its_base(run):
    out, _ = run
    scenario = load_scenario(out / "calibrated-south.yaml")
    assert "20,000" not in scenario.description
    assert "dated.yaml" in scenario.description and "south" in scenario.description
    assert "best fit" in scenario.description and "150 simulated consumers" in scenario.description


@pytest.mark.slow
def test_dates_are_exact_calendar_dates(run):
    out, _ = run
    header = (out / "calibrated-north.yaml").read_text(encoding="utf-8").splitlines()[2]
    assert f"Step 0 is the launch, {LAUNCH};" in header
    forecast = pd.read_csv(out / "forecast.csv", dtype={"time": str})
    first = forecast[forecast["market"] == "north"].iloc[0]
    assert (first["step"], first["time"]) == (0, LAUNCH)
    assert forecast["time"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()  # a date, no time of day
    weeks = pd.to_datetime(forecast[forecast["market"] == "north"]["time"]).diff().dt.days.iloc[1:]
    assert set(weeks) <= {7, 8}  # a step is 1/52 year: 7.02 days, to the nearest day
    written = yaml.safe_load((out / "calibrated-north.yaml").read_text(encoding="utf-8"))
    assert str(written["market"]["launch"]) == LAUNCH
