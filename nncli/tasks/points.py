"""What the 2-D classification tasks share (circle, gauss, spiral, moons): seeded points,
a stratified held-out part, the Playground's input features, and one output neuron for
two classes or one per class for more.

A point (x₁, x₂) reaches the network as its features (by default x₁, x₂ themselves),
each standardised with the mean and spread of the training part — so one learning rate
suits every set and every feature, and x₁² is on the same footing as x₁. The model file
keeps the feature names and that scaling, so `predict`, `evaluate` and `visualize` feed
raw points through the same steps.

Two classes make logistic regression's setting: one sigmoid output, the probability of
class 1, trained on the binary cross-entropy. K classes get K outputs, turned into
probabilities by the softmax inside the cross-entropy. With no hidden layer
(`--hidden 0`) that is a single layer: every boundary it can draw is straight.
"""

import numpy as np

from nncli import data, nn, store
from nncli.data import features, points, tables
from nncli.errors import ModelFileError
from nncli.tasks.base import Dataset, Points, Preprocessing, Task, preprocessing

KEPT_POINTS, KEPT_LABELS, KEPT_HELD_OUT = "__points", "__labels", "__held_out"


def softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def class_probabilities(network, X, classes):
    """(n, classes) probabilities: from the one sigmoid output for two classes (column 1
    is its output, column 0 the rest), from the softmax of K outputs otherwise."""
    outputs = network.predict(X)
    if classes == 2:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return softmax(outputs)


def targets(labels, classes):
    """What the loss compares outputs with: a column of 0/1 for two classes, else indices."""
    return labels.astype(np.float64)[:, None] if classes == 2 else labels.astype(np.int64)


def labels_of(y):
    """Class indices back from targets()."""
    return (y[:, 0] > 0.5).astype(np.int64) if y.ndim == 2 else y


def classifier_spec(inputs, config, classes):
    """Inputs → hidden layers → one sigmoid output (two classes) or K outputs for the softmax."""
    deep = {"batchnorm": config.batchnorm, "residual": config.residual}
    if classes == 2:
        return nn.mlp_spec([inputs, *config.hidden, 1], config.activation, "sigmoid", **deep)
    return nn.mlp_spec([inputs, *config.hidden, classes], config.activation, "identity", **deep)


def accuracy(network, X, y, classes):
    if len(X) == 0:
        return 0.0
    return float((class_probabilities(network, X, classes).argmax(axis=1) == labels_of(y)).mean())


# What every classifier of points in the plane shows (xor's truth table too): the
# decision boundary, each hidden neuron's own, the hidden space, the loss and health.
PLANE_VIEWS = {
    "boundary": "plane.boundary",
    "neurons": "plane.neurons",
    "hidden": "hidden.space",
    "loss": "loss.history",
    "health": "health.layers",
}


class PlayedPoints:
    """What `nncli play` needs of a task of 2-D points, mixed into PointsTask and XorTask:
    its points generated (`make`), a Dataset of any points (those added by hand too), and
    the points a model file keeps (see `kept_points`) read back."""

    make = staticmethod(points.circle)  # (n, noise, seed) → (X, y)
    stored = None  # a loaded model's (RunConfig, names of the arrays its file keeps, data source)

    def classes(self, config):
        return 2

    def generate(self, config):
        return self.make(config.points, config.noise, config.seed)

    def dataset_of(self, X, y, train, test, config, source, held_out):
        """The Dataset of the raw points X (n, 2) with class labels y, learning from the rows
        `train` and holding out `test`: each point taken to the network's inputs by the
        features `config` names, standardised by the training part."""
        names = tuple(config.features.split(","))
        scaling = tables.standardise(features.expand(X[train], names))
        classes = self.classes(config)
        encode = Preprocessing(2, names, scaling).inputs
        return Dataset(
            encode(X[train]),
            targets(y[train], classes),
            encode(X[test]),
            targets(y[test], classes),
            input_scaling=scaling,
            source=source,
            held_out=held_out,
            points=Points((X[train], X[test]), (y[train], y[test]), encode, names, classes),
        )

    # --- points a model file keeps (`nncli play`: points added by hand) -------------------

    def kept_points(self, X, y, held_out):
        """The arrays a model file keeps so that its data, points added by hand included,
        come back exactly: every point, its class, and 1 for the held-out ones."""
        return {KEPT_POINTS: X, KEPT_LABELS: y.astype(np.int64), KEPT_HELD_OUT: held_out.astype(np.uint8)}

    def restore(self, meta):
        """Remember the model's settings and the arrays its file keeps, for stored_data."""
        from nncli.config import RunConfig

        self.stored = (RunConfig.from_dict(meta["config"]), meta.get("kept") or [], meta.get("data") or "")

    def stored_data(self, path):
        """The points the model file keeps, if it keeps them (a model saved by `nncli play`);
        None for a model of generated points alone, which its settings rebuild."""
        if self.stored is None or KEPT_POINTS not in self.stored[1]:
            return None
        config, _, source = self.stored
        arrays = store.load_extras(path)
        X, y, held_out = (arrays.get(key) for key in (KEPT_POINTS, KEPT_LABELS, KEPT_HELD_OUT))
        classes = self.classes(config)
        if (
            X is None
            or y is None
            or held_out is None
            or X.ndim != 2
            or X.shape[1] != 2
            or y.shape != (len(X),)
            or held_out.shape != (len(X),)
            or not len(X)
        ):
            raise ModelFileError(f"{path}: its points are missing, or not (x1, x2), a class and a held-out mark each")
        if not (np.all(y == np.round(y)) and y.min() >= 0 and y.max() < classes and np.isin(held_out, (0, 1)).all()):
            raise ModelFileError(f"{path}: its points name classes it does not have")
        test = np.flatnonzero(held_out)
        train = np.flatnonzero(held_out == 0)
        if not len(train):
            raise ModelFileError(f"{path}: it keeps no points to learn from")
        held = f"its {len(test):,} held-out points (kept in the model file)"
        return self.dataset_of(X.astype(np.float64), y.astype(np.int64), train, test, config, source, held)


class PointsTask(PlayedPoints, Task):
    """A 2-D point set to classify; subclasses name it and say how its points are made."""

    classifier = True
    loss = "bce"
    views = PLANE_VIEWS
    watch = ("boundary", "neurons")
    result = ("plane.boundary", "tables.summary")
    prediction = "classes.answers"

    def loss_for(self, config, dataset):
        return "bce" if dataset.points.classes == 2 else "cross_entropy"

    def load_data(self, config):
        X, y = self.generate(config)
        train, test = points.split(y, config.test_fraction, config.seed)
        train = data.seeded_subset(train, config.limit, config.seed)
        source = f"{len(y):,} {self.name} points, noise {config.noise:g} ({len(train):,} to learn from)"
        held_out = f"its {len(test):,} held-out {self.name} points (the same {config.test_fraction:g} of each class)"
        return self.dataset_of(X, y, train, test, config, source, held_out)

    def layer_spec(self, config, dataset):
        return classifier_spec(dataset.X_train.shape[1], config, self.classes(config))

    def metrics(self, network, X, y):
        return {"accuracy": accuracy(network, X, y, self.classes_of(network))}

    def epoch_metrics(self, network, dataset):
        """Logged epochs show the accuracy on the training points; the held-out points are
        measured once, at the end."""
        return {"train_accuracy": accuracy(network, dataset.X_train, dataset.y_train, dataset.points.classes)}

    def summary(self, network, dataset):
        return {"train_accuracy": accuracy(network, dataset.X_train, dataset.y_train, dataset.points.classes)}

    def predict(self, network, X, meta):
        return class_predictions(network, preprocessing(meta).inputs(X), X, self.classes_of(network))

    @staticmethod
    def classes_of(network):
        """Two classes for one output, else one class per output."""
        outputs = [entry for entry in network.spec() if entry["type"] == "linear"][-1]["out"]
        return 2 if outputs == 1 else outputs


def class_predictions(network, X, raw, classes, names=None):
    """One dict per row: the predicted class (its name if `names` are given), the
    probability of class 1 for two classes, or every class's probability for more."""
    probabilities = class_probabilities(network, X, classes)
    rows = []
    for row, p in zip(raw, probabilities):
        k = int(p.argmax())
        entry = {"input": row.tolist(), "prediction": names[k] if names else k, "confidence": float(p[k])}
        if classes == 2:
            entry["output"] = float(p[1])
        else:
            entry["probabilities"] = p.tolist()
        rows.append(entry)
    return rows
