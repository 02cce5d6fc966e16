"""The final metrics of a run: one forward pass over each part of the data."""

import pytest

from nncli.config import RunConfig
from nncli.nn.network import build_network
from nncli.session.runner import final_metrics
from nncli.tasks import defaults, get_task


def test_one_forward_pass_per_split_and_the_same_figures():
    task = get_task("digits")
    config = RunConfig.from_dict({**defaults.DIGITS, "seed": 0, "dtype": "float32", "engine": "tensor"})
    dataset = task.load_data(config)
    network = build_network(task.layer_spec(config, dataset), task.loss, "tensor", "float32", 0, "he")
    passes = []
    forward = network.model.forward
    network.model.forward = lambda x: passes.append(len(x)) or forward(x)

    metrics = final_metrics(task, network, dataset)
    splits = sorted([len(dataset.X_train), len(dataset.X_test), len(dataset.validation[0])])
    assert sorted(passes) == splits  # one pass each, not one per figure
    expected = {
        "loss": network.evaluate_loss(dataset.X_train, dataset.y_train),
        "test_loss": network.evaluate_loss(dataset.X_test, dataset.y_test),
        **task.metrics(network, dataset.X_test, dataset.y_test),
        **task.summary(network, dataset),
    }
    assert metrics == pytest.approx(expected, rel=0, abs=0)
    assert len(passes) > len(splits)  # outside final_metrics nothing is remembered
