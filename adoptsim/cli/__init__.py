"""The `adoptsim` command line: parsing and dispatch (main.py), one module per command."""

from adoptsim.cli import exiting as exiting  # first of all: its exit handler, registered now, runs after all others
