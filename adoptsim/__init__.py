"""adoptsim: an agent-based simulator of digital-wallet adoption.

import adoptsim
scenario = adoptsim.load_scenario("scenarios/baseline.yaml")
result = adoptsim.run(scenario, reps=5)
result.kpis, result.timeseries
"""

from adoptsim.errors import AdoptsimError, ScenarioError
from adoptsim.model import WalletAdoptionModel
from adoptsim.runner import RunResult, run
from adoptsim.scenario import Scenario, load_scenario
from adoptsim.stages import Stage

__all__ = [
    "AdoptsimError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Stage",
    "WalletAdoptionModel",
    "load_scenario",
    "run",
]
