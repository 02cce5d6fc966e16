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
