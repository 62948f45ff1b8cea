"""A corpus of bad inputs, each through the CLI: one line per problem, exit 2, nothing written.

Each file in tests/cli/bad_inputs/ is one case: an optional first line `# argv: <command> {file} ...`
(default `run {file}`) and, at its end, one `# expect: <problem>` line per line the command must
print on stderr, each after `<file>: `. `{dir}` stands for tests/cli/bad_inputs, `{any}` for any
text (machine-dependent sizes), in `# argv:` lines too. Files in bad_inputs/parts/ are helpers that cases refer to.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from adoptsim.cli.main import main

CASES = Path(__file__).parent / "bad_inputs"


def read_case(path: Path) -> tuple[list[str], list[str]]:
    argv, expected = "run {file}", []
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        if line.startswith("# argv: "):
            argv = line.removeprefix("# argv: ")
        elif line.startswith("# expect: "):
            expected.append(line.removeprefix("# expect: "))
    return shlex.split(argv), expected


def pattern(file: Path, expected: str) -> re.Pattern:
    text = re.escape(f"{file}: {expected}").replace(re.escape("{dir}"), re.escape(str(CASES)))
    return re.compile(text.replace(re.escape("{any}"), ".*"))


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_input_is_one_line_per_problem_and_writes_nothing(case, tmp_path, capsys):
    argv, expected = read_case(case)
    assert expected, f"{case.name} has no '# expect:' line"
    out = tmp_path / "out"
    argv = [str(case) if a == "{file}" else a.replace("{dir}", str(CASES)) for a in argv]
    if argv[0] in ("run", "compare", "sweep"):
        argv += ["--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == len(expected), err
    for line, want in zip(lines, expected, strict=True):
        assert pattern(case, want).fullmatch(line), f"\n got: {line}\nwant: {case}: {want}"
    assert list(tmp_path.iterdir()) == []


def test_the_corpus_is_large_enough():
    assert len(list(CASES.glob("*.yaml"))) >= 60
