"""Where "save scenario" may write and what it calls the file; whose pages may open the socket."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adoptsim.app.controls import initial_values
from adoptsim.app.origin import OriginGuard, allowed_origins, origin_allowed
from adoptsim.app.saving import RESULTS_FOLDER, SaveRefusedError, change_words, default_stem, save_folders, save_target
from adoptsim.app.session import Session
from adoptsim.scenario.loading import load_scenario
from tests.conftest import ROOT

REFERRAL = ROOT / "scenarios" / "referral.yaml"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("../../escape", "is a path"),
        ("/tmp/escape.yaml", "is a path"),
        ("new_folder/x.yaml", "is a path"),
        ("..\\x", "is a path"),
        ("~x", "is a path"),
        ("..", "is not a file name"),
        (".hidden", "is not a file name"),
        ("", "is not a file name"),
        ("a b", "is not a file name"),
        ("referral", "is the base scenario's name"),
        ("referral.yaml", "is the base scenario's name"),
    ],
)
def test_save_refuses_paths_odd_names_and_the_bases_name(tmp_path, typed, reason):
    with pytest.raises(SaveRefusedError) as caught:
        save_target(tmp_path, typed, "referral")
    assert reason in str(caught.value) and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_save_never_overwrites_without_being_told(tmp_path):
    (tmp_path / "mine.yaml").write_text("kept")
    with pytest.raises(SaveRefusedError, match="exists: press 'Overwrite'"):
        save_target(tmp_path, "mine", "referral")
    assert (tmp_path / "mine.yaml").read_text() == "kept"
    assert save_target(tmp_path, "mine.yaml", "referral", overwrite=True) == (tmp_path / "mine.yaml", "mine")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "mine.yaml")
    with pytest.raises(SaveRefusedError, match="not a plain file"):
        save_target(tmp_path, "link", "referral", overwrite=True)


def test_default_name_says_what_changed_and_is_free(tmp_path):
    words = change_words(
        {
            "behaviour.q_wom": 0.03,
            "interventions[refer_a_friend].reward": 15.0,
            "population.age_groups.60+.traits.trust.mean": 0.5,
        },
        ["signup_bonus_1"],
        ["classes"],
    )
    assert words == ["no_classes", "plus_signup_bonus_1", "q_wom_0.03", "refer_a_friend_reward_15", "60+_trust_0.5"]
    assert default_stem("mix", words, tmp_path) == "mix_no_classes_plus_signup_bonus_1_q_wom_0.03_and_2_more"
    assert default_stem("referral", [], tmp_path) == "referral_copy"
    (tmp_path / "referral_copy.yaml").write_text("")
    (tmp_path / "referral_copy_2.yaml").write_text("")
    assert default_stem("referral", [], tmp_path) == "referral_copy_3"
    choices = change_words({"interventions[x].target.regions": ["rural", "urban"], "budget.total": None}, [], [])
    assert choices == ["x_regions_rural+urban", "total_none"]


def test_session_saves_under_the_results_folder_with_its_own_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = Session(load_scenario(REFERRAL, ["population.size=1000", "steps=5"]), source=REFERRAL)
    folders = save_folders(session.source)
    assert [f.path for f in folders] == [RESULTS_FOLDER, REFERRAL.parent]
    session.reset({**initial_values(session.base), "behaviour.q_wom": 0.03})
    name = session.default_name()
    assert name == "referral_q_wom_0.03"
    written = session.save(RESULTS_FOLDER, name)
    assert written == Path("results/app/referral_q_wom_0.03.yaml") and written.is_file()
    saved = load_scenario(written)
    assert saved.name == name and saved.behaviour.q_wom == 0.03
    assert session.default_name() == "referral_q_wom_0.03_2"  # the next default does not overwrite it
    with pytest.raises(SaveRefusedError):
        session.save(RESULTS_FOLDER, name)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["referral_q_wom_0.03.yaml"]


def test_allowed_origins_are_the_served_address():
    loopback = allowed_origins("127.0.0.1", 8765)
    assert origin_allowed("http://127.0.0.1:8765", loopback)
    assert origin_allowed("http://localhost:8765", loopback)
    assert origin_allowed("http://[::1]:8765", loopback)
    for foreign in ("http://evil.example", "http://127.0.0.1:8766", "http://evil.example:8765", "null", "", None):
        assert not origin_allowed(foreign, loopback), foreign
    lan = allowed_origins("192.168.1.5", 80)
    assert origin_allowed("http://192.168.1.5", lan) and not origin_allowed("http://localhost:80", lan)


def _handshake(origin: str | None) -> tuple[list[dict], bool]:
    """What the guard sends for a WebSocket opening with this Origin, and whether the app ran."""
    reached, sent = [], []

    async def app(scope, receive, send):
        reached.append(scope)

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    headers = [(b"host", b"127.0.0.1:8765")] + ([(b"origin", origin.encode())] if origin else [])
    guard = OriginGuard(app, allowed_origins("127.0.0.1", 8765))
    asyncio.run(guard({"type": "websocket", "headers": headers}, receive, send))
    return sent, bool(reached)


def test_origin_guard_closes_foreign_handshakes_before_the_app():
    assert _handshake("http://evil.example") == ([{"type": "websocket.close", "code": 1008}], False)
    assert _handshake(None) == ([{"type": "websocket.close", "code": 1008}], False)
    assert _handshake("http://127.0.0.1:8765") == ([], True)
