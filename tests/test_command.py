"""Every model records the command that made it, and that command makes it again."""

import shlex

import pytest
from conftest import run

from nncli import store
from nncli.command import command_line, recorded_command


def test_the_command_spells_out_every_setting():
    settings = {"epochs": 2000, "lr": 3.0, "batch_size": 4, "hidden": [4], "activation": "sigmoid"}
    settings |= {"optimizer": "sgd", "weight_decay": 0.0, "init": "pytorch", "seed": 0, "log_every": None}
    assert command_line("xor", settings) == (
        "nncli train xor --epochs 2000 --lr 3 --batch-size 4 --hidden 4 --activation sigmoid "
        "--optimizer sgd --weight-decay 0 --init pytorch --seed 0"
    )


def test_values_are_exact_and_quoted_for_the_shell():
    line = command_line("approx", {"target": None, "formula": "x**3 - x", "lr": 0.1 + 0.2, "hidden": [16, 8]})
    assert line == "nncli approx --expr 'x**3 - x' --lr 0.30000000000000004 --hidden 16,8"
    assert float(shlex.split(line)[-3]) == 0.1 + 0.2


RUNS = [
    ("train", "xor", "--epochs", "30", "--lr", "2.5", "--seed", "3", "--hidden", "3"),
    ("train", "linreg", "--points", "40", "--epochs", "20", "--slope", "-1.5", "--intercept", "-2", "--seed", "1"),
    ("train", "digits", "--epochs", "1", "--hidden", "8", "--dropout", "0.2", "--patience", "0"),
    ("approx", "sin", "--epochs", "10", "--hidden", "5", "--optimizer", "momentum"),
    ("approx", "--expr", "x**3 - x", "--method", "construct", "--hidden", "7", "--domain", "-1.5,2"),
]


@pytest.mark.parametrize("args", RUNS, ids=lambda args: "-".join(args[:2]))
def test_running_the_recorded_command_gives_the_same_model(args, tmp_path):
    first = tmp_path / "first.npz"
    assert run(*args, "--quiet", "--save", first).exit_code == 0
    state, meta = store.load_model(first)
    words = shlex.split(meta["command"])
    assert words[0] == "nncli" and f"--seed {meta['seed']}" in meta["command"]

    again = run(*words[1:], "--quiet")  # saves to the store, as the bare command does
    assert again.exit_code == 0, again.output
    state_again, meta_again = store.load_model(store.default_model_path(meta["task"]))
    assert meta_again["metrics"]["loss"] == meta["metrics"]["loss"]  # to the last digit
    assert meta_again["metrics"] == meta["metrics"]
    assert meta_again["command"] == meta["command"]
    assert all((state_again[key] == value).all() for key, value in state.items())


def test_a_model_saved_without_a_command_is_described_by_its_settings(tmp_path):
    path = tmp_path / "xor.npz"
    run("train", "xor", "--epochs", "5", "--quiet", "--save", path)
    meta = store.read_meta(path)
    recorded = recorded_command(meta)
    del meta["command"]
    assert recorded_command(meta) == recorded
    assert recorded_command({**meta, "command": ["not", "text"]}) == recorded
    assert recorded_command({**meta, "command": "nncli train xor\x1b[2J\n"}) == "nncli train xor?[2J?"


def test_inspect_model_says_what_made_it(tmp_path):
    path = tmp_path / "xor.npz"
    run("train", "xor", "--epochs", "5", "--lr", "2", "--quiet", "--save", path)
    result = run("inspect", "model", path)
    assert "made by: nncli train xor --epochs 5 --lr 2 " in " ".join(result.stdout.split())
    assert "(nncli " in result.stdout
