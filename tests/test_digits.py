"""The digits task: its split and scaling, its network, its metrics and reports, and the
`train digits` / `evaluate` / `predict` / `inspect weights` commands on a digit model."""

import numpy as np
import pytest
from conftest import json_lines, run

from nncli import data
from nncli.config import RunConfig
from nncli.errors import DataError
from nncli.session.runner import evaluate_model, load_trained, parameter_count, train_task
from nncli.tasks import get_task
from nncli.tasks.catalog import defaults

# its module fixture trains models once: all its tests on one worker
pytestmark = pytest.mark.xdist_group("digits")


def options(**changes):
    base = {
        **defaults("digits"),
        "weight_decay": 0.0,
        "seed": 0,
        "engine": "tensor",
        "dtype": "float32",
        "log_every": None,
    }
    return RunConfig.from_dict({**base, **changes})


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


def test_default_settings_beat_96_percent_on_held_out_digits():
    # The benchmark (nncli/bench/digits_vs_sklearn.py) averages seeds 0–4; one seed here.
    outcome = train_task(get_task("digits"), options(seed=0), None, lambda event: None)
    assert outcome.summary["accuracy"] >= 0.96
    assert outcome.summary["train_accuracy"] >= outcome.summary["accuracy"]


def test_patience_stops_early_and_keeps_the_best_weights():
    events = []
    outcome = train_task(get_task("digits"), options(epochs=200, patience=2, lr=0.01), None, events.append)
    assert outcome.result.stopped_early and outcome.summary["epochs"] < 200
    val_losses = outcome.result.history["val_loss"]
    best = outcome.summary["best_epoch"]
    assert val_losses[best - 1] == min(val_losses)
    assert outcome.summary["val_loss"] == pytest.approx(val_losses[best - 1], rel=1e-5)


def test_logged_epochs_report_training_and_validation_accuracy_but_never_the_held_out_data():
    events = []
    train_task(get_task("digits"), options(epochs=3, patience=0), None, events.append)
    epochs = [e for e in events if e["event"] == "epoch"]
    assert len(epochs) == 3
    for event in epochs:
        assert {"loss", "val_loss", "train_accuracy", "val_accuracy"} <= set(event)
        assert "accuracy" not in event and "test_loss" not in event
    summary = events[-1]
    assert {"accuracy", "train_accuracy", "loss", "val_loss", "test_loss"} <= set(summary)


# --- reports and predictions -------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A digits model trained briefly, saved and loaded back as `evaluate` does (saved
    beside the store, not as any store's most recent model)."""
    path = tmp_path_factory.mktemp("model") / "digits.npz"
    train_task(get_task("digits"), options(epochs=8, patience=0), path, lambda event: None, latest=False)
    return load_trained(str(path))


def test_the_report_is_consistent_with_the_accuracy(trained):
    task, network, meta, _ = trained
    metrics, _, examples = evaluate_model(task, network, meta)
    confusion = np.array(metrics["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == examples
    dataset = task.load_data(RunConfig.from_dict(meta["config"]))
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(dataset.y_test, minlength=10))  # rows: true label
    assert np.trace(confusion) / examples == pytest.approx(metrics["accuracy"])
    np.testing.assert_allclose(metrics["recall"], np.diag(confusion) / confusion.sum(axis=1))
    np.testing.assert_allclose(metrics["precision"], np.diag(confusion) / np.maximum(confusion.sum(axis=0), 1))
    assert metrics["misclassified"] == examples - np.trace(confusion)
    mistakes = metrics["mistakes"]
    assert 0 < len(mistakes) <= 12
    assert all(m["label"] != m["prediction"] and len(m["pixels"]) == 64 for m in mistakes)
    assert [m["confidence"] for m in mistakes] == sorted((m["confidence"] for m in mistakes), reverse=True)
    first = mistakes[0]  # the pixels are the raw ones: predicting them gives the same answer
    assert task.predict(network, np.array([first["pixels"]], dtype=float), meta)[0]["prediction"] == first["prediction"]


def test_precision_of_a_class_never_predicted_is_zero_not_nan():
    class Constant:  # always says 3
        def predict(self, X):
            return np.tile(np.eye(10)[3] * 5, (len(X), 1))

    report = get_task("digits").report(Constant(), np.zeros((4, 64)), np.array([0, 3, 3, 9]))
    assert report["precision"][0] == 0.0 and report["precision"][3] == 0.5
    assert report["recall"][3] == 1.0 and report["recall"][5] == 0.0


def test_predict_scales_raw_pixels_and_gives_probabilities(trained):
    task, network, meta, _ = trained
    X, y = data.load_digits()
    rows = task.predict(network, X[:20], meta)
    for row in rows:
        assert sum(row["probabilities"]) == pytest.approx(1.0)
        assert row["confidence"] == max(row["probabilities"])
        assert row["prediction"] == int(np.argmax(row["probabilities"]))
    assert np.mean([r["prediction"] for r in rows] == y[:20]) >= 0.8
    scaled = network.predict(X[:20] / 16).argmax(axis=1)
    assert [r["prediction"] for r in rows] == scaled.tolist()


def test_a_labelled_csv_is_checked(trained, tmp_path):
    task, _, meta, _ = trained
    X, y = data.load_digits()
    good = tmp_path / "good.csv"
    good.write_text("".join(",".join(map(str, [*map(int, x), label])) + "\n" for x, label in zip(X[:5], y[:5])))
    X_file, y_file = task.labelled_file(good, meta)
    np.testing.assert_allclose(X_file, X[:5] / 16)
    np.testing.assert_array_equal(y_file, y[:5])
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(["0"] * 64 + ["12"]) + "\n")
    with pytest.raises(DataError, match="a digit 0–9; row 1 has 12"):
        task.labelled_file(bad, meta)


# --- the command line --------------------------------------------------------------------


def test_train_digits_json_is_json_lines_with_the_metrics_the_issue_asks_for(model_home):
    result = run("train", "digits", "--epochs", "4", "--json")
    assert result.exit_code == 0, result.stderr
    events = json_lines(result)
    start, summary = events[0], events[-1]
    assert start["task"] == "digits" and start["parameters"] == 17_226
    assert start["config"]["init"] == "he" and start["config"]["dropout"] == 0.1 and start["config"]["patience"] == 20
    assert all({"loss", "val_loss"} <= set(e) for e in events[1:-1] if e["event"] == "epoch")
    assert {"accuracy", "train_accuracy", "loss", "val_loss"} <= set(summary)
    assert summary["model"] == str(model_home / "digits.npz")


def test_train_digits_for_a_person_shows_the_accuracy_and_sample_digits():
    result = run("train", "digits", "--epochs", "3", "--no-save", env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "held-out accuracy" in result.stdout and "training accuracy" in result.stdout
    assert "✓" in result.stdout and "█" in result.stdout  # digits drawn with glyphs
    assert "model not saved" in result.stderr


def test_overfitting_options_reach_the_model(tmp_path):
    path = tmp_path / "m.npz"
    args = (
        "train",
        "digits",
        "--epochs",
        "2",
        "--dropout",
        "0",
        "--weight-decay",
        "0.001",
        "--init",
        "xavier",
        "--patience",
        "1",
        "--hidden",
        "32",
        "--save",
        str(path),
        "-q",
    )
    assert run(*args).exit_code == 0
    model = json_lines(run("inspect", "model", str(path), "--json"))[0]
    assert [layer["type"] for layer in model["layers"]] == ["linear", "relu", "linear"]
    assert model["config"]["weight_decay"] == 0.001 and model["config"]["init"] == "xavier"
    assert model["parameters"] == 64 * 32 + 32 + 32 * 10 + 10


@pytest.mark.parametrize(
    "args", [("--dropout", "1"), ("--dropout", "-0.1"), ("--patience", "-1"), ("--engine", "scalar")]
)
def test_bad_options_are_usage_errors(args):
    assert run("train", "digits", "--epochs", "1", "--no-save", *args).exit_code == 2


def test_evaluate_predict_and_inspect_a_digit_model(model_home):
    assert run("train", "digits", "--epochs", "6", "-q").exit_code == 0

    evaluation = json_lines(run("evaluate", "--json"))[0]
    assert evaluation["task"] == "digits" and evaluation["examples"] == 359
    assert len(evaluation["confusion"]) == 10 and all(len(row) == 10 for row in evaluation["confusion"])
    assert len(evaluation["precision"]) == len(evaluation["recall"]) == 10

    shown = run("evaluate", env={"NO_COLOR": "1"})
    assert shown.exit_code == 0
    for text in ("confusion matrix", "per class", "precision", "recall", "most confused", "→"):
        assert text in shown.stdout

    X, y = data.load_digits()
    pixels = [str(int(v)) for v in X[0]]
    prediction = json_lines(run("predict", *pixels, "--json"))[0]
    assert prediction["prediction"] == y[0] and len(prediction["probabilities"]) == 10
    two_rows = run("predict", "--json", input="\n".join(",".join(map(str, map(int, x))) for x in X[:2]) + "\n")
    assert [p["prediction"] for p in json_lines(two_rows)] == y[:2].tolist()
    drawn = run("predict", *pixels, env={"NO_COLOR": "1"})
    assert drawn.exit_code == 0 and "confidence" in drawn.stdout and "█" in drawn.stdout
    assert run("predict", *pixels[:63]).exit_code == 2

    weights = run("inspect", "weights", "--filters", "4", env={"NO_COLOR": "1"})
    assert weights.exit_code == 0
    words = " ".join(weights.stdout.split())
    assert "the 4 of its 128 neurons that pass on most" in words and "8×8 images" in words


def test_evaluate_on_a_labelled_csv(tmp_path):
    assert run("train", "digits", "--epochs", "6", "-q").exit_code == 0
    X, y = data.load_digits()
    path = tmp_path / "few.csv"
    path.write_text("".join(",".join(map(str, [*map(int, x), label])) + "\n" for x, label in zip(X[:30], y[:30])))
    evaluation = json_lines(run("evaluate", "--data", str(path), "--json"))[0]
    assert evaluation["examples"] == 30 and np.array(evaluation["confusion"]).sum() == 30
