"""Starting the app: check the scenario and the port, then serve the Solara page with uvicorn.

The scenario is validated here, before the server starts, so a mistake is one line and exit 2
like every other command; the page reads the same file (and overrides) from the environment.
The Solara app is served behind `OriginGuard`: its WebSocket answers only pages of this address.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from adoptsim.errors import AdoptsimError
from adoptsim.scenario.loading import load_scenario

SCENARIO_ENV = "ADOPTSIM_APP_SCENARIO"
OVERRIDES_ENV = "ADOPTSIM_APP_SET"


def check_port(host: str, port: int) -> None:
    """Fail with one line if the address cannot be served (in use, or not this machine's)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as err:
            raise AdoptsimError(f"adoptsim app: cannot serve on {host}:{port}: {err.strerror}") from None


def serve(scenario: str, overrides: list[str], host: str, port: int) -> None:
    """Serve the app for `scenario` on host:port until interrupted."""
    loaded = load_scenario(scenario, overrides)
    check_port(host, port)
    os.environ[SCENARIO_ENV] = str(Path(scenario).resolve())
    os.environ[OVERRIDES_ENV] = json.dumps(overrides)
    os.environ["SOLARA_APP"] = "adoptsim.app.page"
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    import uvicorn

    from adoptsim.app.assets import ensure_page_assets

    fetched = ensure_page_assets()
    if fetched:
        print(f"adoptsim app: fetched the page's scripts once: {', '.join(fetched)}", flush=True)
    from solara.server.starlette import app

    from adoptsim.app.origin import OriginGuard, allowed_origins

    print(f"adoptsim app: {loaded.name} ({loaded.population.size:,} consumers) on http://{host}:{port}", flush=True)
    uvicorn.run(OriginGuard(app, allowed_origins(host, port)), host=host, port=port, log_level="warning")
