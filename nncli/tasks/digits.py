"""Handwritten digits: the problem that made neural networks famous.

Each 8 × 8 image (pixels 0–16) is 64 inputs; the network's 10 outputs are one score per
digit, turned into probabilities by the softmax inside the cross-entropy loss. The data
are split, the same way for every class (stratified), into 80 % to learn from and 20 %
held out; a tenth of the learning part is set aside again as a validation set, whose loss
is tracked every epoch and decides early stopping — so the held-out digits never
influence training, and their accuracy is an honest estimate.

Pixels are divided by their largest possible value (16 here, 255 for MNIST), so every
input lies in [0, 1]; the model file records that scaling, and `predict` and `evaluate`
apply it to raw pixels.
"""

import math

import numpy as np

from nncli import data, nn
from nncli.errors import DataError, OptionError
from nncli.tasks.base import Dataset, Task, preprocessing

TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.1
CLASSES = 10
GALLERY_SIZE = 12  # misclassified examples kept for the gallery, most confident first
EPOCH_SAMPLE = 10_000  # training examples whose accuracy logged epochs report (MNIST has 54,000)


def softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def accuracy(network, X, y):
    if len(X) == 0:
        return 0.0
    return float((network.predict(X).argmax(axis=1) == y).mean())


class DigitsTask(Task):
    views = {
        "samples": "digits.samples",
        "confusion": "digits.confusion",
        "filters": "digits.filters",
        "feature-maps": "conv.feature_maps",
        "loss": "loss.history",
        "health": "health.layers",
    }
    watch = ("loss", "confusion")
    result = ("digits.scores", "digits.samples")
    evaluation = "digits.evaluation"
    prediction = "digits.predictions"
    loss = "cross_entropy"
    classifier = True
    pixel_max = 16
    digit_box = 8  # each digit filled a 32×32 bitmap, counted in 4×4 blocks: its ink fills the 8×8

    def load_data(self, config):
        X, y = data.load_digits()
        train, test = data.stratified_split(y, TEST_FRACTION, config.seed)
        source = f"the 8×8 UCI digits ({len(train):,} to learn from, {len(test):,} held out)"
        if config.shift:
            X = shifted(X, config.shift, np.random.default_rng(config.seed))
            side = 8 + config.shift
            source += f", each at a random place on a {side}×{side} canvas"
        return self.dataset(X[train], y[train], X[test], y[test], config, source)

    def dataset(self, X_train, y_train, X_test, y_test, config, source):
        """Scale the pixels to [0, 1] and set a stratified validation part of the training
        data aside (none if the data are too few to spare any); with `--limit N`, learn
        from only N of the rest, chosen by the seed, and validate on as many as without it
        — so a small training set's overfitting shows against a steady yardstick."""
        scaling = {"x_mean": [0.0], "x_std": [float(self.pixel_max)]}
        dtype = np.dtype(config.dtype)

        def scale(X):
            X = X.astype(dtype)
            X /= self.pixel_max  # in place: MNIST's training images take 170 MB as float32
            return X

        fit, held = data.stratified_split(y_train, VALIDATION_FRACTION, config.seed)
        validation = None
        if len(held) and len(fit):
            validation = (scale(X_train[held]), y_train[held])
        else:
            fit = np.arange(len(y_train))
        kept = data.seeded_subset(fit, config.limit, config.seed)
        if len(kept) < len(fit):
            source += f", of which --limit keeps {len(kept):,} to learn from"
        X_train, y_train = X_train[kept], y_train[kept]
        return Dataset(
            scale(X_train),
            y_train,
            scale(X_test),
            y_test,
            input_scaling=scaling,
            validation=validation,
            source=source,
        )

    def layer_spec(self, config, dataset):
        if config.conv:
            side = math.isqrt(dataset.X_train.shape[1])  # digits are square
            try:
                return nn.cnn_spec(
                    side, config.conv, (*config.hidden, CLASSES), config.activation, config.dropout, config.batchnorm
                )
            except ValueError as error:
                raise OptionError(f"--conv on {side}×{side} images: {error}; give fewer channel counts") from None
        sizes = [dataset.X_train.shape[1], *config.hidden, CLASSES]
        return nn.mlp_spec(
            sizes, config.activation, "identity", config.dropout, batchnorm=config.batchnorm, residual=config.residual
        )

    def metrics(self, network, X, y):
        return {"accuracy": accuracy(network, X, y)}

    def epoch_metrics(self, network, dataset):
        """Logged epochs show accuracy on the training data (its first 10,000 examples, to
        stay cheap) and on the validation data — never on the held-out data: that is
        measured once, at the end."""
        sample = slice(0, EPOCH_SAMPLE)
        metrics = {"train_accuracy": accuracy(network, dataset.X_train[sample], dataset.y_train[sample])}
        if dataset.validation is not None:
            metrics["val_accuracy"] = accuracy(network, *dataset.validation)
        return metrics

    def summary(self, network, dataset):
        summary = {"train_accuracy": accuracy(network, dataset.X_train, dataset.y_train)}
        if dataset.validation is not None:
            summary["val_loss"] = network.evaluate_loss(*dataset.validation)
            summary["val_accuracy"] = accuracy(network, *dataset.validation)
        return summary

    def report(self, network, X, y):
        return evaluation_report(network.predict(X), X, y, self.pixel_max)

    def labelled_file(self, path, meta, drop_missing=False):
        """(X, y) from a CSV of rows "pixels…, label", scaled as the model was trained."""
        prep = preprocessing(meta)
        table = data.read_csv(path, n_columns=prep.width + 1, drop_missing=drop_missing)
        labels = table[:, -1]
        bad = np.flatnonzero((labels != np.round(labels)) | (labels < 0) | (labels >= CLASSES))
        if len(bad):
            raise DataError(
                f"{path}: the last column holds the label, a digit 0–9; row {bad[0] + 1} has {labels[bad[0]]:g}"
            )
        return prep.inputs(table[:, :-1]), labels.astype(np.int64)

    def predict(self, network, X, meta):
        probabilities = softmax(network.predict(preprocessing(meta).inputs(X)))
        return [
            {
                "input": row.tolist(),
                "prediction": int(p.argmax()),
                "confidence": float(p.max()),
                "probabilities": p.tolist(),
            }
            for row, p in zip(X, probabilities)
        ]


def shifted(X, shift, rng):
    """Each 8×8 image (a row of 64 pixels) pasted at a random offset, 0 to `shift` pixels
    down and across, on a blank (8 + shift) × (8 + shift) canvas: the same digits, moved
    about — to a dense layer, whose every weight belongs to one pixel, a different
    picture each time; to a convolution, whose kernels slide, the same strokes."""
    side = 8 + shift
    canvas = np.zeros((len(X), side, side), dtype=X.dtype)
    rows, columns = rng.integers(0, shift + 1, size=(2, len(X)))
    for image, pixels, row, column in zip(canvas, X.reshape(-1, 8, 8), rows, columns):
        image[row : row + 8, column : column + 8] = pixels
    return canvas.reshape(len(X), side * side)


def evaluation_report(logits, X, y, pixel_max):
    """A classifier's evaluation in detail: the confusion matrix (rows: true label,
    columns: prediction), per-class precision and recall, and the misclassified
    examples it was surest about."""
    probabilities = softmax(logits)
    predicted = probabilities.argmax(axis=1)
    confusion = np.bincount(y * CLASSES + predicted, minlength=CLASSES * CLASSES).reshape(CLASSES, CLASSES)
    hits = np.diag(confusion)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(hits / confusion.sum(axis=0))  # never predicted: 0
        recall = np.nan_to_num(hits / confusion.sum(axis=1))  # never present: 0
    wrong = np.flatnonzero(predicted != y)
    confidence = probabilities[wrong, predicted[wrong]]
    mistakes = [
        {
            "index": int(i),
            "label": int(y[i]),
            "prediction": int(predicted[i]),
            "confidence": float(probabilities[i, predicted[i]]),
            "pixels": np.rint(X[i] * pixel_max).astype(int).tolist(),
        }
        for i in wrong[np.argsort(-confidence, kind="stable")][:GALLERY_SIZE]
    ]
    return {
        "confusion": confusion.tolist(),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "misclassified": len(wrong),
        "mistakes": mistakes,
    }
