"""`python -m adoptsim`: the console script."""

from adoptsim.cli.main import entry

if __name__ == "__main__":
    entry()
