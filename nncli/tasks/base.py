"""What every task provides, and the dataset it hands to the training loop."""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    """Training and held-out data, already scaled for the network.

    `input_scaling` (saved in the model) says how raw inputs and outputs map to the
    network's: x_net = (x − x_mean) / x_std, y = y_net · y_std + y_mean.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    input_scaling: dict | None = None
    validation: tuple | None = None  # (X, y) whose loss is tracked each epoch (early stopping)
    source: str = ""  # where the data came from, for the metadata and the screen
    held_out: str = ""  # what X_test is, for evaluate's report (default: "the held-out part of <source>")
    kept: dict | None = None  # "__" arrays the model file keeps, e.g. held-out rows of a file it never reopens
    notes: list = field(default_factory=list)  # what a person should be told about the data (rows dropped, …)
    extra: dict = field(default_factory=dict)


class Task:
    """A learning problem: its data, its network's shape, its loss and its metrics.

    Subclasses set the class attributes and override the methods that differ.
    """

    name = ""
    title = ""  # what the live panel says is being learned
    # The task's pictures, by name, in drawing order: each a view function named as
    # "module.function" under nncli.views (see its docstring for the contract).
    views = {"loss": "loss.history", "health": "health.layers"}
    watch = ("loss",)  # the views the live panel shows while it trains
    result = ("tables.summary",)  # what a finished run shows
    evaluation = "tables.metrics"  # how `evaluate` reports: a function of the metrics dict
    prediction = "tables.answers"  # how `predict` reports: a function of the rows of `predict`
    compare_view = None  # a view drawing several runs' paths together (`nncli compare`), called with `runs=`
    loss = "mse"  # "mse", "bce" or "cross_entropy"
    classifier = False

    def load_data(self, config) -> Dataset:
        raise NotImplementedError

    def loss_for(self, config, dataset):
        """The loss this run trains on: the task's own, unless its data decide (K classes)."""
        return self.loss

    def restore(self, meta):
        """Take what the task needs from a model file's metadata before it is used."""

    def stored_data(self, path):
        """The Dataset of a trained model from the arrays its file at `path` keeps (after
        `restore`), or None if the task rebuilds its data from the run's settings instead."""
        return None

    def layer_spec(self, config, data):
        raise NotImplementedError

    def metrics(self, network, X, y) -> dict:
        """Numbers that say how well `network` does on (X, y), beyond the loss."""
        return {}

    def epoch_metrics(self, network, dataset) -> dict:
        """The numbers added to logged epochs: by default, the metrics on the training data."""
        return self.metrics(network, dataset.X_train, dataset.y_train)

    def report(self, network, X, y) -> dict:
        """What `evaluate` adds beyond the metrics (a classifier's confusion matrix, say)."""
        return {}

    def extra_meta(self, config, dataset) -> dict:
        """Task-specific fields for the model file's metadata (e.g. the approximated target)."""
        return {}

    def summary(self, network, data) -> dict:
        """Task-specific fields for the final summary (e.g. the learned line)."""
        return {}

    def labelled_file(self, path, meta):
        """(X, y) from a CSV of rows "inputs…, targets…", scaled as the model was trained."""
        from nncli.data import read_csv

        n_in = meta["layers"][0]["in"]
        n_out = (
            1
            if self.loss == "cross_entropy"
            else next(e["out"] for e in reversed(meta["layers"]) if e["type"] == "linear")
        )
        table = read_csv(path, n_columns=n_in + n_out)
        X, y = table[:, :n_in], table[:, n_in:]
        scaling = meta.get("input_scaling")
        if scaling:
            y = (y - np.asarray(scaling["y_mean"])) / np.asarray(scaling["y_std"])
        if self.loss == "cross_entropy":
            y = y[:, 0].astype(np.int64)
        return scale_inputs(X, scaling), y

    def input_width(self, meta):
        """How many numbers make one input row of `predict`."""
        return meta["layers"][0]["in"]

    def read_inputs(self, lines, source, meta):
        """The input rows for `predict`, from lines of CSV text (arguments or stdin)."""
        from nncli.data import parse_rows

        return parse_rows(lines, source, n_columns=self.input_width(meta))

    def predict(self, network, X, meta) -> list[dict]:
        """One dict per input row: what the network says, in the user's own units."""
        raise NotImplementedError


def scale_inputs(X, scaling):
    if not scaling:
        return X
    return (X - np.asarray(scaling["x_mean"])) / np.asarray(scaling["x_std"])


def unscale_outputs(y, scaling):
    if not scaling:
        return y
    return y * np.asarray(scaling["y_std"]) + np.asarray(scaling["y_mean"])
