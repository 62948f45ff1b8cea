"""Plots: bands computed as labelled, actual intervention windows, and figures a planner can read
(no two labels overlap, legends outside the data, money and parameter paths in words)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pandas as pd
import pytest
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import stats

from adoptsim.figures import analysis, kpi_plots, plots
from adoptsim.figures.formatting import difference, kpi_label, kpi_value, money, number, parameter_label, with_interval
from adoptsim.figures.plot_style import band_label, mean_band, readable_on, text_overlaps, texts_cut
from adoptsim.figures.plots import adoption_figure, timeline_figure
from adoptsim.results.windows import Window, intervention_windows

LONG_NAMES = [
    "baseline",
    "seniors_training",
    "paypal_referral",
    "merchant_deal_with_long_name",
    "security_campaign",
    "awareness_campaign",
    "community_event_rural",
]


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": [0, 1, 2, 0, 1, 2],
            "step": [0, 0, 0, 1, 1, 1],
            "share_active": [0.0, 0.0, 0.0, 0.1, 0.2, 0.3],
            "share_ever_adopted": [0, 0, 0, 0.2, 0.3, 0.4],
        }
    )


def series(names: list[str], reps: int = 3, steps: int = 60, spend: dict[str, float] | None = None) -> pd.DataFrame:
    """A synthetic multi-scenario time series with segments, stages and spend columns."""
    rng = np.random.default_rng(1)
    rows = []
    for k, name in enumerate(names):
        for rep in range(reps):
            t = np.arange(steps + 1)
            active = 0.9 / (1 + np.exp(-(t - 30 + 2 * k) / 6)) + rng.normal(0, 0.005, t.size)
            frame = pd.DataFrame({"scenario": name, "replication": rep, "step": t, "share_active": active})
            frame["share_ever_adopted"] = active + 0.02
            for label, scale in (("18-29", 1.1), ("30-44", 1.0), ("45-59", 0.8), ("60+", 0.5)):
                frame[f"share_active_age_{label}"] = active * scale
            for label, scale in (("urban", 1.1), ("rural", 0.7)):
                frame[f"share_active_region_{label}"] = active * scale
            for label, scale in (("low", 0.6), ("middle", 1.0), ("high", 1.2)):
                frame[f"share_active_income_{label}"] = active * scale
            for age, a in (("18-29", 1.1), ("30-44", 1.0), ("45-59", 0.8), ("60+", 0.5)):
                for region, b in (("urban", 1.05), ("rural", 0.8)):
                    frame[f"share_active_agegroup_region_{age}_{region}"] = active * a * b
            frame["n_active"] = 1000 * active
            frame["n_aware"] = 1000 * (1 - active) * 0.5
            frame["n_unaware"] = 1000 * (1 - active) * 0.5
            frame["n_lapsed"] = 10.0
            for column, per_step in (spend or {}).items():
                frame[column] = np.where((t >= 1) & (t <= 40), per_step, 0.0)
            rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def equal_spend_summary(names: list[str]) -> pd.DataFrame:
    """Every scenario spends the same: the case where labels used to sit on one row."""
    n = len(names)
    gain = np.linspace(0, 3000, n)
    spend = np.where(gain > 0, 150000.0, 0.0)
    return pd.DataFrame(
        {
            "scenario": names,
            "incremental_adopters_mean": gain,
            "incremental_adopters_ci_low": gain - 100,
            "incremental_adopters_ci_high": gain + 100,
            "total_spend_mean": spend,
            "total_spend_ci_low": spend,
            "total_spend_ci_high": spend,
        }
    )


def test_ci_band_is_the_t_interval_of_the_mean_and_range_band_is_min_to_max():
    ci = mean_band(table(), "share_active").iloc[1]
    half = stats.t.ppf(0.975, 2) * 0.1 / 3**0.5
    assert 0.2 - half < 0, "the t interval reaches below 0 here; a share's band stops at 0"
    assert (ci["mean"], ci["low"], ci["high"]) == pytest.approx((0.2, 0.0, 0.2 + half))
    trust = mean_band(table().rename(columns={"share_active": "mean_trust"}), "mean_trust").iloc[1]
    assert trust["low"] == 0.0, "a quantity never negative keeps its band at or above 0"
    signed = table().assign(net=lambda t: t["share_active"] - 0.1)
    assert mean_band(signed, "net").iloc[1]["low"] == pytest.approx(0.1 - half), "a signed quantity is not clipped"
    two = table()[table()["replication"] < 2]
    pair = mean_band(two, "share_active").iloc[1]
    assert (pair["low"], pair["high"]) == pytest.approx(tuple(sorted(two[two["step"] == 1]["share_active"])))
    spread = mean_band(table(), "share_active", band="range").iloc[1]
    assert (spread["low"], spread["high"]) == pytest.approx((0.1, 0.3))


def test_band_labels_say_what_the_band_is():
    assert band_label(5) == "95 % CI of the mean (5 reps)"
    assert band_label(5, "range") == "spread of 5 replications (min to max)"
    assert band_label(1) == "single replication: no band"
    assert band_label(2) == "spread of 2 replications (too few for a 95 % CI)"
    window = Window("ads", "awareness_campaign", 0, 1, 1, None, 0, 3)
    figure = adoption_figure(table(), windows=[window], band="range")
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "spread of 3 replications (min to max)" in labels


def spend_series(per_step: list[float], reps: int = 3) -> pd.DataFrame:
    rows = [
        {"replication": r, "step": s, "spend_ads": value, "spend_total": value}
        for r in range(reps)
        for s, value in enumerate([0.0, *per_step])
    ]
    return pd.DataFrame(rows)


def test_actual_window_is_cut_at_the_last_paid_step_when_the_budget_ran_out():
    scenario = {"steps": 10, "interventions": [{"name": "ads", "type": "t", "start": 0, "end": 8, "budget": 300.0}]}
    ran_out = spend_series([100, 100, 100, 0, 0, 0, 0, 0, 0, 0])
    (window,) = intervention_windows(scenario, ran_out)
    assert (window.start, window.planned_end, window.end) == (0, 8, 2)
    assert window.cut_short and window.ran_out == 2 and window.ran_out_in == 3

    plenty = {"steps": 10, "interventions": [{**scenario["interventions"][0], "budget": 10000.0}]}
    (window,) = intervention_windows(plenty, ran_out)
    assert window.end == 8 and not window.cut_short and window.ran_out is None
    (window,) = intervention_windows(scenario)
    assert window.end == 8


def test_the_engine_flag_says_the_money_ran_out_when_a_unit_no_longer_fits_the_budget():
    """Deals of 500 from a budget of 1,234: two are paid (81 % spent) and the third no longer fits,
    so the engine flags the intervention out of money; the window ends at its last paid step."""
    scenario = {"steps": 10, "interventions": [{"name": "ads", "type": "t", "start": 0, "end": 8, "budget": 1234.0}]}
    series = spend_series([500, 500, 0, 0, 0, 0, 0, 0, 0, 0])
    series["exhausted_ads"] = (series["step"] >= 3).astype(float)  # from the step that wanted a third
    (window,) = intervention_windows(scenario, series)
    assert window.cut_short and (window.end, window.ran_out, window.ran_out_in) == (1, 1, 3)
    series["exhausted_ads"] = 0.0  # never short of money: the deals simply stopped being wanted
    (window,) = intervention_windows(scenario, series)
    assert not window.cut_short and window.ran_out is None


def test_an_intervention_that_stops_paying_with_money_left_is_shown_paying_for_nothing():
    """Training that ran out of people, not money: it paid 100 in steps 0-3 and nothing after,
    with most of its budget left. The table says so, and the timeline's solid bar ends at step 3."""
    from adoptsim.report.sections.question import acting

    scenario = {"steps": 10, "interventions": [{"name": "ads", "type": "t", "start": 0, "end": 8, "budget": 5000.0}]}
    (window,) = intervention_windows(scenario, spend_series([100, 100, 100, 100, 0, 0, 0, 0, 0, 0]))
    assert (window.end, window.ran_out, window.last_paid, window.paid_to) == (8, None, 3, 3)
    assert window.stopped_paying and acting(window) == "0 to 8; nothing paid after week 3"
    figure = timeline_figure({"s": [window]}, 10, ["s"])
    bars = [c for c in figure.axes[0].collections if c.get_facecolor().any() and c.get_hatch() is None]
    assert [tuple(map(float, b.get_paths()[0].get_extents().intervalx)) for b in bars] == [(0.0, 4.0), (4.0, 9.0)]
    # paying to its end, or paying once (a fixed cost at its start): not "stopped"
    (window,) = intervention_windows(scenario, spend_series([100] * 9 + [0]))
    assert not window.stopped_paying and acting(window) == "0 to 8"
    (window,) = intervention_windows(scenario, spend_series([900] + [0] * 9))
    assert window.last_paid is None and not window.stopped_paying


def test_a_shared_scenario_budget_running_out_cuts_every_window():
    scenario = {
        "steps": 10,
        "budget": {"total": 400.0},
        "interventions": [{"name": "ads", "type": "t", "start": 1, "end": None}],
    }
    (window,) = intervention_windows(scenario, spend_series([0, 200, 200, 0, 0, 0, 0, 0, 0, 0]))
    assert (window.start, window.planned_end, window.end) == (1, 9, 2)


def test_paths_money_and_kpis_read_as_words():
    assert parameter_label("interventions[refer_a_friend].reward") == "refer_a_friend: reward"
    assert parameter_label("behaviour.q_wom") == "behaviour: q_wom"
    assert money(150000, "USD") == "150,000 USD"
    assert money(45.4, "EUR") == "45.40 EUR"
    assert kpi_label("steps_to_30pct_active") == "weeks to 30 % active"
    assert kpi_value("final_active_share", 0.3012) == "30.1 %"
    assert kpi_value("total_spend", 1.5e5, "USD") == "150,000 USD"
    assert difference("steps_to_30pct_active", -9.5, -11, -8) == "-9.5 weeks (-11.0 to -8.0)"
    assert difference("final_active_share", 0.032, 0.01, 0.054) == "+3.2 points (+1.0 to +5.4)"


def test_durations_read_as_weeks_and_points_in_time_as_week_numbers():
    assert kpi_value("steps_to_30pct_active", 32.4) == "32 weeks"
    assert kpi_value("steps_to_50pct_ever_adopted", 1.0) == "1 week"
    assert kpi_value("steps_to_30pct_active", float("nan")) == "-"
    assert kpi_value("peak_adoption_step", 32) == "week 32"
    assert with_interval("steps_to_30pct_active", 57.2, 54.4, 60.1) == "57 weeks (54 to 60)"
    assert kpi_label("steps_to_12.5pct_ever_adopted") == "weeks to 12.5 % ever adopted"
    assert kpi_label("roi_at_52") == "return on spend (includes value after week 52) at week 52"
    assert kpi_label("final_active_share_at_52") == "active share at week 52"  # not "at the end at week 52"
    assert kpi_label("incremental_adopters_at_26") == "adopters ahead at week 26"
    assert kpi_label("not_a_kpi_column") == "not a kpi column"


def test_one_number_formatter_serves_figures_and_text_tables():
    assert (number(1234.5), number(0.012345), number(float("nan"))) == ("1,234", "0.0123", "-")
    assert number(1234.5, digits=4, grouped_from=1e4) == "1234"  # the commands' tables: 4 digits
    assert number(12345.6, digits=4, grouped_from=1e4, sign="+") == "+12,346"
    assert parameter_label("interventions[0].reward") == "0: reward"
    assert parameter_label("network.params.k") == "network: params.k"
    assert parameter_label("interventions[ads].target.segments[0]") == "ads: target.segments[0]"


def test_text_overlaps_finds_labels_printed_on_each_other():
    figure = Figure()
    ax = figure.add_subplot()
    ax.text(0.5, 0.5, "refer_a_friend")
    ax.text(0.5, 0.5, "classes_60plus")
    assert ("refer_a_friend", "classes_60plus") in text_overlaps(figure)


def legend_clear_of_data(figure: Figure) -> bool:
    """Every legend's box lies outside every data area (axes) of the figure."""
    renderer = figure.canvas.get_renderer()
    legends = [ax.get_legend() for ax in figure.axes if ax.get_legend() is not None] + list(figure.legends)
    areas = [ax.get_window_extent(renderer).padded(-1) for ax in figure.axes if ax.get_visible()]
    return bool(legends) and all(
        not legend.get_window_extent(renderer).overlaps(area) for legend in legends for area in areas
    )


def windows_of(names: list[str]) -> dict[str, list[Window]]:
    return {
        name: [
            Window("refer_a_friend", "referral", 0, 51, 41, 41.0, 3, 3),
            Window("classes_60plus", "training", 4, 56, 56, None, 0, 3),
            Window("seniors_events_rural", "community_event", 4, 56, 56, None, 0, 3),
        ]
        for name in names[1:3]
    }


FIGURES = {
    "adoption": lambda: plots.adoption_figure(
        series(["a"]), "seniors_training", windows_of(LONG_NAMES)["seniors_training"]
    ),
    "funnel": lambda: plots.funnel_figure(series(["a"])),
    "funnel_grid": lambda: plots.funnel_grid_figure(series(LONG_NAMES)),
    "segments": lambda: plots.segments_figure(series(["a"])),
    "comparison": lambda: plots.comparison_figure(series(LONG_NAMES), "baseline", "ci", windows_of(LONG_NAMES)),
    "comparison_segments": lambda: plots.comparison_segments_figure(series(LONG_NAMES)),
    "cost_effectiveness": lambda: kpi_plots.cost_effectiveness_figure(equal_spend_summary(LONG_NAMES), "USD"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FIGURES))
def test_figures_have_no_overlapping_labels_and_legends_outside_the_data(name):
    figure = FIGURES[name]()
    assert text_overlaps(figure) == []
    assert legend_clear_of_data(figure)


def test_cost_effectiveness_has_lines_of_equal_cost_and_money_ticks():
    figure = kpi_plots.cost_effectiveness_figure(equal_spend_summary(LONG_NAMES[:3]), "USD")
    ax = figure.axes[0]
    (legend,) = figure.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert any("USD per extra adopter" in label for label in labels)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    plot, box = ax.get_window_extent(renderer), legend.get_window_extent(renderer)
    assert box.y1 <= plot.y0  # under the plot: at its right, the labels took half the figure's width
    assert plot.width >= 0.8 * figure.bbox.width
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "150,000" in ticks or "100,000" in ticks
    assert not any("e+" in t for t in ticks)
    assert ax.get_ylabel() == "total spend (USD)"


def sweep_summary() -> pd.DataFrame:
    rows = []
    for point, (reward, wom) in enumerate([(0.2, 0.02), (0.8, 0.02), (0.2, 0.08), (0.8, 0.08)]):
        for metric, mean in (("final_active_share", reward * wom * 10), ("total_spend", 150000.0 * reward + wom)):
            rows.append(
                {
                    "point": point,
                    "interventions[refer_a_friend].reward": reward,
                    "behaviour.q_wom": wom,
                    "metric": metric,
                    "mean": mean,
                    "ci_low": mean * 0.9,
                    "ci_high": mean * 1.1,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_sweep_figures_read_parameter_paths_as_words_and_do_not_overlap():
    parameters = ["interventions[refer_a_friend].reward", "behaviour.q_wom"]
    response = analysis.response_figure(sweep_summary(), parameters, "total_spend")
    assert response.axes[0].get_xlabel() == "refer_a_friend: reward"
    assert text_overlaps(response) == [] and legend_clear_of_data(response)
    heatmap = analysis.heatmap_figure(sweep_summary(), parameters, "total_spend")
    assert heatmap.axes[0].get_ylabel() == "behaviour: q_wom"
    assert text_overlaps(heatmap) == []
    cells = [t.get_text() for t in heatmap.axes[0].texts]
    assert "120,000" in cells and not any("e+" in c for c in cells)


def test_heatmap_numbers_are_dark_on_light_cells_and_light_on_dark_cells():
    viridis = colormaps["viridis"]
    assert readable_on(viridis(1.0)) == "black"
    assert readable_on(viridis(0.0)) == "white"
    heatmap = analysis.heatmap_figure(
        sweep_summary(), ["interventions[refer_a_friend].reward", "behaviour.q_wom"], "total_spend"
    )
    colours = {t.get_text(): t.get_color() for t in heatmap.axes[0].texts}
    assert colours["120,000"] == "black" and colours["30,000"] == "white"


@pytest.mark.slow
def test_sensitivity_and_scatter_figures_do_not_overlap():
    indices = pd.DataFrame(
        [
            {"metric": m, "parameter": p, "S1": 0.3, "S1_conf": 0.05, "ST": 0.4, "ST_conf": 0.05}
            for m in ("final_active_share", "total_spend")
            for p in ("interventions[refer_a_friend].reward", "behaviour.q_wom", "interventions[classes].seats")
        ]
    )
    figure = analysis.sensitivity_figure(indices, "sobol")
    assert text_overlaps(figure) == [] and legend_clear_of_data(figure)
    assert "refer_a_friend: reward" in [t.get_text() for t in figure.axes[0].get_xticklabels()]
    scatter = analysis.scatter_figure(
        sweep_summary(), ["interventions[refer_a_friend].reward", "behaviour.q_wom"], "total_spend"
    )
    assert text_overlaps(scatter) == []
    seven = sweep_summary()
    names = [f"behaviour.b_{i}" for i in range(7)]
    for i, name in enumerate(names):
        seven[name] = seven["point"] * (i + 1)
    wide = analysis.scatter_figure(seven, names, "total_spend")  # was a 28 x 4 in strip, unreadable at page width
    assert wide.get_size_inches()[0] <= 12 and sum(ax.get_visible() for ax in wide.axes) == 7
    assert text_overlaps(wide) == [] and texts_cut(wide) == []


def test_adoption_figure_shades_the_actual_window_not_the_planned_one():
    cut = Window("refer_a_friend", "referral", 0, 51, 41, 41.0, 3, 3)
    figure = plots.adoption_figure(series(["a"]), "a", [cut])
    spans = [p for p in figure.axes[0].patches if p.get_width() > 0 and p.get_height() >= 1]
    assert [(s.get_x(), s.get_x() + s.get_width()) for s in spans] == [(0, 42)]


@pytest.mark.slow
def test_age_by_region_is_one_family_labelled_in_words():
    families = plots.segment_families(list(series(["a"], reps=1, steps=2).columns))
    assert set(families) == {"age", "region", "income", "agegroup_region"}
    assert plots.segment_label(families["agegroup_region"][0], "agegroup_region") == "18-29 urban"
    figure = plots.comparison_segments_figure(series(LONG_NAMES, steps=5))
    titles = [ax.get_title() for ax in figure.axes]
    assert "Active share at the last step by age group x region" in titles
    assert not any("agegroup" in t for t in titles)
    assert text_overlaps(figure) == []


def test_guides_of_equal_cost_each_have_their_own_dash_pattern():
    summary = equal_spend_summary(LONG_NAMES[:3])
    summary["incremental_adopters_mean"] = [10.0, 100.0, 5000.0]
    figure = kpi_plots.cost_effectiveness_figure(summary, "EUR")
    guides = [line for line in figure.axes[0].get_lines() if "per extra adopter" in str(line.get_label())]
    assert len(guides) >= 4
    dashes = [tuple(line.get_dashes() if hasattr(line, "get_dashes") else line._dash_pattern[1]) for line in guides]
    assert len(set(dashes)) == len(guides), [line.get_label() for line in guides]


def test_colour_and_marker_pair_is_unique_past_eight_scenarios():
    from adoptsim.figures.plot_style import color, marker

    pairs = [(color(i), marker(i)) for i in range(20)]
    assert len(set(pairs)) == 20


def test_morris_whiskers_stop_at_zero():
    indices = pd.DataFrame(
        [
            {
                "metric": "final_active_share",
                "parameter": p,
                "mu_star": mu,
                "mu_star_conf": 0.05,
                "mu": mu,
                "sigma": 0.1,
            }
            for p, mu in (("behaviour.q_wom", 0.02), ("behaviour.p_media", 0.3))
        ]
    )
    figure = analysis.sensitivity_figure(indices, "morris")
    lows = [
        segment[:, 1].min()
        for collection in figure.axes[0].collections
        for segment in getattr(collection, "get_segments", lambda: [])()
    ]
    assert lows and min(lows) >= 0.0


def test_paired_sweep_ticks_name_every_parameter_not_tuples_and_money_has_its_currency():
    rows = []
    for point, (share, seats) in enumerate([(0.0, 0), (0.25, 32), (0.5, 63), (1.0, 125)]):
        rows.append(
            {
                "point": point,
                "budget.shares.classes": share,
                "interventions[classes].seats": seats,
                "metric": "total_spend",
                "mean": 1000.0 * point,
                "ci_low": 900.0 * point,
                "ci_high": 1100.0 * point,
            }
        )
    parameters = ["budget.shares.classes", "interventions[classes].seats"]
    figure = analysis.response_figure(pd.DataFrame(rows), parameters, "total_spend", True, "EUR")
    ax = figure.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[1] == "budget: shares.classes = 0.25\nclasses: seats = 32"
    assert not any("(" in t for t in ticks)
    assert ax.get_ylabel() == "total spend (EUR)"
    assert text_overlaps(figure) == []
    # four parameters moving together and a KPI whose name says what it includes, as
    # experiments/training_vs_security_budget.yaml's net value: nothing on another, nothing cut
    four = pd.DataFrame(rows).assign(
        **{"budget.shares.security": lambda t: 1 - t["budget.shares.classes"], "interventions[security].reach": 0.125}
    )
    four["metric"] = "net_value"
    parameters += ["budget.shares.security", "interventions[security].reach"]
    figure = analysis.response_figure(four, parameters, "net_value", True, "EUR")
    assert text_overlaps(figure) == [] and texts_cut(figure) == []
    assert figure.axes[0].get_ylabel() == "net value (EUR)" and figure.axes[0].get_legend() is None
    assert figure.get_suptitle().startswith("net value (includes value after the run's last week)\n")


@pytest.mark.slow
def test_calibration_figures_keep_their_legend_off_the_observed_points():
    from types import SimpleNamespace

    from adoptsim.figures.calibration import fit_figure, forecast_figure

    target = SimpleNamespace(column="registered_millions", measure="ever_adopted_count", population=23.3)
    problem = SimpleNamespace(
        spec=SimpleNamespace(name="mpesa"),
        parts=[SimpleNamespace(name="", target=target)],
        launch_year=lambda best, part=None: None,
    )
    steps = np.arange(0, 60, 10)
    fit = pd.DataFrame(
        {
            "step": steps,
            "observed": 0.5 + steps / 10,
            "simulated": 0.5 + steps / 10,
            "lower": 0.4 + steps / 10,
            "upper": 0.6 + steps / 10,
            "heldout": False,
            "series": "target",
            "market": "",
        }
    )
    t = np.arange(0, 120)
    forecast = pd.DataFrame(
        {
            "time": t,
            "step": t,
            "mean": 0.5 + t / 10,
            "median": 0.5 + t / 10,
            "lower": 0.4 + t / 10,
            "upper": 0.6 + t / 10,
            "market": "",
        }
    )
    for figure in (fit_figure(problem, fit, forecast, {}), forecast_figure(problem, fit, forecast, {})):
        assert text_overlaps(figure) == [] and legend_clear_of_data(figure)


def test_a_sigterm_while_a_figure_is_drawn_comes_after_it_is_saved(tmp_path):
    """Matplotlib's C++ drawing turns a signal's exception into its own TypeError (exit 1 and a
    traceback): the signal waits until the figure is written, then stops the command as usual."""
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

    from adoptsim.cli.stopping import Terminated, raise_on_signals
    from adoptsim.results.store import write_figure

    class Terminating(Artist):
        def draw(self, renderer) -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            drawn.append(True)  # the handler would raise before this line

    drawn: list[bool] = []
    figure = Figure()
    figure.add_subplot().plot([0, 1], [0, 1])
    figure.add_artist(Terminating())
    restore = raise_on_signals()
    try:
        with pytest.raises(Terminated):
            write_figure(tmp_path / "f.png", figure)
    finally:
        restore()
    assert drawn and (tmp_path / "f.png").stat().st_size > 0


def test_a_heatmap_keeps_every_point_and_says_which_never_reached_the_target():
    """A reward of 0 never reaches 55 %: its column was dropped from the grid (pivot_table drops
    all-NaN columns), and a mean of 1 of 3 replications was coloured like the others."""
    from adoptsim.figures.analysis import heatmap_figure

    rows = []
    for reward, p, n, mean in [(0, 0.1, 0, np.nan), (0, 1.0, 0, np.nan), (10, 0.1, 1, 103.0), (10, 1.0, 3, 95.6)]:
        rows.append({"reward": reward, "p": p, "metric": "steps_to_55pct_active", "n": n, "of": 3, "mean": mean})
    figure = heatmap_figure(pd.DataFrame(rows), ["reward", "p"], "steps_to_55pct_active")
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "10"]  # the never-reached column is there
    cells = sorted(t.get_text() for t in ax.texts)
    assert cells == ["103\n(1 of 3)", "95.6", "not\nreached", "not\nreached"]
    assert texts_cut(figure) == [] and text_overlaps(figure) == []
    shares = pd.DataFrame(rows).assign(metric="final_active_share", mean=[0.513, 0.52, 0.4, 0.45], n=3)
    cells = sorted(t.get_text() for t in heatmap_figure(shares, ["reward", "p"], "final_active_share").axes[0].texts)
    assert cells == ["40.0 %", "45.0 %", "51.3 %", "52.0 %"]  # as the report writes a share, not 0.513


def test_a_response_figure_marks_means_of_only_some_replications():
    from adoptsim.figures.analysis import response_figure

    summary = pd.DataFrame(
        {
            "point": [0, 1, 2],
            "reward": [10.0, 20.0, 40.0],
            "metric": ["steps_to_55pct_active"] * 3,
            "n": [1, 3, 3],
            "of": [3, 3, 3],
            "mean": [103.8, 98.0, 95.0],
            "ci_low": [float("nan"), 96.0, 93.0],
            "ci_high": [float("nan"), 100.0, 97.0],
        }
    )
    figure = response_figure(summary, ["reward"], "steps_to_55pct_active")
    from matplotlib.collections import PathCollection

    hollow = [c for c in figure.axes[0].collections if isinstance(c, PathCollection)]
    assert len(hollow) == 1 and tuple(hollow[0].get_offsets()[0]) == (10.0, 103.8)
    assert "hollow: reached in only some replications" in figure._suptitle.get_text()
    never = pd.concat([summary, summary.iloc[:1].assign(point=3, reward=0.0, n=0, mean=float("nan"))])
    low, _ = response_figure(never, ["reward"], "steps_to_55pct_active").axes[0].get_xlim()
    assert low < 0.0  # reward 0, reached in no replication, is on the axis as a gap
    assert texts_cut(figure) == []


def percent_ticks_read(axis) -> list[tuple[float, str]]:
    """(tick position, its label) of an axis's major ticks within its view, formatted as a draw
    formats them."""
    low, high = sorted(axis.get_view_interval())
    where = [float(x) for x in axis.get_majorticklocs() if low - 1e-12 <= x <= high + 1e-12]
    return list(zip(where, axis.get_major_formatter().format_ticks(where), strict=True))


SHARE_FIGURES = {
    "adoption": lambda: plots.adoption_figure(series(["a"])),
    "funnel": lambda: plots.funnel_figure(series(["a"])),
    "funnel_grid": lambda: plots.funnel_grid_figure(series(LONG_NAMES[:4])),
    "segments": lambda: plots.segments_figure(series(["a"])),
    "comparison": lambda: plots.comparison_figure(series(LONG_NAMES[:3]), "baseline"),
    "comparison_segments": lambda: plots.comparison_segments_figure(series(LONG_NAMES[:3])),
}


@pytest.mark.parametrize("name", list(SHARE_FIGURES))
def test_every_share_axis_reads_in_percent_as_the_tables_do(name):
    """A planner reads '30 %' in the brief and the tables; the figures beside them said 0.3."""
    figure = SHARE_FIGURES[name]()
    shares = [ax for ax in figure.axes if ax.get_visible() and "share" in ax.get_ylabel()]
    assert shares, "no share axis found"
    for ax in shares:
        ticks = percent_ticks_read(ax.yaxis)
        assert len(ticks) >= 3
        for where, text in ticks:
            assert text.endswith(" %"), (name, text)
            assert float(text.removesuffix(" %")) == pytest.approx(100 * where, abs=0.05), (name, where, text)


def test_a_sweep_of_a_share_reads_in_percent_and_one_of_weeks_does_not():
    summary = pd.DataFrame(
        {
            "point": [0, 1, 2],
            "reward": [10.0, 20.0, 40.0],
            "n": [3, 3, 3],
            "of": [3, 3, 3],
            "ci_low": [0.02, 0.03, 0.045],
            "ci_high": [0.03, 0.04, 0.055],
            "mean": [0.025, 0.035, 0.05],
        }
    )
    share = analysis.response_figure(summary.assign(metric="final_active_share"), ["reward"], "final_active_share")
    texts = [text for _, text in percent_ticks_read(share.axes[0].yaxis)]
    assert all(text.endswith(" %") for text in texts) and {"2.5 %", "3 %"} <= set(texts)  # decimals as a tick needs
    weeks_kpi = "steps_to_30pct_active"
    weeks = analysis.response_figure(summary.assign(metric=weeks_kpi), ["reward"], weeks_kpi)
    assert not any(text.endswith("%") for _, text in percent_ticks_read(weeks.axes[0].yaxis))


def test_a_swept_amount_of_money_names_its_currency_on_its_axis():
    """A reward axis read '0 10 20 40' with no unit beside a KPI in EUR."""
    reward, q = "interventions[refer_a_friend].reward", "behaviour.q_wom"
    grid = [(r, w) for r in (0.0, 20.0) for w in (0.01, 0.02)]
    summary = pd.DataFrame(
        {
            "point": range(4),
            reward: [r for r, _ in grid],
            q: [w for _, w in grid],
            "metric": "final_active_share",
            "n": 3,
            "of": 3,
            "mean": [0.3, 0.4, 0.35, 0.45],
            "ci_low": [0.28, 0.38, 0.33, 0.43],
            "ci_high": [0.32, 0.42, 0.37, 0.47],
        }
    )
    metric = "final_active_share"
    labelled = analysis.response_figure(summary, [reward, q], metric, currency="EUR", money={reward})
    assert labelled.axes[0].get_xlabel() == "refer_a_friend: reward (EUR)"
    assert analysis.response_figure(summary, [reward, q], metric, currency="EUR").axes[0].get_xlabel() == (
        "refer_a_friend: reward"
    )
    heat = analysis.heatmap_figure(summary, [reward, q], metric, currency="", money={reward}).axes[0]
    assert (heat.get_xlabel(), heat.get_ylabel()) == ("refer_a_friend: reward (money)", "behaviour: q_wom")
    scatter = analysis.scatter_figure(summary, [q, reward], metric, "USD", {reward})
    assert [ax.get_xlabel() for ax in scatter.axes if ax.get_visible()] == [
        "behaviour: q_wom",
        "refer_a_friend: reward (USD)",
    ]


def test_a_target_no_design_point_reached_says_so_instead_of_an_empty_axis():
    reward, q = "interventions[refer_a_friend].reward", "behaviour.q_wom"
    grid = [(r, w) for r in (0.0, 20.0) for w in (0.01, 0.02)]
    metric = "steps_to_30pct_active"
    summary = pd.DataFrame(
        {
            "point": range(4),
            reward: [r for r, _ in grid],
            q: [w for _, w in grid],
            "metric": metric,
            "n": 0,
            "of": 3,
            "mean": NAN_ALL,
            "ci_low": NAN_ALL,
            "ci_high": NAN_ALL,
        }
    )
    response = analysis.response_figure(summary, [reward, q], metric).axes[0]
    assert "not reached at any design point" in [t.get_text() for t in response.texts]
    assert list(response.get_yticks()) == []  # no -0.04 to 0.04 weeks
    heat = analysis.heatmap_figure(summary, [reward, q], metric)
    assert len(heat.axes) == 1  # no colour bar of -0.1 to 0.1
    assert [t.get_text() for t in heat.axes[0].texts].count("not\nreached") == 4


NAN_ALL = [float("nan")] * 4
