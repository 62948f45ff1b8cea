"""adoptsim: an agent-based simulator of digital-wallet adoption.

import adoptsim
scenario = adoptsim.load_scenario("scenarios/baseline.yaml")
result = adoptsim.run(scenario, reps=5)
result.kpis, result.timeseries

Names are imported on first use (PEP 562), so `import adoptsim` and the command line start fast
and pay for Mesa, pandas and the model only when they are used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adoptsim.engine.model import WalletAdoptionModel
    from adoptsim.errors import AdoptsimError, ScenarioError
    from adoptsim.scenario.loading import load_scenario
    from adoptsim.scenario.spec import Scenario
    from adoptsim.studies.runner import RunResult, run
    from adoptsim.world.stages import Stage

_WHERE = {
    "AdoptsimError": "adoptsim.errors",
    "ScenarioError": "adoptsim.errors",
    "WalletAdoptionModel": "adoptsim.engine.model",
    "RunResult": "adoptsim.studies.runner",
    "run": "adoptsim.studies.runner",
    "Scenario": "adoptsim.scenario.spec",
    "load_scenario": "adoptsim.scenario.loading",
    "Stage": "adoptsim.world.stages",
}

__all__ = [
    "AdoptsimError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Stage",
    "WalletAdoptionModel",
    "__version__",
    "load_scenario",
    "run",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("adoptsim")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":  # looked up when asked: importlib.metadata costs the start-up
        globals()[name] = value = _version()
        return value
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'adoptsim' has no attribute '{name}'")
