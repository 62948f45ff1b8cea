"""The `adoptsim` command line: parsing and dispatch (main.py), one module per command."""
