"""Figures and the way numbers read: pure functions from tables to matplotlib Figures, and one
formatter of money, shares, weeks and KPI names (formatting.py)."""
