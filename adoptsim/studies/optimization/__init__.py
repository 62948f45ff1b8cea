"""Optimisation: the best mix, timing and targeting of interventions for one budget (Optuna).

spec.py reads optimisation files; search.py runs the study; results.py re-evaluates the finalists
and pairs them with the references. The command is adoptsim/cli/optimize.py, its figures
adoptsim/figures/optimization.py.
"""
