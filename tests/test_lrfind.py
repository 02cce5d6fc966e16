"""`nncli lr-find`: the learning rate grows exponentially until the loss blows up, the
suggestion is the steepest descent of the smoothed curve, and training at it works."""

import math

import numpy as np
import pytest
from conftest import json_lines, run

from nncli.session.lrfind import smooth, suggest


def lr_find(*args):
    result = run("lr-find", *args, "--json")
    assert result.exit_code == 0, result.output
    events = json_lines(result)
    assert [e["event"] for e in events] == ["start", "lr_find"]
    return events[0], events[1]


def test_digits_suggestion_is_finite_in_range_and_training_at_it_works():
    start, found = lr_find("digits")
    lrs = [p["lr"] for p in found["points"]]
    assert lrs[0] == 1e-6 and all(b > a for a, b in zip(lrs, lrs[1:]))
    np.testing.assert_allclose(np.diff(np.log10(lrs)), 7 / 99, rtol=1e-9)  # 1e-6 to 10 over 100 steps
    assert found["stopped"] == "blew up" and len(lrs) < 100  # the last point is the blow-up
    assert found["points"][-1]["loss"] > 4 * min(p["loss"] for p in found["points"])
    suggestion = found["suggestion"]
    assert math.isfinite(suggestion) and 1e-6 <= suggestion <= 10 and suggestion in lrs
    assert suggestion < found["lowest_lr"]
    assert start["parameters"] == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10

    trained = json_lines(run("train", "digits", "--lr", suggestion, "--epochs", 15, "--no-save", "--json"))
    assert trained[-1]["event"] == "summary" and trained[-1]["accuracy"] > 0.9


def test_task_options_are_the_train_commands_own():
    start, found = lr_find("digits", "--batch-size", 64, "--hidden", 32, "--steps", 30, "--end-lr", 1)
    assert start["config"]["batch_size"] == 64 and start["config"]["hidden"] == [32]
    assert start["parameters"] == 64 * 32 + 32 + 32 * 10 + 10
    assert len(found["points"]) <= 30 and found["points"][-1]["lr"] <= 1


def test_lr_find_never_saves_or_replaces_a_model(model_home):
    model_home.mkdir()
    existing = model_home / "digits.npz"
    existing.write_bytes(b"the user's model")
    lr_find("digits", "--steps", 20)
    assert existing.read_bytes() == b"the user's model"
    assert sorted(p.name for p in model_home.iterdir()) == ["digits.npz"]


def test_the_picture_names_the_suggestion_and_its_rule():
    result = run("lr-find", "linreg")
    assert result.exit_code == 0
    assert "suggested learning rate" in result.stdout and "steepest descent" in result.stdout
    assert "Loss against learning rate" in result.stdout


def test_suggestion_is_the_steepest_fall_before_the_lowest_point():
    lrs = np.logspace(-6, 1, 71)
    logs = np.log10(lrs)
    falling = 1 - np.tanh(2 * (logs + 3))  # falls fastest at lr = 1e-3
    curve = np.where(logs < 0, falling, falling + 50 * logs**2)  # and blows up after lr = 1
    suggestion, lowest = suggest(lrs.tolist(), curve.tolist())
    assert suggestion == pytest.approx(1e-3, rel=0.01)
    assert 1e-3 < lowest <= 1


def test_no_suggestion_when_the_loss_never_falls():
    lrs = np.logspace(-6, 1, 20).tolist()
    assert suggest(lrs, list(np.linspace(1, 2, 20)))[0] is None


def test_smoothing_is_centred_so_it_does_not_lag():
    line = np.arange(20.0)
    np.testing.assert_allclose(smooth(line)[3:-3], line[3:-3])  # a running average would lag by 3


@pytest.mark.parametrize(
    "args",
    [
        ["digits", "--steps", 0],
        ["digits", "--start-lr", "nan"],
        ["digits", "--start-lr", 1, "--end-lr", 0.1],
        ["digits", "--engine", "scalar"],
        ["digits", "--epochs", 3],
        ["digits", "--lr", 0.1],
        ["digitz"],
    ],
)
def test_bad_input_is_a_usage_error(args):
    result = run("lr-find", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip()
