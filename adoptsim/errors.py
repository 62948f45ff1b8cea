"""User-facing errors: one line per problem, naming the file, the field path and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence


class AdoptsimError(Exception):
    """A mistake in the user's input (file, field or option); the CLI prints it and exits 2."""

    exit_code = 2


class ScenarioError(AdoptsimError):
    """A scenario (or experiment) file that cannot be read, merged or validated.

    It carries every problem found in the file, each printed as its own line
    `file: field.path: problem`; `path` and `problem` are the first.
    """

    def __init__(self, source: str, path: str, problem: str, more: Sequence[tuple[str, str]] = ()) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        self.problems = [(path, problem), *more]
        super().__init__("\n".join(_line(source, p, m) for p, m in self.problems))

    @classmethod
    def listing(cls, source: str, problems: Sequence[tuple[str, str]]) -> ScenarioError:
        """One error holding several (field path, problem) lines of one file."""
        return cls(source, *problems[0], more=problems[1:])

    def within(self, source: str, path: str) -> ScenarioError:
        """The same problems seen from the file that refers to this one through `path`
        (e.g. `extends`): `child.yaml: extends: parent.yaml: field: problem`."""
        return ScenarioError.listing(source, [(path, _line(self.source, p, m)) for p, m in self.problems])


def _line(source: str, path: str, problem: str) -> str:
    """One problem on one line: a newline inside a value or a key is shown as \\n, never split."""
    line = f"{source}: {path}: {problem}" if path else f"{source}: {problem}"
    return one_line(line)


def one_line(text: str) -> str:
    """`text` with line breaks (and other control characters) shown as escapes."""
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)


class ModelBuildError(AdoptsimError):
    """A scenario that validates but cannot be built (e.g. a graph file with the wrong number of
    nodes). Runners (and engine.blocks, which builds several) add the scenario's name; the CLI
    turns it into a ScenarioError line."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem
        self.scenario: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"
