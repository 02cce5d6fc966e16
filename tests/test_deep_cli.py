"""Deep networks from the command line: --hidden 32x10, --batchnorm, --residual, --init."""

import pytest
from conftest import json_lines, run

from nncli import store
from nncli.cli.options import LayerSizes


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("32x10", (32,) * 10),
        ("64,32x4,16", (64, 32, 32, 32, 32, 16)),
        ("128,64", (128, 64)),
        ("8X2", (8, 8)),
        ("0", ()),
        ("", ()),
    ],
)
def test_hidden_sizes_repeat_with_x_and_zero_means_no_hidden_layer(text, sizes):
    assert LayerSizes().convert(text, None, None) == sizes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("32x0", "'32x0' is not a layer size"),
        ("32x", "'32x' is not a layer size"),
        ("x4", "'x4' is not a layer size"),
        ("16,0", "'0' is not a layer size"),
        ("32x100000", "100,000 hidden layers, more than nncli allows"),
        ("32x100000000000000000000", "hidden layers, more than nncli allows"),
    ],
)
def test_bad_hidden_sizes_exit_2_naming_the_syntax(text, message):
    result = run("train", "xor", "--hidden", text, "--no-save")
    assert result.exit_code == 2
    assert message in result.stderr and "SIZExCOUNT" in result.stderr


def test_a_network_beyond_the_parameter_limit_is_refused_before_it_is_built():
    result = run("train", "digits", "--hidden", "2000x20", "--no-save")
    assert result.exit_code == 2  # options that cannot be honoured: a usage error
    assert "more than the 50,000,000 nncli allows" in result.stderr


def test_hidden_0_trains_one_linear_layer_logistic_regression_on_digits():
    result = run("train", "digits", "--hidden", "0", "--epochs", "5", "--lr", "0.05", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json_lines(result)[-1]
    _, meta = store.load_model(summary["model"])
    assert meta["layers"] == [{"type": "linear", "in": 64, "out": 10, "bias": True}]
    assert summary["accuracy"] > 0.5


def test_batchnorm_and_residual_build_the_deep_network_asked_for_and_it_evaluates():
    result = run("train", "xor", "--hidden", "4x3", "--batchnorm", "--residual", "--epochs", "50", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json_lines(result)[-1]
    _, meta = store.load_model(summary["model"])
    kinds = [entry["type"] for entry in meta["layers"]]
    assert kinds == ["linear", "batchnorm", "sigmoid", "residual", "residual", "linear", "sigmoid"]
    assert [e["type"] for e in meta["layers"][3]["layers"]] == ["linear", "batchnorm", "sigmoid"]
    evaluated = run("evaluate", "--json")
    assert evaluated.exit_code == 0, evaluated.stderr


def test_residual_without_equal_widths_warns_and_trains_without_a_skip():
    result = run("train", "xor", "--hidden", "4,8", "--residual", "--epochs", "5", "--json")
    assert result.exit_code == 0
    assert "--residual added no skip connection" in result.stderr
    _, meta = store.load_model(json_lines(result)[-1]["model"])
    assert "residual" not in [entry["type"] for entry in meta["layers"]]


def test_batchnorm_refuses_batches_of_one():
    result = run("train", "xor", "--batchnorm", "--batch-size", "1", "--no-save")
    assert result.exit_code == 2 and "one example has no variance" in result.stderr
    tail = run("train", "xor", "--batchnorm", "--batch-size", "3", "--no-save")  # 4 = 3 + 1
    assert tail.exit_code == 1 and "last batch of each epoch would hold 1" in tail.stderr
    scalar = run("train", "xor", "--batchnorm", "--engine", "scalar", "--no-save")
    assert scalar.exit_code == 2 and "--engine tensor" in scalar.stderr


@pytest.mark.parametrize("init", ["normal", "small"])
def test_init_offers_normal_and_small(init):
    result = run("train", "xor", "--init", init, "--epochs", "5", "--no-save", "--json")
    assert result.exit_code == 0, result.stderr
    assert json_lines(result)[0]["config"]["init"] == init


def test_a_batchnorm_models_snapshots_keep_its_running_statistics_and_replay():
    result = run("train", "xor", "--hidden", "4x2", "--batchnorm", "--epochs", "20", "--json")
    assert result.exit_code == 0, result.stderr
    path = json_lines(result)[-1]["model"]
    epochs, states = store.load_snapshots(path)
    counts = [float(state["1.num_batches_tracked"]) for state in states]
    assert (
        epochs[0] == 0
        and counts == sorted(counts)
        and counts[-1] == 20
        and states[0]["1.num_batches_tracked"].ndim == 0
    )
    early = run("visualize", path, "--epoch", "5", "--view", "health", env={"NO_COLOR": "1"})
    assert early.exit_code == 0, early.stderr
    assert "Gradient std per layer" in early.stdout and "epoch 5" in early.stdout
