"""`adoptsim --profile FILE CMD ...`: the command is found past the option's value."""

from __future__ import annotations

import pstats

from adoptsim.cli.main import main, named_command


def test_the_command_is_the_first_word_that_is_not_an_option_or_its_value():
    assert named_command(["--profile", "out.prof", "validate", "x.yaml"]) == {"validate"}
    assert named_command(["validate", "--profile", "x"]) == {"validate"}
    assert named_command(["--version"]) == set()


def test_profile_before_the_command_writes_a_profile_of_it(tmp_path):
    target = tmp_path / "validate.prof"
    assert main(["--profile", str(target), "validate", "scenarios/baseline.yaml"]) == 0
    names = {function for _, _, function in pstats.Stats(str(target)).stats}
    assert "validate_file" in names
