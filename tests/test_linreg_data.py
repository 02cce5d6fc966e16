"""linreg --data as a new user meets it: a held-out part of the file (or a word that there
is none), the loss in y's own units beside the standardised one, a model file that keeps
the points instead of naming the file, and exact data (°C → °F) called converged."""

import json

import numpy as np
import pytest
from conftest import json_lines, run

from nncli import store
from nncli.errors import ModelFileError
from nncli.render.numbers import format_value


def celsius_to_fahrenheit(path, rows=13):
    path.write_text("".join(f"{c},{c * 9 / 5 + 32}\n" for c in np.linspace(-20, 40, rows)))
    return path


def noisy_points(path, rows=40):
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, rows)
    y = 3 * x + 50 + 10 * rng.standard_normal(rows)
    path.write_text("".join(f"{a},{b}\n" for a, b in zip(x, y)))
    return x, y


def test_evaluate_measures_the_held_out_points_of_the_file_in_both_units(tmp_path):
    x, y = noisy_points(tmp_path / "points.csv")
    assert run("train", "linreg", "--data", tmp_path / "points.csv", "-q").exit_code == 0
    report = json.loads(run("evaluate", "--json").stdout)
    assert report["examples"] == 12  # 30 % of 40, not the training points
    assert "12 points of points.csv held out from training" in report["data"]
    assert "standardised units" in report["data"]
    # the MSE in y's units is the standardised loss times y's variance on the training part
    meta = store.read_meta(store.resolve_model(None))
    y_std = meta["input_scaling"]["y_std"][0]
    assert report["mse_in_y_units"] == pytest.approx(report["loss"] * y_std**2, rel=1e-5)
    assert 50 < report["mse_in_y_units"] < 400  # noise of σ = 10 in y's units, not ≈ 0.05
    human = run("evaluate").stdout
    assert "mse in y units" in human and "held-out data of" not in human


def test_a_file_too_small_to_spare_points_says_it_has_no_held_out_part(tmp_path):
    (tmp_path / "two.csv").write_text("0,1\n1,3\n")
    assert run("train", "linreg", "--data", tmp_path / "two.csv", "-q").exit_code == 0
    report = json.loads(run("evaluate", "--json").stdout)
    assert report["examples"] == 2 and "its 2 training points (two.csv had too few to hold any out)" in report["data"]


def test_the_model_keeps_the_points_and_never_the_path(tmp_path):
    data = celsius_to_fahrenheit(tmp_path / "ctof.csv")
    result = run("train", "linreg", "--data", data, "--json")
    model = json.loads(result.stdout.splitlines()[-1])["model"]
    data.unlink()
    assert str(tmp_path).encode() not in open(model, "rb").read()
    meta = store.read_meta(model)
    assert "data" not in meta["config"] and meta["data"] == "ctof.csv"
    assert "--data ctof.csv" in meta["command"]  # the command as run, the file by its name alone
    kept = store.load_extras(model)
    assert kept["__train_points"].shape[1] == 2 and len(kept["__train_points"]) + len(kept["__held_out_points"]) == 13
    for view in ("fit", "landscape"):
        assert run("visualize", "--view", view).exit_code == 0


def test_exact_data_converge_instead_of_crawling(tmp_path):
    run("train", "linreg", "--data", celsius_to_fahrenheit(tmp_path / "ctof.csv"), "-q")
    result = run("visualize", "--view", "landscape")
    assert result.exit_code == 0
    assert "converged in" in result.stdout and "too slow" not in result.stdout


def test_extra_arrays_must_be_numbers_under_a_double_underscore(tmp_path):
    state = {"0.weight": np.zeros((1, 1), np.float32), "0.bias": np.zeros(1, np.float32)}
    meta = {"task": "linreg", "dtype": "float32", "layers": [{"type": "linear", "in": 1, "out": 1, "bias": True}]}
    path = store.save_model(tmp_path / "m.npz", state, meta, extras={"__rows": np.arange(6.0).reshape(3, 2)})
    np.testing.assert_array_equal(store.load_extras(path)["__rows"], np.arange(6.0).reshape(3, 2))
    assert set(store.load_model(path)[0]) == {"0.weight", "0.bias"}  # still the torch state dict
    for key, array in (("rows", np.zeros(2)), ("__text", np.array(["a"])), ("__nan", np.array([np.nan]))):
        with pytest.raises(ValueError):
            store.save_model(tmp_path / "bad.npz", state, meta, extras={key: array})


def test_a_model_file_missing_its_points_is_refused(tmp_path):
    data = celsius_to_fahrenheit(tmp_path / "ctof.csv")
    model = json.loads(run("train", "linreg", "--data", data, "--json").stdout.splitlines()[-1])["model"]
    state, meta = store.load_model(model)
    store.save_model(model, state, meta)  # the same model, without its points
    result = run("evaluate")
    assert result.exit_code == 1 and "without those points" in result.stderr
    assert ModelFileError.exit_code == 1


def test_training_and_held_out_r2_never_share_a_name():
    """Every logged epoch's R² is on the points it learns from, named so; the held-out R²
    is said once, at the end, under its own name."""
    events = json_lines(run("train", "linreg", "--epochs", "30", "--json"))
    epochs, summary = [e for e in events if e["event"] == "epoch"], events[-1]
    assert epochs and all("train_r2" in e and "r2" not in e for e in epochs)
    assert summary["train_r2"] == pytest.approx(epochs[-1]["train_r2"], rel=1e-6)
    assert summary["r2"] != summary["train_r2"]
    lines = run("train", "linreg", "--epochs", "30").stderr.splitlines()
    last = next(line for line in lines if line.startswith("epoch 30/30"))
    done = next(line for line in lines if line.startswith("done after"))
    assert f"train R² {format_value(summary['train_r2'])}" in last and last.count("R²") == 1
    assert f"held-out R² {format_value(summary['r2'])}" in done
