"""Calibration: fit a scenario to an observed adoption curve, with uncertainty, and forecast.

spec.py (calibration files), objective.py (the problem and its objective), search.py (Optuna),
posterior.py (ABC-SMC), outputs.py (tables, calibrated.yaml). The command is adoptsim/cli/calibrate.py,
its figures adoptsim/figures/calibration.py.
"""
