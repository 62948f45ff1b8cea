"""Scenario files: reading YAML safely, `extends` and `--set`, the validated `Scenario`, dotted paths.

The top of the data flow: a file becomes a `Scenario` (spec.py) that the world and engine read.
"""
