"""Observations of a calibration: its target CSV read into shares at simulated steps, and dates
as decimal years.

step = round((date - launch) in years * steps_per_year); a month `YYYY-MM` means its last day
and a bare year `YYYY` its 31 December (surveys report "as of December"). Counts become shares
by dividing by the population they come from, so a 3,000-consumer simulation fits a country of millions.
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
    from adoptsim.studies.calibration.spec import SegmentTarget, Target

MEASURES = {
    "active_share": "share_active",
    "ever_adopted_share": "share_ever_adopted",
    "active_count": "share_active",
    "ever_adopted_count": "share_ever_adopted",
}
"""What a target measures -> the recorder column it is compared with (counts after scaling)."""


def parse_date(text: str) -> pd.Timestamp:
    """A date; a bare month `YYYY-MM` is its last day, a bare year `YYYY` its 31 December."""
    text = str(text).strip()
    if re.fullmatch(r"\d{4}(\.0)?", text):
        return pd.Timestamp(year=int(float(text)), month=12, day=31)
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
    """A decimal year as a time of day (2011.5 -> 2011-07-02 12:00); see calendar_date for a date."""
    whole = int(np.floor(year))
    start = pd.Timestamp(year=whole, month=1, day=1)
    return start + (pd.Timestamp(year=whole + 1, month=1, day=1) - start) * (year - whole)


def calendar_date(year: float) -> pd.Timestamp:
    """A decimal year as the nearest calendar date (midnight). A date's decimal year is a float, so
    date_of(decimal_year(d)) may fall a hair before midnight of d: truncating it gave the day
    before, and printing it a time of 23:59:59.999998; rounding gives d back exactly."""
    return date_of(year).round("D")


def read_observations(target: Target, csv: Path, shown: str, holdout: int, field: str = "target") -> pd.DataFrame:
    """A row per observation of the target curve: series, column, minus, over (what is simulated),
    observed (target units), share, weight, heldout, date (or NaT), step (or NaN)."""
    where = f"{field}: {target.file}" if field != "target" else "target.file"
    if not csv.is_file():
        raise ScenarioError(shown, where if field != "target" else "target.file", f"file not found: {target.file}")
    try:
        table = pd.read_csv(csv, dtype={"date": str})
    except (OSError, ValueError) as err:
        raise ScenarioError(shown, where, f"cannot be read as CSV ({err})") from None
    if target.column not in table.columns:
        raise ScenarioError(
            shown,
            "target.column" if field == "target" else field,
            f"no column '{target.column}' in {target.file} ({', '.join(table)})",
        )
    if "date" not in table.columns and "step" not in table.columns:
        raise ScenarioError(shown, where, f"{target.file} needs a `date` or a `step` column")
    if table.empty:
        raise ScenarioError(shown, where, f"{target.file} has no observations")
    values = pd.to_numeric(table[target.column], errors="coerce")
    if values.isna().any():  # a blank cell, NaN or text: an observation is never dropped unsaid
        first = int(table.index[values.isna()][0])
        cell = table[target.column].iat[first]
        what = "no value" if pd.isna(cell) else f"'{cell}'"
        problem = f"{target.column} has {what}; values must be numbers (leave out a row with none)"
        raise ScenarioError(shown, where, f"line {first + 2}: {problem}")
    rows = pd.DataFrame(
        {"series": "target", "column": MEASURES[target.measure], "minus": None, "over": None, "observed": values}
    )
    when = "date" if "date" in table.columns else "step"
    if table[when].isna().any():
        line = int(table.index[table[when].isna()][0]) + 2
        raise ScenarioError(shown, where, f"line {line}: the {when} is missing")
    if when == "date":
        try:
            rows["date"] = [parse_date(d) for d in table["date"]]
        except (ValueError, TypeError) as err:
            raise ScenarioError(shown, where, f"a date cannot be read ({err})") from None
        rows["step"] = np.nan
    else:
        rows["date"] = pd.NaT
        rows["step"] = pd.to_numeric(table["step"], errors="coerce")
        if rows["step"].isna().any() or (rows["step"] < 0).any():
            raise ScenarioError(shown, where, "step: must be whole numbers from 0")
    twice = rows[when].duplicated(keep=False)
    if twice.any():
        value = rows[when][twice].iloc[0]
        lines = [int(i) + 2 for i in rows.index[rows[when] == value]]
        shown_value = value.date().isoformat() if when == "date" else int(value)
        places = " and ".join(map(str, lines[:2]))
        raise ScenarioError(shown, where, f"{when} {shown_value} appears twice (lines {places} of {target.file})")
    rows["share"] = rows["observed"] / (target.population or 1.0)
    if ((rows["share"] < 0) | (rows["share"] > 1)).any():
        raise ScenarioError(shown, where, "observed shares must lie in [0, 1] (check measure and population)")
    rows["weight"] = 1.0
    if holdout >= len(rows):
        raise ScenarioError(shown, "holdout", f"must leave observations to fit ({len(rows)} in {target.file})")
    rows["heldout"] = False
    if holdout:
        rows.loc[rows.index[-holdout:], "heldout"] = True
    return rows


def segment_rows(market: str, segment: SegmentTarget) -> pd.DataFrame:
    """The row of a segment target (a share, a gap `series - minus` or a ratio `series / over`)."""
    label = segment.series
    if segment.minus is not None:
        label = f"{segment.series} - {segment.minus}"
    elif segment.over is not None:
        label = f"{segment.series} / {segment.over}"
    row = {
        "market": market,
        "series": label,
        "column": segment.series,
        "minus": segment.minus,
        "over": segment.over,
        "observed": segment.value,
        "share": segment.value,
        "weight": segment.weight,
        "heldout": False,
        "date": pd.NaT if segment.date is None else pd.Timestamp(segment.date),
        "step": np.nan if segment.step is None else float(segment.step),
        "scale": 1.0,
    }
    return pd.DataFrame([row])
