"""What `adoptsim calibrate` writes and prints, read as a new user would: a calibrated scenario
that still names its curve after the folder is moved, exact dates, the best fit against the band,
the values a left-out market's prediction used, where the posterior stopped, units.

One small dated run (three markets, two cash and one card, `west` left out), shared by the tests."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import numpy as np
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
SHARES = "{file: data/NAME.csv, column: value, measure: ever_adopted_share}"
COUNTS = "{file: data/NAME.csv, column: users_millions, measure: ever_adopted_count, population: 2.0}"


def write_market(folder: Path, name: str, incumbent: str, observed: str = SHARES) -> None:
    (folder / "data").mkdir(exist_ok=True)
    curve = pd.DataFrame({"date": DATES, "value": [0.01, 0.03, 0.06, 0.10]})
    curve["users_millions"] = 2.0 * curve["value"]
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
  observed: {observed.replace("NAME", name)}
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
    for name, incumbent, observed in (("north", CASH, SHARES), ("south", CASH, SHARES), ("west", CARD, COUNTS)):
        write_market(folder, name, incumbent, observed)
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


@pytest.mark.slow
def test_a_left_out_market_shows_the_values_its_prediction_used_and_where_each_came_from(run):
    out, printed = run
    table = pd.read_csv(out / "parameters.csv").set_index("parameter")
    best = table["best"]
    # its media intensity, fitted nowhere: the others' geometric mean, now written down
    media = table.loc["west:behaviour.p_media"]
    assert media["prediction"] == pytest.approx(
        np.sqrt(best["north:behaviour.p_media"] * best["south:behaviour.p_media"])
    )
    assert "geometric mean of the values fitted for north, south" in media["prediction_source"]
    assert np.isnan(media["best"])
    # the cash markets cannot inform the advantage weight: the prediction ran its prior's middle, not `best`
    advantage = table.loc["market.advantage_weight"]
    assert advantage["prediction"] == 3.0 and "prior's middle" in advantage["prediction_source"]
    word = table.loc["behaviour.q_wom"]
    assert word["prediction"] == word["best"] and word["prediction_source"] == "fitted on north, south (best)"
    assert "not used by west's prediction" in table.loc["north:behaviour.p_media", "prediction_source"]
    assert "west's prediction used" in printed
    assert f"  west:behaviour.p_media = {media['prediction']:.4g}: west's own, not fitted" in printed
    assert "  market.advantage_weight = 3: its prior's middle" in printed


@pytest.mark.slow
def test_the_printout_says_where_the_posterior_stopped_counting_the_prior_sample(run):
    _, printed = run
    assert "at most 10 simulations (counting pyabc's sample from the prior" in printed
    assert "  prior sample: 4 simulations" in printed
    stop = next(line for line in printed.splitlines() if "stopped" in line)
    assert "stopped at the simulation cap after generation" in stop and "reached max_simulations 10" in stop
    assert "(with the prior sample's 4); tolerance reached: RMS error a point" in stop and "(none asked)" in stop
    so_far = [int(line.split(" simulations in ")[0].split()[-1]) for line in printed.splitlines() if " so far" in line]
    assert so_far[0] > 4 and so_far[-1] >= 10  # the generations' totals count the prior sample, as the cap does


@pytest.mark.slow
def test_errors_are_printed_with_their_unit_and_times_say_what_they_time(run):
    _, printed = run
    assert re.search(r"north: fitted points: R\^2 \S+, RMSE \S+ \(a share\)", printed)
    assert re.search(r"west \(left out, .*RMSE \S+ \(in users_millions, the data's unit\)", printed)
    assert re.search(r"ran 2 trials \(2 in the study\) in [\d.]+ s; best objective", printed)
    took = next(line for line in printed.splitlines() if line.startswith("took "))
    for phase in ("from the search's start to the files written", "search", "posterior", "ensemble and prediction"):
        assert phase in took
