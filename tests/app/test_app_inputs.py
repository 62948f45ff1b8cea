"""The app's new inputs and results without a browser: shared budget, intensities, adding and
removing interventions, replication bands, the formatted KPI table, downloads, the spend axis."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from adoptsim.app.controls import apply_settings, control_groups, initial_values
from adoptsim.app.inputs import box_text, parse_number
from adoptsim.app.session import Session, replications
from adoptsim.app.tables import kpi_rows, replication_bands, spread_cell
from adoptsim.errors import ScenarioError
from adoptsim.figures.formatting import kpi_label
from adoptsim.scenario.loading import load_scenario
from tests.conftest import ROOT

SMALL = ["population.size=1500", "steps=30"]


@pytest.fixture(scope="module")
def mix():
    return load_scenario(ROOT / "scenarios" / "lever_mix.yaml", SMALL)


@pytest.fixture(scope="module")
def referral_session():
    return Session(load_scenario(ROOT / "scenarios" / "referral.yaml", SMALL))


def test_shared_budget_total_and_shares_are_inputs(mix):
    paths = {c.path: c for g in control_groups(mix) for c in g.controls}
    assert [p for p in paths if p.startswith("budget.")] == [
        "budget.total",
        "budget.shares.classes",
        "budget.shares.refer_a_friend",
        "budget.shares.merchant_signup",
        "budget.shares.security_messaging",
    ]
    assert paths["interventions[classes].budget"].label == "Own cap (EUR; empty = none)"  # not "unlimited"
    assert paths["interventions[classes].seats"].kind == "int"
    assert paths["interventions[merchant_signup].discount"].label == "Discount per wallet payment (EUR)"
    values = {**initial_values(mix), "budget.total": 40000.0, "budget.shares.classes": 0.1}
    changed = apply_settings(mix, values)
    assert changed.budget.total == 40000.0 and changed.budget.shares["classes"] == 0.1
    assert changed.budget.shares["refer_a_friend"] == 0.25
    with pytest.raises(ScenarioError) as caught:
        apply_settings(mix, {**values, "budget.shares.classes": 0.5})  # 0.5 + 3 x 0.25 > 1
    assert "\n" not in str(caught.value) and "shares" in str(caught.value) and "1.25" in str(caught.value)


def test_a_shared_total_set_or_emptied_in_the_app(referral_session):
    base = referral_session.base
    pooled = apply_settings(base, {**initial_values(base), "budget.total": 500.0})
    assert (pooled.budget.total, pooled.budget.allocation) == (500.0, "priority")
    session = Session(base)
    session.reset({**initial_values(base), "budget.total": 500.0})
    assert session.kpis()["total_spend"] <= 500.0
    unlimited = session.scenario
    assert apply_settings(unlimited, {**initial_values(unlimited), "budget.total": None}).budget is None


def test_a_larger_reward_spends_more_and_a_removed_intervention_spends_nothing(referral_session):
    session = referral_session
    base_values = initial_values(session.base)
    session.reset(base_values)
    spend = session.kpis()["total_spend"]
    session.reset({**base_values, "interventions[refer_a_friend].reward": 40.0})
    assert session.kpis()["total_spend"] > 1.5 * spend > 0
    session.remove_intervention("refer_a_friend")
    assert session.scenario.interventions == [] and session.kpis()["total_spend"] == 0
    assert "interventions[refer_a_friend]" in session.changes()
    name = session.add_intervention("signup_bonus")
    assert name == "signup_bonus_1" and [iv.name for iv in session.scenario.interventions] == ["signup_bonus_1"]
    session.reset({**session.values, f"interventions[{name}].amount": 5.0})
    assert session.scenario.interventions[0].amount == 5.0
    assert session.kpis()["total_spend"] == pytest.approx(5.0 * session.kpis()["ever_adopted"], rel=0.2)
    session.remove_intervention(name)  # an added one goes away without a trace
    session.add_intervention("referral")  # the scenario's own comes back only as a new one
    assert session.added and session.added[0]["name"] == "referral_1"


def test_removing_an_intervention_takes_it_out_of_the_shared_budget(mix):
    session = Session(mix)
    session.remove_intervention("classes")
    assert "classes" not in session.scenario.budget.shares
    assert "budget.shares.classes" not in {c.path for g in session.groups() for c in g.controls}


def test_a_band_contains_the_line_drawn_in_it(referral_session):
    scenario = referral_session.base
    runs = replications(scenario, 3)
    band = replication_bands(runs)["share_active"]
    line = runs[runs["replication"] == 0]["share_active"].to_numpy()
    assert band["n"].eq(3).all()
    assert np.all(band["low"].to_numpy() <= line) and np.all(line <= band["high"].to_numpy())
    assert (band["high"] - band["low"]).max() > 0  # replications differ: a band, not a line
    assert np.array_equal(line, referral_session.reference["share_active"].to_numpy())  # the stepped run is rep 0


def test_kpi_table_is_worded_and_formatted_as_in_the_report(referral_session):
    session = referral_session
    session.reset(initial_values(session.base))
    assert session.compute_replications()
    rows = {label: (value, spread) for label, value, spread in session.kpi_table()}
    assert kpi_label("final_active_share") in rows and "final_active_share" not in rows
    for value, spread in rows.values():
        assert not re.search(r"\d\.\d{4,}", value + spread), (value, spread)  # no raw floats
    assert rows["total spend"][0].endswith(" EUR") and re.fullmatch(r"[\d,]+ EUR", rows["total spend"][0])
    assert rows["active share at the end"][0].endswith(" %")
    assert rows["weeks to 50 % active"] == ("not reached", "reached in 0 of 3")
    assert (
        spread_cell("steps_to_10pct_active", [12.0, float("nan"), 14.0], "EUR")
        == "13 weeks (12 to 14); reached in 2 of 3"
    )
    assert spread_cell("roi", [float("nan")] * 3, "EUR") == "undefined (no spend) (all 3)"
    assert kpi_rows(session.scenario, session.kpis(), [])[0][2] == "running..."


def test_downloads_are_csv_of_the_replications_and_a_png(referral_session):
    session = referral_session
    session.reset(initial_values(session.base))
    for _ in range(5):
        session.step()
    partial = pd.read_csv(io.BytesIO(session.csv()))
    assert len(partial) == 6 and set(partial["replication"]) == {0}  # before the replications: the run so far
    session.compute_replications()
    table = pd.read_csv(io.BytesIO(session.csv()))
    assert sorted(set(table["replication"])) == [0, 1, 2] and len(table) == 3 * 31
    assert session.png().startswith(b"\x89PNG\r\n\x1a\n")


def test_spend_axis_reads_money_with_distinct_ticks(referral_session):
    session = referral_session
    session.reset({**initial_values(session.base), "interventions[refer_a_friend].reward": 0.5})
    for _ in range(3):
        session.step()
    session.render()
    axis = session.dashboard.spend_ax
    labels = [tick.get_text() for tick in axis.get_yticklabels() if tick.get_text()]
    assert axis.get_title() == "Cumulative spend (EUR)"
    assert len(labels) == len(set(labels)) >= 3, labels


def test_number_boxes_read_what_is_typed():
    assert (box_text(100000.0), box_text(0.5), box_text(None), box_text(12)) == ("100000", "0.5", "", "12")
    assert parse_number("12,500", "money") == (12500.0, "")
    assert parse_number(" 7 ", "int") == (7, "")
    assert parse_number("", "budget") == (None, "")  # an empty budget is unlimited
    assert parse_number("", "money") == (None, "a number is needed")
    assert parse_number("3.5", "int") == (None, "not a number")
    assert parse_number("ten", "money") == (None, "not a number")


def test_trait_means_and_seed_move_the_curve(referral_session):
    base = referral_session.base
    values = initial_values(base)
    trusting = dict(values)
    for group in base.population.age_groups:
        trusting[f"population.age_groups.{group}.traits.trust.mean"] = 0.9
    finals = {}
    for label, settings in (("file", values), ("trusting", trusting), ("seed", {**values, "seed": base.seed + 1})):
        scenario = apply_settings(base, settings)
        finals[label] = replications(scenario, 1)["share_active"].to_numpy()  # what the page steps
    assert finals["trusting"][-1] > 1.3 * finals["file"][-1]  # trust 0.9 for everyone: far more adopt
    assert not np.array_equal(finals["seed"], finals["file"])  # another seed, other random numbers
