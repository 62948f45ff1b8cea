"""User-facing errors: one line, naming the file, the field path and what is wrong."""

from __future__ import annotations


class AdoptsimError(Exception):
    """A mistake in the user's input (file, field or option); the CLI prints it and exits 2."""

    exit_code = 2


class ScenarioError(AdoptsimError):
    """A scenario file that cannot be read, merged or validated."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        where = f"{source}: {path}: " if path else f"{source}: "
        super().__init__(f"{where}{problem}")


class ModelBuildError(AdoptsimError):
    """A scenario that validates but cannot be built (e.g. a graph file with the wrong number of
    nodes). Runners add the scenario's name; the CLI turns it into a ScenarioError line."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem
        self.scenario: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"
