"""What every task provides, and the dataset it hands to the training loop."""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nncli.nn.layers import spec_widths
from nncli.tasks.catalog import TASKS


@dataclass
class Points:
    """A task of points in the plane (x₁, x₂), as the views that draw the plane need it:
    the raw points and their classes, training and held-out, how raw points become the
    network's inputs, and those inputs' names."""

    points: tuple  # (training, held-out): arrays of raw (x₁, x₂)
    labels: tuple  # (training, held-out): their class indices
    encode: Callable  # raw points → the network's inputs (features, then scaling)
    features: list  # the names of the network's inputs ("x1", "x2", "x1*x2", …)
    classes: int = 2


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
    # What a task's own views need besides the arrays (each task sets its own, if any):
    points: Points | None = None  # a task of points in the plane
    exact: tuple | None = None  # linreg: the least-squares (slope, intercept) of the training points
    target: object | None = None  # approx: the function approximated (a nncli.tasks.approx Target)


class Task:
    """A learning problem: its data, its network's shape, its loss and its metrics.

    Subclasses set the class attributes and override the methods that differ.
    """

    name = ""  # given by its catalog entry when it is made (get_task): the catalog holds names, titles, defaults
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
    # A task of square digit images: the box × box square its digits fill, and how that
    # square was placed in the image ("box" or "mass"); see nncli.data.image.digit_pixels.
    digit_box = None
    centring = "box"

    @property
    def title(self):
        """What the live panel says is being learned."""
        return TASKS[self.name].title

    def heading(self, config):
        """What a run of `config` learns, as the screen heads it: by default, the title."""
        return self.title

    def settle(self, settings, given):
        """The run's settings (a dict) once the task has decided what its command leaves to
        it, from the others; `given` names the settings the command line gave. Raises
        OptionError (a usage error, exit 2) for settings it cannot honour together."""
        return settings

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

    def training_metrics(self, network, dataset) -> dict:
        """The metrics on the data it learns from, named `train_…`: a summary's plain names
        are the held-out measures, so the two never share a label."""
        return {f"train_{k}": v for k, v in self.metrics(network, dataset.X_train, dataset.y_train).items()}

    def report(self, network, X, y) -> dict:
        """What `evaluate` adds beyond the metrics (a classifier's confusion matrix, say)."""
        return {}

    def extra_meta(self, config, dataset) -> dict:
        """Task-specific fields for the model file's metadata (e.g. the approximated target)."""
        return {}

    def summary(self, network, data) -> dict:
        """Task-specific numbers for the final metrics and summary (e.g. the learned line)."""
        return {}

    def describe(self, network, dataset, config) -> dict:
        """Task-specific fields for the summary event alone, beyond its numbers (e.g. the
        approximated function and its neurons)."""
        return {}

    # A task that can set its weights by hand (config.method == "construct") defines
    # construct(config, dataset) -> the state dict of its network, in float64.
    construct = None

    def labelled_file(self, path, meta, drop_missing=False):
        """(X, y) from a CSV of rows "raw inputs…, targets…" (a class index for a classifier
        of several outputs), taken through the model's preprocessing as training took its data.
        `drop_missing`: leave out rows with a missing value instead of refusing them."""
        from nncli.data import read_csv

        prep = preprocessing(meta)
        n_out = 1 if self.loss == "cross_entropy" else spec_widths(meta["layers"])[1]
        table = read_csv(path, n_columns=prep.width + n_out, drop_missing=drop_missing)
        X, y = table[:, : prep.width], table[:, prep.width :]
        if self.loss == "cross_entropy":
            return prep.inputs(X), y[:, 0].astype(np.int64)
        return prep.inputs(X), prep.targets(y)

    def input_width(self, meta):
        """How many numbers make one input row of `predict`."""
        return preprocessing(meta).width

    def read_inputs(self, lines, source, meta):
        """The input rows for `predict`, from lines of CSV text (arguments or stdin)."""
        from nncli.data import parse_rows

        return parse_rows(lines, source, n_columns=self.input_width(meta))

    def predict(self, network, X, meta) -> list[dict]:
        """One dict per input row: what the network says, in the user's own units."""
        raise NotImplementedError


@dataclass(frozen=True)
class Preprocessing:
    """How a model's raw inputs reach its network, and its outputs come back: the one path
    every command that runs a model (predict, evaluate, visualize, explain, inspect) and
    every exporter takes.

    Raw rows of `width` numbers → the features `features` names, computed from each point
    (x₁, x₂) (a 2-D task's Playground features; none: the raw numbers themselves) → the
    input scaling, x_net = (x − x_mean) / x_std. The network's outputs → y_net · y_std +
    y_mean, for a model trained on scaled targets.
    """

    width: int  # raw numbers per row
    features: tuple = ()  # the features' names, in the order the network sees them
    scaling: dict = field(default_factory=dict)  # x_mean, x_std; y_mean, y_std for scaled targets

    def inputs(self, raw):
        """The network's inputs (float64) for rows of raw inputs."""
        from nncli.data import features

        X = np.asarray(raw, dtype=np.float64)
        if self.features:
            X = features.expand(X, self.features)
        return scale_inputs(X, self.scaling)

    def outputs(self, y_net):
        """The network's outputs in the targets' own units."""
        return unscale_outputs(y_net, self.scaling if "y_mean" in self.scaling else None)

    def targets(self, y):
        """Targets in their own units as the network was trained on them."""
        if "y_mean" not in self.scaling:
            return y
        return (y - np.asarray(self.scaling["y_mean"])) / np.asarray(self.scaling["y_std"])


def preprocessing(meta):
    """The Preprocessing of a model, from its file's metadata (or a run's, while training).

    ValueError if its features do not make as many inputs as its first layer takes."""
    names = (meta.get("config") or {}).get("features")
    network_width = spec_widths(meta["layers"])[0]
    if not names:
        return Preprocessing(network_width, (), meta.get("input_scaling") or {})
    names = tuple(names.split(","))
    if len(names) != network_width:
        raise ValueError(f"its {len(names)} features do not fit a first layer of {network_width} inputs")
    return Preprocessing(2, names, meta.get("input_scaling") or {})


def scale_inputs(X, scaling):
    if not scaling:
        return X
    return (X - np.asarray(scaling["x_mean"])) / np.asarray(scaling["x_std"])


def unscale_outputs(y, scaling):
    if not scaling:
        return y
    return y * np.asarray(scaling["y_std"]) + np.asarray(scaling["y_mean"])
