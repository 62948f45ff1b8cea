"""The Recorder's columns and the KPIs of a replication, all read from the one registry."""

from __future__ import annotations

import numpy as np
import pytest

from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.figures.formatting import kpi_kind, kpi_label
from adoptsim.results.kpis import KPIS, lookup
from adoptsim.results.metrics import headline_kpis, requirements, run_kpi_names, run_kpis
from tests.conftest import small_scenario

INTERVENTIONS = "[{type: referral, name: r, budget: 500}, {type: training, name: t}]"


@pytest.fixture(scope="module")
def ran():
    scenario = small_scenario(size=1500, steps=30, interventions=INTERVENTIONS, **{"kpis.horizons": "[10]"})
    model = WalletAdoptionModel(scenario)
    model.run()
    return scenario, model.recorder.table()


def test_the_recorder_conserves_consumers_and_adds_up_spend(ran):
    scenario, series = ran
    stages = series[["n_unaware", "n_aware", "n_active", "n_lapsed"]].sum(axis=1)
    assert (stages == scenario.population.size).all()
    assert series["n_ever_adopted"].is_monotonic_increasing
    assert (series["n_ever_adopted"] >= series["n_active"]).all()
    assert series["spend_total"].to_numpy() == pytest.approx((series["spend_r"] + series["spend_t"]).to_numpy())
    assert series["share_active"].to_numpy() == pytest.approx(series["n_active"].to_numpy() / scenario.population.size)


def test_every_run_kpi_the_registry_names_is_computed(ran):
    scenario, series = ran
    kpis = run_kpis(series, scenario)
    names = run_kpi_names(scenario)
    assert list(kpis) == names
    assert {lookup(n)[0].pattern for n in names} == {k.pattern for k in KPIS if not k.paired and k.names(scenario)}
    assert kpis["final_active_share"] == series["share_active"].iloc[-1]
    assert kpis["ever_adopted"] == series["n_ever_adopted"].iloc[-1]
    assert kpis["total_spend"] == pytest.approx(series["spend_total"].sum())
    assert kpis["final_active_share_at_10"] == series["share_active"].iloc[10]
    assert kpis["total_spend_at_10"] == pytest.approx(series["spend_total"].iloc[:11].sum())
    assert "budget_exhausted_step_r" in kpis and "budget_exhausted_step_r_at_10" not in kpis
    assert not any(n.startswith("final_active_share_age") for n in headline_kpis(scenario))


def test_time_to_target_is_interpolated_between_weeks(ran):
    scenario, series = ran
    share = series["share_active"].to_numpy()
    kpis = run_kpis(series, scenario)
    level = 0.10
    k = int(np.flatnonzero(share >= level)[0]) if (share >= level).any() else None
    if k is None:
        assert np.isnan(kpis["steps_to_10pct_active"])
    else:
        assert k - 1 < kpis["steps_to_10pct_active"] <= k


def test_kpi_requirements_units_and_labels_come_from_the_registry():
    assert requirements(["steps_to_30pct_active_at_52", "total_spend"]) == ([0.3], [52])
    assert (kpi_kind("total_spend"), kpi_kind("steps_to_30pct_active"), kpi_kind("final_active_share")) == (
        "money",
        "duration",
        "share",
    )
    assert kpi_kind("cost_per_incremental_adopter") == "money" and kpi_kind("ever_adopted") == "count"
    assert kpi_label("roi") == "return on spend (includes value after the run's last week)"
    assert kpi_label("steps_to_30pct_active") == "weeks to 30 % active"
