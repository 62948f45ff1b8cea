"""The components of a step, one mechanism each; `adoptsim/engine/plan.py` lists them in order."""
