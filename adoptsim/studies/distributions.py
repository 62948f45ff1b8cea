"""Distributions of uncertain inputs: a pydantic spec (a mapping with a `type`) and a sampler.

Used wherever a parameter is uncertain rather than swept over values: sampled sweep designs
(`parameters.X.distribution` in experiment files), `adoptsim compare --uncertain`, and priors of
calibrations. Every distribution is sampled by its inverse CDF, x = F^-1(u), so one design in
the unit cube (Latin hypercube, Sobol, Morris) serves any mix of distributions, and a draw of u
gives the same x in every scenario (common random numbers over inputs).

Unbounded tails: u is clipped to [0.001, 0.999] before F^-1, so a design point at u = 0 or 1
(Morris levels, the first Sobol point) gives the 0.1 % or 99.9 % quantile, not an infinity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from adoptsim.errors import ScenarioError
from adoptsim.scenario.schema import Positive, StrictModel

TAIL = 1e-3
"""u is clipped to [TAIL, 1 - TAIL] before the inverse CDF."""


class Sampler(Protocol):
    """What a resolved distribution offers (scipy's frozen distributions have it)."""

    def ppf(self, q: np.ndarray) -> np.ndarray: ...

    def mean(self) -> float: ...


REQUIRED = {
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
    "triangular": ("low", "mode", "high"),
    "beta": ("a", "b"),
    "empirical": ("file",),
}
OPTIONAL = {"normal": ("low", "high"), "beta": ("low", "high"), "empirical": ("column",)}
DISTRIBUTION_TYPES = tuple(REQUIRED)


class Distribution(StrictModel):
    """A distribution by `type` and its parameters, e.g. `{type: normal, mean: 0.3, sd: 0.05}`.

    | type | parameters | law |
    |---|---|---|
    | uniform | low, high | every value in [low, high] equally likely (what `range` is) |
    | normal | mean, sd; optional low, high | normal, truncated to [low, high] if given |
    | lognormal | median, sigma | exp(N(log median, sigma^2)): positive, right-skewed |
    | triangular | low, mode, high | an expert's minimum, best guess, maximum |
    | beta | a, b; optional low, high (0, 1) | Beta(a, b) on [low, high], mean low + (high-low) a/(a+b) |
    | empirical | file; optional column | the values of a CSV column, each equally likely |
    """

    type: Literal["uniform", "normal", "lognormal", "triangular", "beta", "empirical"] = Field(
        description="Kind of distribution."
    )
    low: float | None = Field(None, description="uniform, triangular: lower end; normal, beta: truncation/support.")
    high: float | None = Field(None, description="uniform, triangular: upper end; normal, beta: truncation/support.")
    mean: float | None = Field(None, description="normal: mean.")
    sd: Positive | None = Field(None, description="normal: standard deviation.")
    median: Positive | None = Field(None, description="lognormal: median.")
    sigma: Positive | None = Field(None, description="lognormal: standard deviation of the logarithm.")
    mode: float | None = Field(None, description="triangular: most likely value.")
    a: Positive | None = Field(None, description="beta: first shape parameter.")
    b: Positive | None = Field(None, description="beta: second shape parameter.")
    file: str | None = Field(None, description="empirical: CSV file, relative to the file that names it.")
    column: str | None = Field(None, description="empirical: column to read (default: the only numeric one).")

    @model_validator(mode="after")
    def _parameters_fit_the_type(self) -> Distribution:
        required, optional = REQUIRED[self.type], OPTIONAL.get(self.type, ())
        given = [name for name in type(self).model_fields if name != "type" and getattr(self, name) is not None]
        missing = [name for name in required if name not in given]
        if missing:
            raise ValueError(f"{missing[0]}: a {self.type} distribution needs {', '.join(required)}")
        for name in given:
            if name not in required + optional:
                takes = ", ".join(required + optional)
                raise ValueError(f"{name}: not a parameter of a {self.type} distribution (it takes {takes})")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low: must be below high ({self.high}) (got {self.low})")
        if self.type == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode: must be between low ({self.low}) and high ({self.high}) (got {self.mode})")
        return self

    def sampler(self, folder: Path) -> Sampler:
        """The frozen distribution (scipy.stats), reading an empirical CSV relative to `folder`."""
        from scipy import stats  # 0.5 s: only when an experiment samples

        low, high = self.low, self.high
        if self.type == "uniform":
            return stats.uniform(loc=low, scale=high - low)
        if self.type == "normal":
            if low is None and high is None:
                return stats.norm(loc=self.mean, scale=self.sd)
            a = -np.inf if low is None else (low - self.mean) / self.sd
            b = np.inf if high is None else (high - self.mean) / self.sd
            return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)
        if self.type == "lognormal":
            return stats.lognorm(s=self.sigma, scale=self.median)
        if self.type == "triangular":
            return stats.triang(c=(self.mode - low) / (high - low), loc=low, scale=high - low)
        if self.type == "beta":
            low, high = low if low is not None else 0.0, high if high is not None else 1.0
            return stats.beta(self.a, self.b, loc=low, scale=high - low)
        return EmpiricalSampler(read_values(folder / self.file, self.column))


class EmpiricalSampler:
    """The empirical distribution of some values: F^-1(u) = the smallest value with ECDF >= u."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = np.sort(np.asarray(values, dtype=float))

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return np.quantile(self.values, q, method="inverted_cdf")

    def mean(self) -> float:
        return float(self.values.mean())


def read_values(path: Path, column: str | None) -> np.ndarray:
    """The numbers of one CSV column (ValueError with a one-line reason)."""
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not a readable CSV ({str(err).splitlines()[0]})") from None
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    if column is None:
        if len(numeric) != 1:
            raise ValueError(f"{path} has {len(numeric)} numeric columns ({', '.join(numeric)}): name one with column")
        column = numeric[0]
    if column not in table.columns:
        raise ValueError(f"column '{column}' not in {path} (columns: {', '.join(map(str, table.columns))})")
    values = pd.to_numeric(table[column], errors="coerce").dropna().to_numpy()
    if values.size == 0:
        raise ValueError(f"column '{column}' of {path} holds no numbers")
    return values


def resolve(spec: Distribution, source: str | Path, where: str) -> Sampler:
    """The sampler of a spec found in file `source` at field `where` (files relative to it)."""
    try:
        return spec.sampler(Path(source).parent)
    except ValueError as err:
        raise ScenarioError(str(source), where, str(err)) from None


def quantiles(sampler: Sampler, u: np.ndarray) -> np.ndarray:
    """F^-1(u), with u clipped away from 0 and 1 (see the module docstring)."""
    return np.asarray(sampler.ppf(np.clip(np.asarray(u, dtype=float), TAIL, 1 - TAIL)), dtype=float)


def latin_hypercube(samplers: dict[str, Sampler], n: int, seed: int) -> pd.DataFrame:
    """`n` draws of every input (a column each), stratified: each input's n draws fall one in each
    of n equal-probability bins (scipy.stats.qmc.LatinHypercube), independent across inputs."""
    from scipy import stats

    unit = stats.qmc.LatinHypercube(d=len(samplers), seed=np.random.default_rng(seed)).random(n)
    return pd.DataFrame({name: quantiles(s, unit[:, i]) for i, (name, s) in enumerate(samplers.items())})
