"""Shared helpers: small versions of the baseline scenario, built with --set style overrides."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

# This machine sets PYTHONDONTWRITEBYTECODE, so each xdist worker and each `python -m adoptsim.cli`
# a test starts would compile the package and rewrite every test's asserts from source again
# (the fast loop: 65 s against 45 s with caches). The caches go to git-ignored __pycache__ folders;
# this conftest loads before the workers start, so they and their subprocesses inherit it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

import pytest  # noqa: E402  (after the bytecode setting above)
from hypothesis import HealthCheck, settings  # noqa: E402

from adoptsim.scenario.loading import load_scenario  # noqa: E402
from adoptsim.scenario.spec import Scenario  # noqa: E402

# Fuzz budgets: the default keeps the suite fast; `pytest --hypothesis-profile=long` runs 10,000+.
_FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}
settings.register_profile("default", max_examples=150, **_FUZZ)
settings.register_profile("long", max_examples=10_000, **_FUZZ)


def pytest_configure(config: pytest.Config) -> None:
    """This conftest registers the profiles after Hypothesis read its option: load the one asked for."""
    settings.load_profile(config.getoption("hypothesis_profile", None) or "default")


DURATIONS = "adoptsim/test-seconds"
"""Where the last run's seconds per test are kept (pytest's cache, .pytest_cache/, git-ignored)."""

_seconds: dict[str, float] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest files first, each file's tests kept together in their order (a file's shared
    fixtures are made once): the two workers start on the long files and end on short tests,
    stolen by whichever is free (longest-processing-time first). A file's length is its tests'
    seconds in the last run; without one (a fresh clone) the files with the most slow tests
    come first. Every worker reads the same cache before any test runs, so all collect the same
    order, as xdist requires."""
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    last = cache.get(DURATIONS, {}) if cache is not None else {}
    seconds: Counter[Path] = Counter()
    slow: Counter[Path] = Counter()
    for item in items:
        seconds[item.path] += last.get(item.nodeid, 0.0)
        slow[item.path] += bool(item.get_closest_marker("slow"))
    items.sort(key=lambda item: (-seconds[item.path], -slow[item.path]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Each test's seconds (set-up, call and tear-down), added up where the reports arrive: in the
    main process, also under xdist."""
    _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The seconds of the tests that ran, kept for the next run's order (main process only: xdist
    workers send their reports to it; tests not run keep their last seconds, those of a file
    that is gone are dropped)."""
    cache = getattr(session.config, "cache", None)
    if hasattr(session.config, "workerinput") or cache is None or not _seconds:
        return
    root = session.config.rootpath
    kept = {n: s for n, s in cache.get(DURATIONS, {}).items() if (root / n.split("::")[0]).is_file()}
    kept.update({nodeid: round(value, 3) for nodeid, value in _seconds.items()})
    cache.set(DURATIONS, kept)


ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

HEADLESS_CHROMIUM = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Flags of the browser tests: headless Debian Chromium as root, never reaching outside."""


def small_scenario(size: int = 2000, steps: int = 52, **fields: object) -> Scenario:
    """The baseline with fewer consumers and steps; keyword `a__b=v` sets field a.b to v."""
    overrides = [f"population.size={size}", f"steps={steps}"]
    overrides += [f"{key.replace('__', '.')}={value}" for key, value in fields.items()]
    return load_scenario(BASELINE, overrides)


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a YAML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# A valid 1 x 1 PNG (what a stubbed figure is saved as).
ONE_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def quick_figures(monkeypatch):
    """Figures saved as a 1 x 1 PNG: for tests of which files a command writes and when, where
    drawing the pictures (most of a small command's time) checks nothing."""
    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "savefig", save_one_pixel)


def one_pixel_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures saved to files as a 1 x 1 PNG, those drawn into a buffer (the report's charts) real."""
    from matplotlib.figure import Figure

    draw = Figure.savefig
    monkeypatch.setattr(
        Figure, "savefig", lambda f, to, **k: draw(f, to, **k) if hasattr(to, "write") else save_one_pixel(f, to)
    )


def save_one_pixel(_figure, to, **_settings) -> None:
    """Figure.savefig's stand-in: a 1 x 1 PNG to a path or a file."""
    if hasattr(to, "write"):
        to.write(ONE_PIXEL_PNG)
    else:
        Path(to).write_bytes(ONE_PIXEL_PNG)
