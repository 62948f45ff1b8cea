"""The app's start without a network or a server: which scripts the page needs, fetching the
missing ones with `npm pack` into Solara's CDN cache (npm replaced by a stand-in), and what
`serve` hands to uvicorn."""

from __future__ import annotations

import importlib.util
import io
import os
import socket
import subprocess
import sys
import tarfile
import types
from pathlib import Path

import ipyvue
import pytest
import solara.server

import adoptsim.app.assets as assets
from adoptsim.app import server
from adoptsim.app.origin import OriginGuard
from adoptsim.errors import AdoptsimError
from tests.conftest import ROOT

SPEC = "requirejs@2.3.6"


@pytest.fixture
def solara_server(monkeypatch) -> types.ModuleType:
    """Solara's server module as far as these tests read it (its page template, its Vue version),
    without importing it: that import patches ipywidgets for the whole process, and the page
    tests (test_app_page.py) render without a server in the same worker."""
    origin = importlib.util.find_spec("solara.server.server").origin
    stand_in = types.ModuleType("solara.server.server")
    stand_in.__file__ = origin
    stand_in.vue3 = ipyvue.__version__.startswith("3")
    monkeypatch.setitem(sys.modules, "solara.server.server", stand_in)
    monkeypatch.setattr(solara.server, "server", stand_in, raising=False)
    app = types.ModuleType("solara.server.starlette")
    app.app = object()  # the ASGI app the guard wraps
    monkeypatch.setitem(sys.modules, "solara.server.starlette", app)
    monkeypatch.setattr(solara.server, "starlette", app, raising=False)
    return stand_in


def test_the_page_needs_one_vuetify_app_font_awesome_and_requirejs_each_at_a_version(solara_server):
    packages = assets.page_packages()
    names = [spec.rsplit("@", 1)[0] for spec in packages]
    assert len([name for name in names if name.startswith("@widgetti/solara-vuetify")]) == 1  # this Vue's only
    assert "font-awesome" in names and "requirejs" in names
    assert all(spec.rsplit("@", 1)[1][0].isdigit() for spec in packages), packages


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty CDN cache asked for one package, with npm on the PATH."""
    folder = tmp_path / "cdn"
    monkeypatch.setattr(assets, "cache_folder", lambda: folder)
    monkeypatch.setattr(assets, "page_packages", lambda: [SPEC])
    monkeypatch.setattr(assets.shutil, "which", lambda name: f"/usr/bin/{name}")
    return folder


def fake_npm(files: dict[str, bytes], returncode: int = 0, stderr: str = ""):
    """`npm pack` writing a tarball of these files under package/ into --pack-destination."""
    calls = []

    def run(argv, **kwargs):
        calls.append(argv)
        destination = Path(argv[argv.index("--pack-destination") + 1])
        if returncode == 0:
            with tarfile.open(destination / "package.tgz", "w:gz") as archive:
                for name, data in files.items():
                    info = tarfile.TarInfo(f"package/{name}")
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
        return subprocess.CompletedProcess(argv, returncode, "", stderr)

    run.calls = calls
    return run


def test_a_missing_package_is_packed_once_into_the_cache_without_its_source_maps(cache, monkeypatch):
    npm = fake_npm({"require.js": b"var requirejs;", "require.js.map": b"{}", "bin/r.js": b"r"})
    monkeypatch.setattr(assets.subprocess, "run", npm)
    assert assets.ensure_page_assets() == [SPEC]
    assert npm.calls[0][:3] == ["npm", "pack", SPEC]
    unpacked = cache / SPEC
    assert (unpacked / "require.js").read_bytes() == b"var requirejs;" and (unpacked / "bin" / "r.js").exists()
    assert not (unpacked / "require.js.map").exists()
    assert [p.name for p in cache.iterdir()] == [SPEC]  # no staging folder left beside it

    assert assets.ensure_page_assets() == []  # the second start is offline
    assert len(npm.calls) == 1


def test_without_npm_the_missing_packages_are_named(cache, monkeypatch):
    monkeypatch.setattr(assets.shutil, "which", lambda name: None)
    with pytest.raises(AdoptsimError, match=f"^adoptsim app: npm is needed once to fetch {SPEC} for the page$"):
        assets.ensure_page_assets()
    assert not cache.exists()


def test_a_failed_npm_pack_is_one_line_with_npms_last_words(cache, monkeypatch):
    npm = fake_npm({}, returncode=1, stderr="npm warn retrying\nnpm error 404 Not Found - GET requirejs\n")
    monkeypatch.setattr(assets.subprocess, "run", npm)
    with pytest.raises(AdoptsimError) as raised:
        assets.ensure_page_assets()
    assert str(raised.value) == (
        f"adoptsim app: could not fetch {SPEC} from the npm registry: npm error 404 Not Found - GET requirejs"
    )
    assert not (cache / SPEC).exists()


def test_serve_checks_the_port_hands_the_guarded_app_to_uvicorn_and_says_where(solara_server, monkeypatch, capsys):
    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.update(app=app, **kwargs))
    monkeypatch.setattr(assets, "ensure_page_assets", lambda: [SPEC])
    for name in (server.SCENARIO_ENV, server.OVERRIDES_ENV, "SOLARA_APP", "SOLARA_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed
    scenario = ROOT / "scenarios" / "referral.yaml"
    server.serve(str(scenario), ["population.size=300"], "127.0.0.1", port)

    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"adoptsim app: fetched the page's scripts once: {SPEC}",
        f"adoptsim app: referral (300 consumers) on http://127.0.0.1:{port}",
    ]
    assert isinstance(served["app"], OriginGuard) and served["app"].app is sys.modules["solara.server.starlette"].app
    assert (served["host"], served["port"]) == ("127.0.0.1", port)
    assert f"http://127.0.0.1:{port}" in served["app"].allowed and f"http://localhost:{port}" in served["app"].allowed
    assert os.environ[server.SCENARIO_ENV] == str(scenario) and os.environ["SOLARA_APP"] == "adoptsim.app.page"
    assert os.environ[server.OVERRIDES_ENV] == '["population.size=300"]'
