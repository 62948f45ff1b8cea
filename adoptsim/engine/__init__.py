"""The engine: `WalletAdoptionModel` and its step, the adoption rules (rules.py) and random
decisions (thinning.py), rival wallets, and the per-agent reference oracle (reference.py)."""
