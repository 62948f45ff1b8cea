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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with the most slow tests first, each file's tests kept together in their order: the
    two workers start on the long tests and end on short ones (stolen by whichever is free), and a
    file's shared fixtures are mostly made once. Started last, the browser test alone (a minute)
    left one worker idle at the end."""
    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: -slow[item.path])


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
