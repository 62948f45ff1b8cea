"""Rival wallets as products (docs/rivals.md): adoptsim/scenario/rivals.py the scenario's `rivals:` list,
`market.py` their state, step and outputs, `figure.py` the market-share figure."""

from adoptsim.scenario.rivals import FOCAL, RivalCampaign, Rivals, RivalSpec, market_share_names, wallet_names

__all__ = ["FOCAL", "RivalCampaign", "RivalSpec", "Rivals", "market_share_names", "wallet_names"]
