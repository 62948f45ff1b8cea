"""`adoptsim diff`: differences between resolved scenarios, by field path and intervention name."""

from __future__ import annotations

import re

from adoptsim.cli.diff import ABSENT, diff_files
from adoptsim.cli.main import main
from adoptsim.scenario.loading import load_scenario
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"


def test_two_ready_scenarios_differ_exactly_in_name_description_and_their_referral(capsys):
    found = {d.path: d for d in diff_files(SCENARIOS / "referral.yaml", SCENARIOS / "paypal_referral.yaml")}
    assert set(found) == {
        "name",
        "description",
        "interventions[refer_a_friend]",
        "interventions[pay_both_sides]",
    }
    assert (found["name"].old, found["name"].new) == ("referral", "paypal_referral")
    assert found["interventions[refer_a_friend]"].new is ABSENT
    assert found["interventions[pay_both_sides]"].old is ABSENT
    assert found["interventions[pay_both_sides]"].new["reward"] == 20
    code = main(["diff", str(SCENARIOS / "referral.yaml"), str(SCENARIOS / "paypal_referral.yaml")])
    printed = capsys.readouterr().out
    assert code == 1
    assert 'name: "referral" -> "paypal_referral"' in printed
    assert "interventions[refer_a_friend]: removed" in printed
    assert "interventions[pay_both_sides]: added" in printed and '"budget": 150000.0' in printed
    assert "4 differences" in printed


def test_the_printout_in_the_docs_is_the_commands_own(capsys):
    """docs/scenario-format.md shows `adoptsim diff`'s printout; each of its lines, with `...`
    standing for any text, is a line the command prints, in the same order."""
    doc = (ROOT / "docs" / "scenario-format.md").read_text()
    section = doc.split("    uv run adoptsim diff ", 1)[1]
    command, rest = section.split("\n", 1)
    shown = re.search(r"\n\n((?:    .*\n)+)", rest).group(1).splitlines()
    assert main(["diff", *(str(ROOT / p) for p in command.split())]) == 1
    printed = capsys.readouterr().out.replace(str(ROOT) + "/", "").splitlines()
    assert len(shown) == len(printed)
    for line, text in zip(shown, printed, strict=True):
        pattern = ".*".join(re.escape(part) for part in line.strip().split("..."))
        assert re.fullmatch(pattern, text), (line, text)


def test_identical_files_report_no_differences_and_exit_0(capsys):
    path = str(SCENARIOS / "breach.yaml")
    assert main(["diff", path, path]) == 0
    assert "no differences" in capsys.readouterr().out


def test_extends_and_defaults_are_resolved_and_fields_use_set_paths(write_yaml):
    first = write_yaml(
        f"extends: {SCENARIOS / 'breach.yaml'}\nbehaviour: {{q_wom: 0.05}}\n"
        "interventions:\n"
        "  - {type: breach, name: data_breach, start: 30, drop: 0.2, lapse_spike: 3.0, spike_steps: 4}\n"
        "  - {type: seeding, name: seed_users, start: 0, count: 100}\n",
        "a.yaml",
    )
    second = write_yaml(
        f"extends: {SCENARIOS / 'breach.yaml'}\n"
        "interventions:\n  - {type: seeding, name: seed_users, start: 0, count: 200}\n"
        "  - {type: breach, name: data_breach, start: 40, drop: 0.2, lapse_spike: 3.0, spike_steps: 4}\n",
        "b.yaml",
    )
    lines = [str(d) for d in diff_files(first, second)]
    default = load_scenario(SCENARIOS / "breach.yaml").behaviour.q_wom
    assert f"behaviour.q_wom: 0.05 -> {default}" in lines
    assert "interventions[data_breach].start: 30 -> 40" in lines
    assert "interventions[seed_users].count: 100 -> 200" in lines
    assert 'interventions (order): ["data_breach", "seed_users"] -> ["seed_users", "data_breach"]' in lines


def test_a_broken_file_is_one_line_and_exit_2(capsys):
    assert main(["diff", "missing.yaml", str(SCENARIOS / "breach.yaml")]) == 2
    assert capsys.readouterr().err.strip() == "missing.yaml: file not found"
