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

from nncli import data, nn
from nncli.data import features, points, tables
from nncli.tasks.base import Dataset, Preprocessing, Task, preprocessing


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


class PointsTask(Task):
    """A 2-D point set to classify; subclasses name it and say how its points are made."""

    classifier = True
    loss = "bce"
    views = {
        "boundary": "plane.boundary",
        "neurons": "plane.neurons",
        "hidden": "hidden.space",
        "loss": "loss.history",
        "health": "health.layers",
    }
    watch = ("boundary", "neurons")
    result = ("plane.boundary", "tables.summary")
    prediction = "classes.answers"
    make = staticmethod(points.circle)  # (n, noise, seed) → (X, y)

    def classes(self, config):
        return 2

    def loss_for(self, config, dataset):
        return "bce" if dataset.extra["classes"] == 2 else "cross_entropy"

    def generate(self, config):
        return self.make(config.points, config.noise, config.seed)

    def load_data(self, config):
        X, y = self.generate(config)
        train, test = points.split(y, config.test_fraction, config.seed)
        train = data.seeded_subset(train, config.limit, config.seed)
        names = tuple(config.features.split(","))
        scaling = tables.standardise(features.expand(X[train], names))
        classes = self.classes(config)
        encode = Preprocessing(2, names, scaling).inputs
        source = f"{len(y):,} {self.name} points, noise {config.noise:g} ({len(train):,} to learn from)"
        return Dataset(
            encode(X[train]),
            targets(y[train], classes),
            encode(X[test]),
            targets(y[test], classes),
            input_scaling=scaling,
            source=source,
            held_out=f"its {len(test):,} held-out {self.name} points (the same {config.test_fraction:g} of each class)",
            extra={
                "points": (X[train], X[test]),
                "labels": (y[train], y[test]),
                "encode": encode,
                "classes": classes,
                "features": names,
            },
        )

    def layer_spec(self, config, dataset):
        return classifier_spec(dataset.X_train.shape[1], config, self.classes(config))

    def metrics(self, network, X, y):
        return {"accuracy": accuracy(network, X, y, self.classes_of(network))}

    def epoch_metrics(self, network, dataset):
        """Logged epochs show the accuracy on the training points; the held-out points are
        measured once, at the end."""
        return {"train_accuracy": accuracy(network, dataset.X_train, dataset.y_train, dataset.extra["classes"])}

    def summary(self, network, dataset):
        return {"train_accuracy": accuracy(network, dataset.X_train, dataset.y_train, dataset.extra["classes"])}

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
