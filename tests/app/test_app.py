"""The app's adapter without a browser: settings to scenario, runs on common random numbers,
saved files that `adoptsim run` repeats, the network sample, the chart, the command's errors."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from adoptsim.app.controls import apply_settings, changed_settings, control_groups, initial_values
from adoptsim.app.session import Session
from adoptsim.cli.main import main
from adoptsim.errors import ScenarioError
from adoptsim.results.metrics import headline_kpis
from adoptsim.scenario.loading import load_scenario
from adoptsim.studies.runner import run
from tests.conftest import ROOT

REFERRAL = ROOT / "scenarios" / "referral.yaml"


@pytest.fixture(scope="module")
def referral():
    return load_scenario(REFERRAL, ["population.size=2000", "steps=30"])


@pytest.fixture(scope="module")
def session(referral):
    return Session(referral)


def test_controls_are_grouped_labelled_and_hold_the_scenarios_values(referral):
    groups = control_groups(referral)
    titles = [group.title for group in groups]
    assert titles[:3] == ["Population", "Trait means by age group", "Hearing of the wallet"]
    assert all(len(title) <= 30 for title in titles)  # a panel's header shows about 30 letters, then cuts
    assert "Shared budget" in titles
    assert "refer_a_friend (referral)" in titles
    values = initial_values(referral)
    assert values["behaviour.q_wom"] == referral.behaviour.q_wom
    assert values["population.size"] == 2000
    assert values["interventions[refer_a_friend].duration"] == 52  # the file's own duration, past the 30 weeks
    assert values["interventions[refer_a_friend].target.age_groups"] == list(referral.population.age_groups)
    assert values["interventions[refer_a_friend].reward"] == 10.0  # the main intensity is an input
    assert values["population.age_groups.60+.traits.trust.mean"] == 0.40
    assert values["seed"] == referral.seed and values["budget.total"] is None
    for group in groups:
        for control in group.controls:
            assert control.label and " " in control.label  # words, not field names
            if control.kind in ("float", "int") and values[control.path] is not None:
                assert control.low <= values[control.path] <= control.high, control.path


def test_unchanged_settings_give_the_scenario_itself(referral):
    values = initial_values(referral)
    assert changed_settings(referral, values) == {}
    assert apply_settings(referral, values) is referral


def test_settings_reach_the_scenario(referral):
    values = initial_values(referral)
    values.update(
        {
            "behaviour.q_wom": 0.05,
            "interventions[refer_a_friend].budget": 5000.0,
            "interventions[refer_a_friend].start": 4,
            "interventions[refer_a_friend].duration": 10,
            "interventions[refer_a_friend].target.regions": ["rural"],
            "interventions[refer_a_friend].reward": 25.0,
            "population.age_groups.60+.traits.trust.mean": 0.55,
            "seed": 7,
        }
    )
    changed = apply_settings(referral, values)
    referral_change = changed.interventions[0]
    assert changed.behaviour.q_wom == 0.05
    assert (referral_change.budget, referral_change.start, referral_change.planned_end) == (5000.0, 4, 13)
    assert referral_change.target.regions == ["rural"]
    assert referral_change.reward == 25.0 and changed.seed == 7
    assert changed.population.age_groups["60+"].traits["trust"].mean == 0.55
    assert changed.population.age_groups["18-29"].traits["trust"].mean == 0.55  # untouched: the file's 0.55
    assert changed.population.age_groups["45-59"].traits["trust"].mean == 0.45
    assert changed.behaviour.r_a == referral.behaviour.r_a


def test_an_impossible_setting_is_one_line_naming_the_field(referral):
    values = {**initial_values(referral), "interventions[refer_a_friend].target.regions": ["moon"]}
    with pytest.raises(ScenarioError) as caught:
        apply_settings(referral, values)
    message = str(caught.value)
    assert "\n" not in message
    # by name, as the page's inputs name it (it said interventions[0])
    assert message.startswith("app settings: interventions[refer_a_friend].target.regions") and "moon" in message
    values = {**initial_values(referral), "interventions[refer_a_friend].reward": -5}
    with pytest.raises(ScenarioError, match=r"interventions\[refer_a_friend\]\.reward: must be at least 0"):
        apply_settings(referral, values)


def test_the_unchanged_run_is_the_reference_and_a_change_moves_it(session):
    session.reset(initial_values(session.base))
    session.run_to_end()
    table = session.table()
    assert np.array_equal(table["share_active"].to_numpy(), session.reference["share_active"].to_numpy())

    stronger = {**initial_values(session.base), "behaviour.q_wom": 0.08}
    session.reset(stronger)
    assert session.week == 0
    session.run_to_end()
    assert session.table()["share_active"].iloc[-1] > session.reference["share_active"].iloc[-1]


def test_saved_scenario_repeats_the_apps_numbers_with_adoptsim_run(session, tmp_path):
    settings = {
        **initial_values(session.base),
        "behaviour.b_social": 4.5,
        "interventions[refer_a_friend].budget": 3000.0,
    }
    session.reset(settings)
    app_kpis = session.kpis()
    path = session.save(tmp_path, "saved")
    result = run(load_scenario(path), reps=1)
    row = result.kpis.iloc[0]
    for name in headline_kpis(session.scenario):
        assert row[name] == pytest.approx(app_kpis[name], rel=0, abs=0, nan_ok=True), name
    assert app_kpis["total_spend"] <= 3000.0
    assert load_scenario(path).name == "saved" != session.base.name
    # its description says what changed: the base's words may name values the changes replaced
    said = load_scenario(path).description
    assert said.startswith(" ".join(session.base.description.split()))
    assert "Changed in adoptsim app from referral: behaviour.b_social = 4.5" in said
    assert "interventions[refer_a_friend].budget = 3000.0" in said


@pytest.mark.slow
def test_network_layout_is_computed_once_per_population(session):
    session.reset(initial_values(session.base))
    sample = session.sample
    positions = sample.positions.copy()
    for _ in range(5):
        session.step()
    session.reset({**initial_values(session.base), "behaviour.r_a": 0.3})
    assert session.sample is sample and np.array_equal(sample.positions, positions)
    assert sample.edges.size > 0 and np.all(sample.edges[:, 0] < sample.edges[:, 1])
    session.reset({**initial_values(session.base), "population.size": 3000})
    assert session.sample is not sample


@pytest.mark.slow
def test_charts_follow_the_run(session):
    session.reset(initial_values(session.base))
    first = session.render()
    assert first.startswith(b"\xff\xd8")  # JPEG
    for _ in range(10):
        session.step()
    assert session.render() != first


def test_app_command_errors_are_one_line(tmp_path, capsys):
    assert main(["app", str(tmp_path / "missing.yaml")]) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'missing.yaml'}: file not found"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", str(REFERRAL), "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"adoptsim app: cannot serve on 127.0.0.1:{port}") and "\n" not in err


def test_the_funnel_legend_hides_no_curve():
    """At 'center right' the legend covered the active and aware curves' last 30 weeks."""
    session = Session(load_scenario(ROOT / "scenarios" / "referral.yaml", ["population.size=600", "steps=60"]))
    session.run_to_end()
    session.render()
    dashboard = session.dashboard
    renderer = dashboard.figure.canvas.get_renderer()
    box = dashboard.legends[0].get_window_extent(renderer)
    for line in dashboard.stage_lines.values():
        points = line.get_transform().transform(line.get_xydata())
        assert not any(box.contains(x, y) for x, y in points), line.get_label()


def test_both_bands_of_the_active_share_panel_are_in_its_legend():
    session = Session(load_scenario(ROOT / "scenarios" / "referral.yaml", ["population.size=400", "steps=20"]))
    session.compute_replications()
    session.render()
    labels = [t.get_text() for t in session.dashboard.legends[1].get_texts()]
    assert "spread of 3 replications (min to max)" in labels  # this run's
    assert "unchanged scenario's spread" in labels  # the grey band had no entry
