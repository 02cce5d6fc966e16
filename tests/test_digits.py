"""The digits task: its split and scaling, its network, its metrics and reports, and the
`train digits` / `evaluate` / `predict` / `inspect weights` commands on a digit model."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from nncli import data
from nncli.cli import main
from nncli.errors import DataError
from nncli.tasks import defaults, get_task
from nncli.tasks.runner import evaluate_model, load_trained, parameter_count, train_task


@pytest.fixture(autouse=True)
def model_home(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCLI_HOME", str(tmp_path / "store"))
    return tmp_path / "store"


def options(**changes):
    base = {**defaults.DIGITS, "weight_decay": 0.0, "seed": 0, "engine": "tensor", "dtype": "float32", "log_every": None}
    return {**base, **changes}


# --- the data ----------------------------------------------------------------------------


def test_split_is_stratified_80_20_with_a_validation_part_and_scaled_to_0_1():
    dataset = get_task("digits").load_data(options(seed=3))
    X_val, y_val = dataset.validation
    assert len(dataset.X_test) + len(dataset.X_train) + len(X_val) == 1797
    assert len(dataset.X_test) == pytest.approx(0.2 * 1797, abs=5)
    assert len(X_val) == pytest.approx(0.1 * (1797 - len(dataset.X_test)), abs=5)
    for X in (dataset.X_train, dataset.X_test, X_val):
        assert X.dtype == np.float32 and X.min() == 0.0 and X.max() == 1.0
    # every class is held out in the same proportion
    _, y = data.load_digits()
    assert np.allclose(np.bincount(dataset.y_test) / np.bincount(y), 0.2, atol=0.02)
    assert dataset.input_scaling == {"x_mean": [0.0], "x_std": [16.0]}


def test_the_split_depends_on_the_seed_and_only_on_it():
    task = get_task("digits")
    a, b, c = (task.load_data(options(seed=s)) for s in (0, 0, 1))
    np.testing.assert_array_equal(a.X_test, b.X_test)
    np.testing.assert_array_equal(a.validation[0], b.validation[0])
    assert not np.array_equal(a.y_test, c.y_test)


def test_the_network_is_64_128_64_10_with_dropout_and_no_final_activation():
    task = get_task("digits")
    spec = task.layer_spec(options(), task.load_data(options()))
    assert [e["type"] for e in spec] == ["linear", "relu", "dropout", "linear", "relu", "dropout", "linear"]
    assert parameter_count(spec) == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    no_dropout = task.layer_spec(options(dropout=0.0), task.load_data(options()))
    assert "dropout" not in [e["type"] for e in no_dropout]
