"""Network health: layer statistics while training, the verdict, and runs that learned nothing."""

import math

import numpy as np
import pytest
from conftest import json_lines, run

from nncli import nn, store
from nncli.autograd import Tensor
from nncli.nn.network import TensorNetwork
from nncli.train import TrainConfig, fit, health

KEYS = {"name", "activation", "act_mean", "act_std", "saturated", "grad_std", "update_ratio"}


def network(spec, loss="cross_entropy", seed=0):
    return TensorNetwork(nn.from_spec(spec, np.float64, np.random.default_rng(seed)), loss)


def digits_like(rows=40, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, 6)), rng.integers(0, 3, size=rows)


def test_layer_statistics_are_what_the_layers_computed():
    net = network(nn.mlp_spec([6, 5, 4, 3], "tanh"))
    X, y = digits_like()
    stats = health.measure_layers(net, X, y)
    assert [s["name"] for s in stats] == ["0.weight", "2.weight", "4.weight"]
    layers = net.model.layers
    hidden = np.tanh(X @ layers[0].weight.data.T + layers[0].bias.data)
    assert stats[0]["act_mean"] == pytest.approx(hidden.mean()) and stats[0]["act_std"] == pytest.approx(hidden.std())
    assert stats[0]["saturated"] == pytest.approx((np.abs(hidden) > 0.97).mean())
    assert stats[2]["saturated"] is None and stats[2]["activation"] == "identity"  # logits
    net.loss(X, y).backward()  # the gradient the statistics describe
    for s, layer in zip(stats, (layers[0], layers[2], layers[4])):
        assert s["grad_std"] == pytest.approx(layer.weight.grad.std(), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mean_and_std_are_numpys_to_the_bit(dtype):
    """The statistics are printed and logged: those made for less time are NumPy's own, on
    random arrays of many shapes, scales and offsets (where rounding differs if any step
    does), and the shares of a mask are its mean."""
    rng = np.random.default_rng(6)
    for _ in range(400):
        shape = tuple(rng.integers(1, 70, size=rng.integers(1, 3)))
        scale, offset = 10 ** rng.uniform(-8, 8), rng.uniform(-1, 1) * 10 ** rng.uniform(-8, 8)
        values = (rng.standard_normal(shape) * scale + offset).astype(dtype)
        assert health.mean_and_std(values) == (float(values.mean()), float(values.std()))
        mask = values > offset
        assert health._share(mask) == float(mask.mean())
    constant = np.full((4, 3), 0.1, dtype)
    assert health.mean_and_std(constant) == (float(constant.mean()), float(constant.std()))


def test_dead_relu_units_are_those_zero_for_the_whole_batch():
    net = network(nn.mlp_spec([6, 4, 3], "relu"))
    net.model.layers[0].bias.data[:3] = -100.0  # three of four units can never fire
    X, y = digits_like()
    assert health.measure_layers(net, X, y)[0]["saturated"] == 0.75
    leaky = network(nn.mlp_spec([6, 4, 3], "leaky_relu"))
    leaky.model.layers[0].bias.data[:3] = -100.0  # still passing a gradient of 0.01: not dead
    assert health.measure_layers(leaky, X, y)[0]["saturated"] is None


def test_measuring_leaves_no_trace_so_training_is_the_same_with_or_without_it():
    spec = nn.mlp_spec([6, 8, 8, 3], "relu", dropout=0.2, batchnorm=True, residual=True)
    X, y = digits_like(rows=50)
    runs = []
    for layer_stats in (False, True):
        net = network(spec, seed=1)
        events = []
        config = TrainConfig(epochs=4, lr=0.05, batch_size=16, optimizer="adam", seed=2, layer_stats=layer_stats)
        fit(net, X, y, config, events.append)
        runs.append((net.state_dict(), [e for e in events if e["event"] == "layer_stats"]))
    (plain, none), (measured, stats) = runs
    assert not none and [e["epoch"] for e in stats] == [1, 2, 3, 4]
    assert plain.keys() == measured.keys()
    for key in plain:  # running statistics and dropout draws included
        np.testing.assert_array_equal(plain[key], measured[key], err_msg=key)
    names = [s["name"] for s in stats[0]["layers"]]
    assert names == ["0.weight", "4.module.0.weight", "5.weight"] and set(stats[0]["layers"][0]) == KEYS


def test_the_update_ratio_is_the_step_sgd_took_over_the_weights_size():
    spec = nn.mlp_spec([6, 5, 3], "sigmoid")
    X, y = digits_like()
    start = network(spec)
    start.loss(X, y).backward()  # full batch: the one step of epoch 1 is lr times this
    lr = 0.5
    net = network(spec)
    events = []
    fit(net, X, y, TrainConfig(epochs=1, lr=lr, batch_size=len(X), layer_stats=True), events.append)
    (stats,) = [e for e in events if e["event"] == "layer_stats"]
    for s, before in zip(stats["layers"], (start.model.layers[0], start.model.layers[2])):
        after = net.model.layers[0 if s["name"] == "0.weight" else 2].weight.data
        expected = math.log10((lr * before.weight.grad).std() / after.std())
        assert s["update_ratio"] == pytest.approx(expected, rel=1e-9)


def test_verdicts_name_the_pathology_and_a_cure():
    def history(grad_stds, saturated=0.0, ratio=-3.0, activation="sigmoid"):
        layers = [
            {"name": f"{i}.weight", "activation": activation, "act_mean": 0.5, "act_std": 0.1}
            | {"saturated": saturated, "grad_std": g, "update_ratio": ratio}
            for i, g in enumerate(grad_stds)
        ]
        layers[-1]["saturated"] = None
        return [{"event": "layer_stats", "epoch": 1, "layers": layers}]

    assert health.verdict(history([1e-3, 1e-3, 1e-3]), 0.1, learned_well=True) is None
    vanishing = health.verdict(history([1e-9, 1e-6, 1e-3]), 0.1, learned_well=False)
    assert "vanishes" in vanishing and "1.0e-06" in vanishing and "--residual" in vanishing
    assert "explodes" in health.verdict(history([1.0, 1e-1, 1e-3]), 0.1, learned_well=False)
    saturated = health.verdict(history([1e-3, 1e-3, 1e-3], saturated=0.95, ratio=0.5), 1e9, learned_well=False)
    assert "saturated" in saturated and "95%" in saturated and "smaller --lr than 1e+09" in saturated
    dead = health.verdict(history([1e-3, 1e-3, 1e-3], saturated=0.8, activation="relu"), 0.1, learned_well=False)
    assert "dead" in dead and "hidden layers 1, 2" in dead
    assert "far too large" in health.verdict(history([1e-3, 1e-3], ratio=-0.5), 3.0, learned_well=True)
    assert "far too small" in health.verdict(history([1e-3, 1e-3], ratio=-7.0), 1e-6, learned_well=False)
    assert health.verdict(history([1e-3, 1e-3], ratio=-7.0), 1e-6, learned_well=True) is None  # converged


def test_a_gradient_that_vanished_at_the_start_is_named_though_the_layers_recover_later():
    def epoch(number, first_layer_grad):
        layers = [
            {"name": f"{i}.weight", "activation": "sigmoid", "act_mean": 0.5, "act_std": 0.1}
            | {"saturated": 0.1, "grad_std": g, "update_ratio": -3.0}
            for i, g in enumerate([first_layer_grad, 1e-2])
        ]
        return {"event": "layer_stats", "epoch": number, "layers": layers}

    stalled = [epoch(1, 1e-7), epoch(10, 1e-6), epoch(20, 1e-5)]  # 1e-5, 1e-4, 1e-3 times the last's
    stalled_then_recovered = stalled + [epoch(n, 1e-3) for n in (30, 40, 50)]
    said = health.verdict(stalled_then_recovered, 0.1, learned_well=False)
    assert "vanishes" in said and "first half" in said and "1.0e-04 times" in said
    recovered_early = [epoch(1, 1e-7)] + [epoch(n, 1e-3) for n in (10, 20, 30, 40, 50)]
    assert health.verdict(recovered_early, 0.1, learned_well=False) is None


# At lr 1e9 the first step saturates every neuron: a hundred epochs fail as 2,000 would.
FAILING = ("train", "xor", "--lr", "1e9", "--epochs", "100")


def test_xor_at_lr_1e9_says_its_neurons_saturated_and_keeps_the_good_model(xor_model, model_home):
    good = xor_model.read_bytes()  # a model that learned XOR (accuracy 100 %)
    result = run(*FAILING)
    assert result.exit_code == 0
    assert "learned nothing" in result.stderr and "done" not in result.stderr
    assert "neurons saturated" in result.stderr and "try a smaller --lr" in result.stderr
    assert "not saved" in result.stderr and "holds a better xor model" in result.stderr and "--force" in result.stderr
    assert (model_home / "xor.npz").read_bytes() == good
    as_json = json_lines(run(*FAILING, "--json"))[-1]
    assert as_json["model"] is None and as_json["not_saved"]["path"] == str(model_home / "xor.npz")
    assert "learned nothing" in as_json["failure"] and "saturated" in as_json["verdict"]
    forced = json_lines(run(*FAILING, "--json", "--force"))[-1]
    assert forced["model"] == str(model_home / "xor.npz")
    assert store.load_model(forced["model"])[1]["metrics"]["accuracy"] == 0.5


def test_a_run_that_learned_nothing_is_saved_where_no_better_model_is():
    result = json_lines(run(*FAILING, "--json"))[-1]
    assert result["model"] is not None and "failure" in result


def test_a_healthy_run_has_no_verdict_and_keeps_its_layer_stats_thinned_in_the_model_file():
    events = json_lines(run("train", "xor", "--json", "--log-every", "10"))
    stats = [e for e in events if e["event"] == "layer_stats"]
    assert len(stats) == 201 and all(set(s) == {"event", "epoch", "layers"} for s in stats)
    summary = events[-1]
    assert "verdict" not in summary and "failure" not in summary
    kept = store.load_model(summary["model"])[1]["layer_stats"]
    assert len(kept) == 50 and kept[0]["epoch"] == 1 and kept[-1]["epoch"] == 2000
    assert kept[-1]["layers"] == stats[-1]["layers"]


def test_chance_is_the_most_common_class():
    assert health.chance_accuracy(np.array([[0.0], [1.0], [1.0], [0.0]])) == 0.5
    assert health.chance_accuracy(np.array([0, 1, 1, 2])) == 0.5
    assert health.failure(2.0, {"loss": 1.0, "accuracy": 0.12}, chance=0.1) is not None
    assert health.failure(2.0, {"loss": 1.0, "accuracy": 0.6}, chance=0.1) is None
    assert "rose from 1 " in health.failure(1.0, {"loss": 2.0})


def test_batchnorm_residual_networks_are_measured_by_their_inner_layers():
    spec = nn.mlp_spec([6, 4, 4, 3], "tanh", batchnorm=True, residual=True)
    net = network(spec)
    X, y = digits_like()
    stats = health.measure_layers(net, X, y)
    assert [s["name"] for s in stats] == ["0.weight", "3.module.0.weight", "4.weight"]
    block = net.model.layers[3].module
    inner = Tensor(np.tanh(net.model.layers[1](net.model.layers[0](Tensor(X))).data))
    expected = block.layers[2](block.layers[1](block.layers[0](inner))).data
    assert stats[1]["act_mean"] == pytest.approx(expected.mean())
