"""What a new user reads: help that fits 80 columns and is never cut short, and messages
that say what to type instead."""

import click
import pytest
from conftest import run

from nncli.cli import main


def every_command(command=main, path=()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from every_command(sub, (*path, name))


@pytest.mark.parametrize("path", [path for path, _ in every_command()], ids=lambda p: " ".join(p) or "nncli")
def test_help_fits_80_columns_and_no_summary_is_cut(path):
    result = run(*path, "--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        assert len(line) <= 80, line
        assert line.startswith("Usage:") or not line.rstrip().endswith("..."), line


def test_start_with_lists_the_pictures_and_approx():
    text = run("--help").stdout
    start = text[text.index("Start with:") : text.index("Options:")]
    assert "nncli visualize" in start and "nncli approx" in start


def test_every_training_option_has_help():
    """Asked for as click asks: the commands are made when first wanted, so a test run on
    its own finds them too."""
    context = click.Context(main)
    train = main.get_command(context, "train")
    for name in ("xor", "linreg", "digits", "mnist"):
        command = train.get_command(click.Context(train, parent=context), name)
        assert all(option.help for option in command.params if isinstance(option, click.Option)), name


def test_predict_says_what_to_type(tmp_path):
    assert run("train", "xor", "-q", "--epochs", "5").exit_code == 0
    words = run("predict", "xor", "a", "b")
    assert words.exit_code == 2 and "'a' is not a number" in words.stderr and "nncli predict xor 1 0" in words.stderr
    short = run("predict", "xor", "1")
    assert short.exit_code == 2 and "got 1 value (" in short.stderr


def test_a_misspelt_function_is_suggested():
    result = run("approx", "sine")
    assert result.exit_code == 2 and "did you mean sin?" in result.stderr


def test_one_of_a_thing_is_said_in_the_singular(tmp_path):
    model, one_row = tmp_path / "x.npz", tmp_path / "one.csv"
    trained = run("train", "xor", "--epochs", "1", "--save", model)
    assert "network: 17 parameters, 1 epoch, lr" in trained.stderr and "after 1 epoch in" in trained.stderr
    one_row.write_text("1,0,1\n")
    assert "(1 example)" in " ".join(run("evaluate", model, "--data", one_row).stdout.split())  # as wrapped
    compared = run("compare", "xor", "--vary", "lr=0.1,0.2", "--epochs", "1").stderr
    assert "after 1 epoch (" in compared and "1 epochs" not in compared
