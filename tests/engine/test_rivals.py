"""Rival wallets as products (docs/rivals.md): no-rival equality, symmetry, strength, switching
flows, per-wallet merchants, validation and the ready scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, small_scenario

from adoptsim.cli.main import main
from adoptsim.engine.model import WalletAdoptionModel
from adoptsim.errors import ScenarioError
from adoptsim.results.metrics import lookup, run_kpis
from adoptsim.scenario.loading import load_scenario
from adoptsim.world.stages import Stage

FOCAL_COLUMNS = ["n_active", "n_ever_adopted", "n_aware", "n_merchants_accepting", "mean_trust", "transactions"]


def run_table(scenario):
    model = WalletAdoptionModel(scenario)
    model.run()
    return model, model.recorder.table()


def twin_market(rival: str, seeds: range = range(6), size: int = 2000) -> np.ndarray:
    """Final market share of the focal wallet against one rival, over seeds (no static flag)."""
    shares = []
    for seed in seeds:
        scenario = small_scenario(size, 104, seed=seed, population__competitor_share=0, rivals=f"[{rival}]")
        shares.append(run_table(scenario)[1]["share_market_focal"].iloc[-1])
    return np.array(shares)


def test_without_rivals_the_numbers_are_mains():
    """Pinned on main (same scenario, same seed): first before rivals existed, measured again
    when awareness, adoption and lapse came to share one draw a consumer (issue 16)."""
    _, table = run_table(small_scenario(1500, 40))
    assert table["n_active"].iloc[[10, 20, 30, 40]].tolist() == [3.0, 23.0, 52.0, 95.0]
    assert table["n_ever_adopted"].iloc[-1] == 96.0
    assert table["n_merchants_accepting"].iloc[-1] == 89.0
    # float32 state (docs/performance.md): counts stay exact, means move in the 7th digit at most
    assert table["mean_trust"].iloc[-1] == pytest.approx(0.4575515541235606, rel=1e-6)
    assert table["transactions"].sum() == pytest.approx(1378.3494856357574, rel=1e-6)
    assert not any(c.startswith(("share_market_", "new_switch_")) for c in table.columns)


def test_a_rival_nobody_hears_of_leaves_the_focal_draws_alone():
    """A rival draws from its own streams: one that never reaches anyone changes nothing."""
    _, alone = run_table(small_scenario(1500, 40))
    _, beside = run_table(small_scenario(1500, 40, rivals="[{name: ghost, p_media: 0, q_wom: 0}]"))
    assert beside["n_users_ghost"].max() == 0
    for column in FOCAL_COLUMNS:
        np.testing.assert_array_equal(alone[column], beside[column], err_msg=column)


@pytest.mark.slow
def test_a_twin_rival_splits_the_market_evenly():
    """Same parameters as the focal wallet: half the users each, in expectation (6 seeds x 2,000;
    a rival with 0.3 more appeal takes the focal share to about 0.35, outside this tolerance)."""
    assert abs(twin_market("{name: twin}").mean() - 0.5) < 0.06
    assert twin_market("{name: twin, appeal: 0.3}").mean() < 0.44


@pytest.mark.slow
def test_a_stronger_rival_wins_and_more_strength_wins_more():
    weaker = twin_market("{name: strong, appeal: 0.5}", range(3))
    stronger = twin_market("{name: strong, appeal: 1.0}", range(3))
    assert weaker.mean() < 0.35
    assert stronger.mean() < weaker.mean() - 0.05
    incumbent = twin_market("{name: strong, users: 0.3, aware: 0.9}", range(3))
    assert incumbent.mean() < 0.1


def test_switching_flows_and_primary_wallets_add_up():
    scenario = small_scenario(
        1500, 60, population__competitor_share=0, rivals="[{name: a, users: 0.2, aware: 0.5}, {name: b}]"
    )
    model = WalletAdoptionModel(scenario)
    market = model.rivals
    for _ in range(60):
        before = market.primary.copy()
        model.step()
        row = model.recorder.table().iloc[-1]
        after = market.primary
        holders = (model.people.stage == Stage.ACTIVE) | np.any(
            [r.stage == Stage.ACTIVE for r in market.rivals], axis=0
        )
        assert row["n_wallet_users"] == holders.sum() == (after >= 0).sum()
        assert sum(row[f"n_primary_{w}"] for w in ("focal", "a", "b")) == row["n_wallet_users"]
        assert np.all(model.people.stage[after == 0] == Stage.ACTIVE)
        entered = np.count_nonzero((before != 0) & (after == 0)) - row["new_switch_from_a"] - row["new_switch_from_b"]
        left = np.count_nonzero((before == 0) & (after != 0)) - row["new_switch_to_a"] - row["new_switch_to_b"]
        assert entered == np.count_nonzero((before == -1) & (after == 0))
        assert left == np.count_nonzero((before == 0) & (after == -1))
    table = model.recorder.table()
    assert table["new_switch_to_a"].sum() > 0 and table["new_switch_from_a"].sum() > 0


def test_merchants_accept_each_wallet_separately():
    scenario = small_scenario(
        1500,
        40,
        rivals="[{name: qr, initial_acceptance: 0.9, users: 0.5}, {name: idle, initial_acceptance: 0.0, r_m: 0}]",
        interventions="[{type: merchant_deal, merchants_per_step: 20, duration: 10}]",
    )
    model, table = run_table(scenario)
    qr, idle = model.rivals.rivals
    assert abs(table["share_merchants_accepting_qr"].iloc[0] - 0.9) < 0.05
    assert abs(table["share_merchants_accepting"].iloc[0] - 0.15) < 0.05
    assert table["share_merchants_accepting_idle"].max() == 0 and not idle.accepts.any()
    assert table["share_merchants_accepting_qr"].iloc[-1] > table["share_merchants_accepting_qr"].iloc[0]
    assert not np.array_equal(qr.accepts, model.shops.accepts)
    assert table["share_merchants_accepting"].iloc[10] > 0.5


def test_a_rival_campaign_raises_its_awareness_only_where_it_targets():
    quiet = small_scenario(1500, 20, rivals="[{name: r, p_media: 0.01}]")
    loud = small_scenario(
        1500, 20, rivals="[{name: r, p_media: 0.01, campaigns: [{media: 5, target: {age_groups: ['60+']}}]}]"
    )
    aware = []
    for scenario in (quiet, loud):
        model, _ = run_table(scenario)
        rival = model.rivals.rivals[0]
        seniors = model.people.age_group == model.age_group_labels.index("60+")
        aware.append((np.mean(rival.stage[seniors] != Stage.UNAWARE), np.mean(rival.stage[~seniors] != Stage.UNAWARE)))
    assert aware[1][0] > aware[0][0] + 0.2
    assert abs(aware[1][1] - aware[0][1]) < 0.03


def test_kpis_of_a_run_with_rivals():
    scenario = small_scenario(1000, 30, rivals="[{name: r, users: 0.3}]")
    _, table = run_table(scenario)
    kpis = run_kpis(table, scenario)
    assert kpis["final_market_share_focal"] + kpis["final_market_share_r"] == pytest.approx(1.0)
    assert kpis["switches_to_r"] == table["new_switch_to_r"].sum()
    assert 0 <= kpis["final_market_share_focal_age_60+"] <= 1
    assert lookup("final_market_share_r")[0].smaller_is_better
    assert not lookup("final_market_share_focal_region_rural")[0].smaller_is_better


def test_the_static_competitor_flag_still_weighs_against_adoption():
    """`competitor_share` and `b_comp` keep their meaning: other wallets not modelled as rivals."""
    _, none = run_table(small_scenario(1500, 52, population__competitor_share=0.0))
    _, most = run_table(small_scenario(1500, 52, population__competitor_share=0.9))
    assert most["n_ever_adopted"].iloc[-1] < none["n_ever_adopted"].iloc[-1]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("rivals=[{name: a, users: {'70+': 0.5}}]", "rivals[0].users: unknown age group '70+' (valid: 18-29,"),
        ("rivals=[{name: a}, {name: a}]", "rivals[1].name: 'a' is used twice"),
        ("rivals=[{name: focal}]", "rivals[0].name: 'focal' is the focal wallet's name in outputs"),
        ("rivals=[{name: a, apeal: 1}]", "rivals[0].apeal: unknown field (did you mean 'appeal'?)"),
        ("rivals=[{name: a, users: 1.5}]", "rivals[0].users: must be between 0 and 1 (got 1.5)"),
        ("rivals=[{name: a, users: {'60+': 2}}]", "rivals[0].users.60+: must be between 0 and 1 (got 2)"),
        ("rivals=[{name: a, appeal: x}]", "rivals[0].appeal: must be a number (got 'x')"),
        (
            "rivals=[{name: a, campaigns: [{target: {regions: [moon]}}]}]",
            "rivals[0].campaigns[0].target.regions: unknown label 'moon' (valid: urban, rural)",
        ),
        ("rivals=[{users: 0.5}]", "rivals[0].name: required field is missing"),
        (
            "rivals=[{name: a, campaigns: [{target: {stages: [aware]}}]}]",
            "rivals[0].campaigns[0].target.stages: a rival's campaign targets by traits only",
        ),
    ],
)
def test_rival_mistakes_are_one_line(override, expected):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(ROOT / "scenarios" / "bank_entry.yaml", [override])
    message = str(caught.value)
    assert message.startswith("scenarios/bank_entry.yaml: ") or "bank_entry.yaml: " in message
    assert expected in message and "\n" not in message


def test_the_cli_refuses_a_bad_rival_with_exit_2(capsys):
    path = str(ROOT / "scenarios" / "bank_entry.yaml")
    assert main(["validate", path, "--set", "rivals=[{name: a, p_media: 2}]"]) == 2
    assert "rivals[0].p_media: must be between 0 and 1 (got 2" in capsys.readouterr().err


@pytest.mark.slow
def test_bank_entry_runs_and_the_niche_levers_raise_the_entrants_niche_share(tmp_path):
    sets = ["population.size=3000", "steps=60"]
    out = tmp_path / "niche"
    path = str(ROOT / "scenarios" / "bank_entry_niche.yaml")
    assert main(["run", path, "--reps", "1", "--out", str(out), *(a for s in sets for a in ("--set", s))]) == 0
    assert (out / "market_shares.png").stat().st_size > 10_000
    entry = load_scenario(ROOT / "scenarios" / "bank_entry.yaml", sets)
    niche = load_scenario(ROOT / "scenarios" / "bank_entry_niche.yaml", sets)
    kpis = [run_kpis(run_table(s)[1], s) for s in (entry, niche)]
    assert kpis[0]["final_market_share_superapp"] > 0.9
    assert kpis[1]["final_market_share_focal_age_60+"] > kpis[0]["final_market_share_focal_age_60+"] + 0.05
    assert kpis[1]["final_market_share_focal_region_rural"] > kpis[0]["final_market_share_focal_region_rural"] + 0.02


def test_agent_export_names_each_consumers_primary_wallet_and_rival_stages(tmp_path):
    from adoptsim.results.export import Export, read_export
    from adoptsim.studies.runner import run
    from adoptsim.world.streams import replication_seed

    scenario = small_scenario(800, 30, rivals="[{name: incumbent, users: 0.5}]")
    run(scenario, reps=1, observe=Export(tmp_path, ("agents",)))
    agents = read_export(tmp_path, "agents")
    model = WalletAdoptionModel(scenario, seed=replication_seed(scenario.seed, 0))  # the runner's first seed
    model.run()
    assert agents["primary_wallet"].value_counts().to_dict() == {
        name: int(np.count_nonzero(model.rivals.primary == w)) for w, name in enumerate(model.rivals.names)
    }
    assert agents["primary_wallet"].isna().sum() == np.count_nonzero(model.rivals.primary < 0)
    incumbent = model.rivals.rivals[0]
    assert (agents["stage_incumbent"] == "active").sum() == np.count_nonzero(incumbent.stage == Stage.ACTIVE)
