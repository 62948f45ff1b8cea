"""Observations of a calibration: its target CSV read into shares at simulated steps, and dates
as decimal years.

step = round((date - launch) in years * steps_per_year); a month `YYYY-MM` means its last day
(surveys report "as of December"). Counts become shares by dividing by the population they come
from, so a 3,000-consumer simulation fits a country of millions.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from adoptsim.errors import ScenarioError

if TYPE_CHECKING:
    from adoptsim.studies.calibration.spec import Calibration

MEASURES = {
    "active_share": "share_active",
    "ever_adopted_share": "share_ever_adopted",
    "active_count": "share_active",
    "ever_adopted_count": "share_ever_adopted",
}
"""What a target measures -> the recorder column it is compared with (counts after scaling)."""


def parse_date(text: str) -> pd.Timestamp:
    """A date; a bare month `YYYY-MM` is its last day."""
    text = str(text).strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return pd.Period(text, freq="M").end_time.normalize()
    return pd.Timestamp(text)


def decimal_year(when: pd.Timestamp | dt.date) -> float:
    """A date as a decimal year (2011-07-01 -> 2011.5)."""
    when = pd.Timestamp(when)
    start = pd.Timestamp(year=when.year, month=1, day=1)
    length = pd.Timestamp(year=when.year + 1, month=1, day=1) - start
    return when.year + (when - start) / length


def date_of(year: float) -> pd.Timestamp:
    """A decimal year as a date."""
    whole = int(np.floor(year))
    start = pd.Timestamp(year=whole, month=1, day=1)
    return start + (pd.Timestamp(year=whole + 1, month=1, day=1) - start) * (year - whole)


def read_observations(spec: Calibration, csv: Path, shown: str) -> pd.DataFrame:
    """A row per observation: series (`target` or a segment), column and minus (what is simulated),
    observed (target units), share, weight, heldout, date (or NaT), step (or NaN), year."""
    where = f"target.file ({spec.target.file})"
    if not csv.is_file():
        raise ScenarioError(shown, "target.file", f"file not found: {spec.target.file}")
    try:
        table = pd.read_csv(csv)
    except (OSError, ValueError) as err:
        raise ScenarioError(shown, "target.file", f"cannot be read as CSV ({err})") from None
    if spec.target.column not in table.columns:
        raise ScenarioError(
            shown, "target.column", f"no column '{spec.target.column}' in {spec.target.file} ({', '.join(table)})"
        )
    if "date" not in table.columns and "step" not in table.columns:
        raise ScenarioError(shown, "target.file", f"{spec.target.file} needs a `date` or a `step` column")
    table = table[table[spec.target.column].notna()].reset_index(drop=True)
    values = pd.to_numeric(table[spec.target.column], errors="coerce")
    if values.isna().any() or table.empty:
        raise ScenarioError(shown, "target.column", f"{spec.target.column}: values must be numbers in {where}")
    column = MEASURES[spec.target.measure]
    rows = pd.DataFrame({"series": "target", "column": column, "minus": None, "observed": values.astype(float)})
    if "date" in table.columns:
        try:
            rows["date"] = [parse_date(d) for d in table["date"]]
        except (ValueError, TypeError) as err:
            raise ScenarioError(shown, "target.file", f"a date cannot be read ({err})") from None
        rows["step"] = np.nan
    else:
        rows["date"] = pd.NaT
        rows["step"] = pd.to_numeric(table["step"], errors="coerce")
        if rows["step"].isna().any() or (rows["step"] < 0).any():
            raise ScenarioError(shown, "target.file", "step: must be whole numbers from 0")
    rows["share"] = rows["observed"] / (spec.target.population or 1.0)
    if ((rows["share"] < 0) | (rows["share"] > 1)).any():
        raise ScenarioError(shown, "target", "observed shares must lie in [0, 1] (check measure and population)")
    rows["weight"] = 1.0
    if spec.holdout >= len(rows):
        raise ScenarioError(shown, "holdout", f"must leave observations to fit ({len(rows)} in {spec.target.file})")
    rows["heldout"] = False
    if spec.holdout:
        rows.loc[rows.index[-spec.holdout :], "heldout"] = True
    for segment in spec.segments:
        rows.loc[len(rows)] = {
            "series": segment.series if segment.minus is None else f"{segment.series} - {segment.minus}",
            "column": segment.series,
            "minus": segment.minus,
            "observed": segment.value,
            "share": segment.value,
            "weight": segment.weight,
            "heldout": False,
            "date": pd.NaT if segment.date is None else pd.Timestamp(segment.date),
            "step": np.nan if segment.step is None else float(segment.step),
        }
    rows["year"] = [decimal_year(d) if pd.notna(d) else np.nan for d in rows["date"]]
    if spec.launch is None and rows["date"].notna().any():
        raise ScenarioError(shown, "launch", "dated observations need a launch date or window")
    if isinstance(spec.launch, dt.date):
        launch = decimal_year(spec.launch)
        if (rows["year"] < launch).any():
            raise ScenarioError(shown, "launch", f"{spec.launch} is after an observation")
    if spec.fits_launch and (rows["year"] < decimal_year(spec.launch.latest)).any():
        raise ScenarioError(shown, "launch.latest", f"{spec.launch.latest} is after an observation")
    return rows
