"""KPIs of a scenario with rival wallets (docs/rivals.md); part of the registry in adoptsim/results/kpis.py.

The focal wallet's entry comes first: `final_market_share_<wallet>` would match its names too.
"""

from __future__ import annotations

from adoptsim.engine.rivals.spec import market_share_names
from adoptsim.results.kpi_entry import Kpi

RIVAL_KPIS: tuple[Kpi, ...] = (
    Kpi(
        r"final_market_share_focal(?P<segment>_(?:age|region)_.+)?",
        "share",
        False,
        "share of wallet users (of a segment) whose primary wallet is the focal one, at the end (docs/rivals.md)",
        lambda v, m: float(v.column(f"share_market_focal{m['segment'] or ''}")[-1]),
        lambda s: market_share_names(s, focal=True),
    ),
    Kpi(
        r"final_market_share_(?P<wallet>.+)",
        "share",
        True,
        "share of wallet users whose primary wallet is a rival, at the end",
        lambda v, m: float(v.column(f"share_market_{m['wallet']}")[-1]),
        lambda s: market_share_names(s, focal=False),
    ),
    Kpi(
        "final_focal_share_of_users",
        "share",
        False,
        "share of the users of any wallet who use the focal one, at the end",
        lambda v, m: float(v.column("share_focal_of_users")[-1]),
        lambda s: ["final_focal_share_of_users"] if s.rivals else [],
    ),
    Kpi(
        r"switches_to_(?P<wallet>.+)",
        "consumers",
        True,
        "consumers whose primary wallet went from the focal one to a rival, over the run",
        lambda v, m: float(v.column(f"new_switch_to_{m['wallet']}").sum()),
        lambda s: [f"switches_to_{r.name}" for r in s.rivals],
    ),
    Kpi(
        r"switches_from_(?P<wallet>.+)",
        "consumers",
        False,
        "consumers whose primary wallet went from a rival to the focal one, over the run",
        lambda v, m: float(v.column(f"new_switch_from_{m['wallet']}").sum()),
        lambda s: [f"switches_from_{r.name}" for r in s.rivals],
    ),
)
