"""The small conventions every command keeps: FORCE_COLOR colours a pipe but never
animates it; a save that cannot replace its target keeps the run elsewhere; every --help
summary fits 80 columns."""

import re

import pytest
from conftest import run

REDRAWS = ("\x1b[?25l", "\x1b[2K", "\x1b[1A")  # hide the cursor, erase a line, move up: a frame redrawn


@pytest.mark.parametrize(
    "args",
    [
        ("train", "xor", "--epochs", "300"),
        ("compare", "linreg", "--vary", "lr=0.01,0.5", "--epochs", "30"),
        ("descend", "bowl", "--steps", "30"),
    ],
    ids=lambda args: args[0],
)
def test_force_color_colours_a_pipe_but_never_animates_it(args):
    result = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert result.exit_code == 0, result.stderr
    both = result.stdout + result.stderr
    assert re.search(r"\x1b\[[0-9;]*m", both)  # coloured, as asked
    assert not [code for code in REDRAWS if code in both]


def test_force_color_replay_lists_frames_instead_of_animating():
    assert run("train", "xor", "--epochs", "200", "--quiet").exit_code == 0
    result = run("replay", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert result.exit_code == 0, result.stderr
    assert not [code for code in REDRAWS if code in result.stdout + result.stderr]


def test_a_save_that_cannot_replace_its_target_keeps_the_run_beside_it(tmp_path, monkeypatch):
    """Windows refuses to replace a file another program holds open (PermissionError)."""
    import os

    from nncli import store

    target = tmp_path / "xor.npz"
    assert run("train", "xor", "--epochs", "50", "--save", target, "--quiet").exit_code == 0
    before = target.read_bytes()
    real_replace = os.replace

    def held_open(source, destination):
        if os.fspath(destination) == os.fspath(target):
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real_replace(source, destination)

    monkeypatch.setattr(store.os, "replace", held_open)
    result = run("train", "xor", "--epochs", "60", "--save", target)
    assert result.exit_code == 0, result.stderr
    aside = tmp_path / "xor-2.npz"
    assert f"is in use by another program and was left as it was; this run is saved as {aside}" in result.stderr
    assert target.read_bytes() == before and store.load_model(aside)[1]["epochs_run"] == 60
    assert store.resolve_model(None) == aside  # the run kept aside is the latest
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


@pytest.mark.parametrize("group", [(), ("train",), ("inspect",), ("explain",), ("compare",), ("lr-find",)], ids=str)
def test_every_help_summary_fits_one_line_of_80_columns(group):
    result = run(*group, "--help", env={"COLUMNS": "80"})
    listing = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert len(listing) >= 2
    for line in listing:
        assert len(line) <= 80 and line.startswith("  ") and line[2] != " ", line  # one line per command


def test_a_summary_too_long_loses_its_asides_then_its_last_clauses():
    from nncli.cli.lazy import fit

    assert fit("Measure MODEL (a path; default: the latest) on its data, or on --data FILE", 60) == (
        "Measure MODEL on its data, or on --data FILE"
    )
    assert fit("One, two, three, four", 10) == "One, two"
    assert fit("A sentence without any place to cut it", 20) == "A sentence without…"
    assert fit("Short (kept whole)", 60) == "Short (kept whole)"


def test_export_never_writes_a_file_that_shadows_a_stored_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("train", "xor", "--epochs", "50", "--quiet").exit_code == 0
    refused = run("export", "--to", "json", "xor")  # meant: export the model xor (to where?)
    assert refused.exit_code == 1 and not (tmp_path / "xor").exists()
    assert refused.stderr.startswith("nncli: xor is a stored model's name")
    assert "nncli export xor FILE" in refused.stderr
    assert run("export", "xor", "xor.json").exit_code == 0 and (tmp_path / "xor.json").is_file()
    assert run("export", "--to", "json", "./xor").exit_code == 0  # with a folder, as asked: written


def test_the_shell_completes_stored_model_names():
    from click.testing import CliRunner

    from nncli.cli import main

    assert run("train", "xor", "--epochs", "20", "--quiet").exit_code == 0
    assert run("train", "linreg", "--epochs", "20", "--quiet").exit_code == 0
    env = {"_NNCLI_COMPLETE": "bash_complete", "COMP_WORDS": "nncli evaluate ", "COMP_CWORD": "2"}
    completed = CliRunner().invoke(main, [], prog_name="nncli", env=env).stdout.split()
    assert completed == ["plain,linreg", "plain,xor", "file,"]  # the store's models, then files
    env["COMP_WORDS"] = "nncli inspect weights x"
    env["COMP_CWORD"] = "3"
    assert CliRunner().invoke(main, [], prog_name="nncli", env=env).stdout.split() == ["plain,xor", "file,x"]


def all_options():
    """{option: {metavar shown: [commands]}} over every command."""
    import click

    from nncli.cli import main

    found = {}

    def walk(command, path):
        context = click.Context(command)
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name])
            return
        for param in command.params:
            if isinstance(param, click.Option):
                kind = "flag" if param.is_flag else param.make_metavar(context)
                for name in param.opts:
                    found.setdefault(name, {}).setdefault(kind, []).append(" ".join(path))

    walk(main, [])
    return found


# Options whose commands take different things under one name, on purpose: descend races
# several optimizers at several rates; approx can also build step neurons by hand; --target
# is a column's name for a table, a target value for one example.
SEVERAL_KINDS = {"--lr", "--optimizer", "--activation", "--target"}


def test_one_name_one_kind_across_commands():
    options = all_options()
    assert set(options["--svg"]) == set(options["--html"]) == {"FILE"}
    mixed = {name: kinds for name, kinds in options.items() if len(kinds) > 1 and name not in SEVERAL_KINDS}
    assert not mixed


def test_export_to_stdout_with_a_dash(tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)
    assert run("train", "xor", "--epochs", "50", "--quiet").exit_code == 0
    assert run("export", "xor", "x.json").exit_code == 0
    result = run("export", "xor", "--to", "json", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout_bytes) == json.loads((tmp_path / "x.json").read_text())
    assert "to stdout" in result.stderr and not (tmp_path / "-").exists()
    script = run("export", "xor", "--to", "pytorch", "--embed", "-")
    assert script.exit_code == 0 and "import torch" in script.stdout
    assert run("export", "xor", "--to", "pytorch", "-").exit_code == 2  # its weights would need a file beside it
    assert run("export", "xor", "--to", "json", "--json", "-").exit_code == 2  # two things on stdout
