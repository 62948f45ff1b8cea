"""The calibration's figures, drawn from its tables alone (adoptsim/figures/calibration.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from adoptsim.figures.calibration import fit_figure, forecast_figure


class StepProblem:
    """What the figures read of a calibration problem: its name, target and time axis (steps here)."""

    spec = SimpleNamespace(name="curve", steps_per_year=52)
    target = SimpleNamespace(column="users", measure="ever_adopted_share", population=None)
    parts = [SimpleNamespace(name="", target=target)]

    def launch_year(self, values: dict[str, float], part: object = None) -> None:
        return None


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    steps = np.arange(0, 40, 4)
    observed = 0.5 / (1 + np.exp(-(steps - 20) / 5))
    fit = pd.DataFrame(
        {
            "date": "",
            "step": steps,
            "observed": observed,
            "simulated": observed + 0.01,
            "lower": observed - 0.02,
            "upper": observed + 0.03,
            "heldout": steps >= 32,
            "series": "target",
            "market": "",
        }
    )
    forecast_steps = np.arange(0, 80)
    mean = 0.5 / (1 + np.exp(-(forecast_steps - 20) / 5))
    forecast = pd.DataFrame(
        {
            "time": forecast_steps,
            "step": forecast_steps,
            "mean": mean,
            "median": mean,
            "lower": mean - 0.02,
            "upper": mean + 0.03,
            "market": "",
        }
    )
    return fit, forecast


def test_fit_shows_the_data_span_with_its_band_and_marks_held_out_points():
    fit, forecast = tables()
    ax = fit_figure(StepProblem(), fit, forecast, {}).axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert labels[-2:] == ["observed (fitted)", "observed (held out)"]
    median, best = ax.get_lines()  # the ensemble's median inside its band; the best fit's mean dashed
    assert median.get_xdata().max() == best.get_xdata().max() == fit["step"].max()  # the fit stops with the data
    assert ax.get_title().startswith("curve: R²") and "RMSE" in ax.get_title()
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "users\n(ever adopted share)"


def test_forecast_draws_the_ensembles_median_and_the_best_fit_past_the_data_each_labelled():
    fit, forecast = tables()
    forecast["mean"] += 0.01  # the best fit's mean, beside the ensemble's median
    ax = forecast_figure(StepProblem(), fit, forecast, {}).axes[0]
    median, best, end = ax.get_lines()
    assert median.get_xdata().max() == best.get_xdata().max() == 79
    assert list(best.get_ydata()) == list(forecast["mean"]) and best.get_linestyle() == "--"
    labels = dict(zip(ax.get_legend_handles_labels()[0], ax.get_legend_handles_labels()[1], strict=True))
    assert "median" in labels[median] and "ensemble" in labels[median]  # never read as the best fit
    assert labels[best].startswith("best fit") and "calibrated.yaml" in labels[best]
    assert list(end.get_xdata()) == [28, 28]  # the last fitted (not held-out) observation
    assert "end of fitted data" in ax.get_legend_handles_labels()[1]
