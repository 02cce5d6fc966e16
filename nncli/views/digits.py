"""Views of a digit classifier: held-out digits with its predictions, its scores, the
full evaluation (confusion matrix, per-class precision and recall, the surest mistakes),
what each first-layer neuron looks for, and the images it is asked about."""

import math
from dataclasses import dataclass

import numpy as np

from nncli.tasks.digits import evaluation_report, softmax
from nncli.views import Numbers

SAMPLES = 10  # held-out digits shown: the first of each class …
LARGE_SAMPLES = 4  # … or of the first few classes, for images larger than 8×8
FILTERS_SMALL, FILTERS_LARGE = 32, 12  # first-layer filters shown: of 8×8 digits, of bigger images
LARGE_GALLERY = 6  # mistakes shown for images larger than 8×8


def image_side(width):
    """The side of a square image of `width` pixels, or None if it is not square."""
    side = math.isqrt(width)
    return side if side * side == width else None


@dataclass
class Samples(Numbers):
    """Held-out images (pixels scaled to [0, 1]), their labels and what the network says."""

    side: int | None  # None: the inputs are not a square image, nothing to draw
    images: list
    labels: list
    predictions: list
    confidences: list


@dataclass
class Scores(Numbers):
    """A finished run's scores, as (name, value, kind) rows; kind says how to write it."""

    title: str
    rows: list  # [[name, value, "percent" | "loss" | "text"]]


@dataclass
class Evaluation(Numbers):
    """A classifier measured on a data set: its scalar metrics, the confusion matrix (rows:
    true label, columns: prediction), per-class precision and recall, and the mistakes it
    was surest about (`mistakes`: raw pixels, label, prediction, confidence)."""

    metrics: dict
    confusion: list
    precision: list
    recall: list
    misclassified: int
    mistakes: list


@dataclass
class Filters(Numbers):
    side: int | None
    total: int  # first-layer neurons in all
    weights: list  # the first few neurons' weights, one image each


@dataclass
class Predictions(Numbers):
    side: int | None
    rows: list  # [{"input", "prediction", "confidence", "probabilities"}]


def samples(network, dataset, config, history):
    width = dataset.X_test.shape[1]
    side = image_side(width)
    if side is None:
        return Samples(None, [], [], [], [])
    count = SAMPLES if width <= 64 else LARGE_SAMPLES
    first = [int(np.flatnonzero(dataset.y_test == label)[0]) for label in np.unique(dataset.y_test)[:count]]
    probabilities = softmax(network.predict(dataset.X_test[first]))
    return Samples(
        side,
        dataset.X_test[first].astype(float).tolist(),
        dataset.y_test[first].tolist(),
        probabilities.argmax(axis=1).tolist(),
        probabilities.max(axis=1).astype(float).tolist(),
    )


def scores(network, dataset, config, history):
    """What `nncli train digits` reports when it is done (from the run's summary)."""
    summary = history.metrics
    rows = [["held-out accuracy", summary["accuracy"], "percent"]]
    rows.append(["training accuracy", summary["train_accuracy"], "percent"])
    rows.append(["training loss", summary["loss"], "loss"])
    if "val_loss" in summary:
        rows.append(["validation loss", summary["val_loss"], "loss"])
    rows.append(["held-out loss", summary["test_loss"], "loss"])
    epochs = f"{history.epoch:,}"
    if summary.get("stopped_early"):
        epochs += f" (stopped early; weights of epoch {summary['best_epoch']})"
    rows += [["epochs", epochs, "text"], ["data", dataset.source, "text"]]
    return Scores("what the network learned", rows)


def confusion(network, dataset, config, history):
    """The evaluation on the held-out digits, from one forward pass (the live panel
    recomputes it while training)."""
    X, y = dataset.X_test, dataset.y_test
    pixel_max = dataset.input_scaling["x_std"][0]  # the pixels were divided by it
    logits = network.predict(X).astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    report = {
        "loss": float(-log_probabilities[np.arange(len(y)), y].mean()),  # the mean cross-entropy
        "accuracy": float((logits.argmax(axis=1) == y).mean()),
    }
    return evaluation({**report, **evaluation_report(logits, X, y, pixel_max)})


def filters(network, dataset, config, history):
    """Each first-layer neuron's weights, as an image the size of the input — or, for a
    convolutional network, its kernels."""
    if network.spec()[0]["type"] == "unflatten":
        from nncli.views import conv

        return conv.filters(network, dataset, config, history)
    weight = network.state_dict()["0.weight"].astype(float)
    limit = FILTERS_SMALL if weight.shape[1] <= 64 else FILTERS_LARGE
    return Filters(image_side(weight.shape[1]), len(weight), weight[:limit].tolist())


# --- the reports of `evaluate` and `predict` (from the task's numbers, not a network) ----

LISTS = ("confusion", "precision", "recall", "mistakes", "misclassified")


def evaluation(report):
    mistakes = report["mistakes"]
    if mistakes and len(mistakes[0]["pixels"]) > 64:
        mistakes = mistakes[:LARGE_GALLERY]
    return Evaluation(
        {k: v for k, v in report.items() if k not in LISTS},
        report["confusion"],
        report["precision"],
        report["recall"],
        report["misclassified"],
        mistakes,
    )


def predictions(rows):
    return Predictions(image_side(len(rows[0]["input"])), rows)
