"""The training loop and the xor / linreg tasks, through the library."""

import functools

import numpy as np
import pytest

from nncli import store
from nncli.config import RunConfig
from nncli.errors import DivergedError
from nncli.session.runner import evaluate_model, load_trained, train_task
from nncli.tasks import get_task
from nncli.tasks.catalog import defaults


def options(task, **changes):
    base = {
        **defaults(task),
        "weight_decay": 0.0,
        "init": "pytorch",
        "seed": 0,
        "engine": "tensor",
        "dtype": "float32",
        "log_every": None,
    }
    return RunConfig.from_dict({**base, **changes})


def train(task_name, save_path=None, **changes):
    events = []
    outcome = train_task(get_task(task_name), options(task_name, **changes), save_path, events.append)
    return outcome, events


@pytest.fixture(scope="module")
def default_xor(tmp_path_factory):
    """XOR trained at its default settings, once per seed for this module's tests:
    seed → (outcome, events, the model file it saved)."""
    folder = tmp_path_factory.mktemp("xor")

    @functools.cache
    def trained(seed):
        path = folder / f"xor-{seed}.npz"
        return *train("xor", save_path=path, seed=seed), path

    return trained


@pytest.mark.parametrize("seed", range(10))
def test_xor_default_settings_learn_xor_for_every_seed(default_xor, seed):
    outcome, _, _ = default_xor(seed)
    assert outcome.summary["accuracy"] == 1.0
    assert outcome.network.num_parameters() == 17


def test_linreg_agrees_with_the_exact_least_squares_line():
    outcome, _ = train("linreg")
    summary = outcome.summary
    assert abs(summary["slope"] - summary["slope_exact"]) < 1e-3
    assert abs(summary["intercept"] - summary["intercept_exact"]) < 1e-3
    # and the exact line is near the one the noisy points were drawn from
    assert summary["slope_exact"] == pytest.approx(2.0, abs=0.1)
    assert summary["intercept_exact"] == pytest.approx(1.0, abs=0.1)


def test_linreg_fits_a_users_csv_in_its_own_units(tmp_path):
    x = np.linspace(100, 200, 40)
    y = -0.5 * x + 300 + np.random.default_rng(0).normal(0, 2, size=40)
    path = tmp_path / "points.csv"
    path.write_text("x,y\n" + "\n".join(f"{a},{b}" for a, b in zip(x, y)))
    summary = train("linreg", data=str(path))[0].summary
    assert summary["slope"] == pytest.approx(summary["slope_exact"], abs=1e-4)
    assert summary["intercept"] == pytest.approx(summary["intercept_exact"], abs=1e-2)


@pytest.mark.parametrize("task_name,epochs", [("xor", 300), ("linreg", 50)])
def test_scalar_engine_gives_the_tensor_engines_numbers(task_name, epochs):
    batch = {"batch_size": 2} if task_name == "xor" else {"batch_size": 16}
    tensor, tensor_events = train(task_name, epochs=epochs, dtype="float64", seed=3, **batch)
    scalar, scalar_events = train(task_name, epochs=epochs, dtype="float64", seed=3, engine="scalar", **batch)
    for name, value in tensor.network.state_dict().items():
        np.testing.assert_allclose(scalar.network.state_dict()[name], value, rtol=1e-9, atol=1e-12)
    tensor_losses = [e["loss"] for e in tensor_events if e["event"] == "epoch"]
    scalar_losses = [e["loss"] for e in scalar_events if e["event"] == "epoch"]
    np.testing.assert_allclose(scalar_losses, tensor_losses, rtol=1e-9)


def test_events_come_in_order_and_are_thinned(default_xor):
    _, events, _ = default_xor(0)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "summary"
    assert set(kinds[1:-1]) == {"epoch", "layer_stats"}
    assert kinds[1:-1:2] == ["epoch"] * (len(kinds) // 2 - 1)  # each epoch's layer_stats follows it
    assert 100 <= len(events) <= 600
    epochs = [e["epoch"] for e in events if e["event"] == "epoch"]
    assert epochs == sorted(epochs) and epochs[0] == 1 and epochs[-1] == 2000
    assert events[0]["parameters"] == 17 and events[0]["schema"] == 1


def test_a_diverging_run_raises_and_never_replaces_the_saved_model(tmp_path):
    path = tmp_path / "line.npz"
    train("linreg", save_path=path)
    before = path.read_bytes()
    with pytest.raises(DivergedError, match="smaller learning rate"):
        train("linreg", save_path=path, lr=5.0)
    assert path.read_bytes() == before


def test_ctrl_c_keeps_what_was_learned(tmp_path):
    events = []

    def interrupting_sink(event):
        events.append(event)
        if event["event"] == "epoch" and event["epoch"] >= 100:
            raise KeyboardInterrupt

    path = tmp_path / "xor.npz"
    outcome = train_task(get_task("xor"), options("xor", log_every=1), path, interrupting_sink)
    assert outcome.result.interrupted and outcome.result.epochs_run == 100
    assert outcome.summary["interrupted"] is True and outcome.summary["model"] == str(path)
    state, meta = store.load_model(path)
    assert meta["epochs_run"] == 100


def test_a_saved_model_round_trips(default_xor):
    outcome, _, saved = default_xor(0)
    task, network, meta, path = load_trained(str(saved))
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    np.testing.assert_array_equal(network.predict(X), outcome.network.predict(X))
    assert meta["task"] == "xor" and meta["metrics"]["accuracy"] == 1.0
    assert len(meta["history"]["loss"]) <= 200
    metrics, _, examples = evaluate_model(task, network, meta)
    assert metrics["accuracy"] == 1.0 and examples == 4


def test_the_latest_model_is_the_one_trained_last(model_home):
    train("xor", save_path=store.default_model_path("xor"), epochs=10)  # which is latest does not depend on epochs
    train("linreg", save_path=store.default_model_path("linreg"))
    assert load_trained(None)[0].name == "linreg"
