"""Your own data: `nncli train csv --data FILE --target COLUMN` learns to predict one
column of a CSV table from the others.

A target of class labels (text, or a few distinct whole numbers) makes a classifier —
one sigmoid output for two classes, one output per class and the softmax for more — and
any other numbers a regression with one linear output, trained on the mean squared error.
`--kind` overrides the guess.

Inputs, and a regression's target, are standardised with the mean and spread of the
training part only, so nothing about the held-out rows leaks into training; the model
file keeps that scaling, the column names and the class names, and `predict` answers in
the target's own terms. The held-out rows themselves are kept in the model file too, so
`evaluate` measures the model on exactly the rows it never saw — without the file.
"""

from pathlib import Path

import numpy as np

from nncli import data, nn, store
from nncli.data import parse_rows, tables
from nncli.errors import DataError, ModelFileError, OptionError
from nncli.tasks.base import Dataset, Task, preprocessing, scale_inputs, unscale_outputs
from nncli.tasks.points import accuracy, class_predictions, classifier_spec, targets

HELD_OUT_INPUTS, HELD_OUT_TARGET = "__held_out_inputs", "__held_out_target"


def regression_metrics(predicted, actual):
    """R² (the share of the target's variance explained; 1 is perfect) and the RMSE, both in
    the target's own units."""
    residual = float(((predicted - actual) ** 2).sum())
    total = float(((actual - actual.mean()) ** 2).sum())
    return {
        "r2": 1.0 - residual / total if total > 0 else (1.0 if residual == 0 else 0.0),
        "rmse": float(np.sqrt(residual / len(actual))) if len(actual) else 0.0,
    }


class CsvTask(Task):
    views = {"loss": "loss.history", "health": "health.layers"}
    watch = ("loss",)

    def __init__(self):
        # The table's description and scaling, from the data last loaded (training) or
        # the model file (evaluate, predict): metrics in the target's units need them.
        self.table = None
        self.scaling = None

    @property
    def classifier(self):
        return self.table is not None and self.table["kind"] == "classify"

    @property
    def loss(self):
        if self.table is None or self.table["kind"] == "regress":
            return "mse"
        return "bce" if len(self.table["classes"]) == 2 else "cross_entropy"

    @property
    def prediction(self):
        return "classes.answers" if self.classifier else "tables.answers"

    def loss_for(self, config, dataset):
        return self.loss

    # --- training ----------------------------------------------------------------------

    def load_data(self, config):
        if config.data is None:
            raise DataError("give the table to learn from: --data FILE (a CSV file with a header row)")
        raw = tables.read_table(config.data)
        if config.target is None:
            raise OptionError(
                f"choose the column to predict with --target; {raw.name}'s columns: {tables.listed(raw.header)}"
            )
        inputs = tables.parse_names(config.inputs) if config.inputs is not None else None
        columns = tables.select(raw, config.target, inputs, config.kind, config.drop_missing)
        train, test = tables.split(columns, config.test_fraction, config.seed)
        train = data.seeded_subset(train, config.limit, config.seed)
        self.table = {
            "name": Path(raw.name).name,  # shown, never opened
            "inputs": columns.inputs,
            "target": columns.target,
            "kind": columns.kind,
            "classes": columns.classes,
            "reason": columns.reason,
            "rows": len(columns.y),
            "dropped": columns.dropped,
        }
        self.scaling = tables.standardise(columns.X[train])
        if columns.kind == "regress":
            y_train = columns.y[train]
            self.scaling.update(y_mean=[float(y_train.mean())], y_std=[float(y_train.std()) or 1.0])
        X_test, y_test = columns.X[test], columns.y[test]
        dataset = self._dataset(columns.X[train], columns.y[train], X_test, y_test)
        dataset.kept = {HELD_OUT_INPUTS: X_test, HELD_OUT_TARGET: y_test}
        if raw.shipped:
            dataset.notes.append(f"{config.data}: no such file here; using the copy shipped with nncli")
        dataset.notes.append(f"{columns.kind}: {columns.reason}")
        if columns.dropped:
            dataset.notes.append(f"dropped {tables.count(columns.dropped, 'row')} with missing values")
        return dataset

    def _dataset(self, X_train, y_train, X_test, y_test):
        name = self.table["name"]
        return Dataset(
            scale_inputs(X_train, self.scaling),
            self._targets(y_train),
            scale_inputs(X_test, self.scaling),
            self._targets(y_test),
            input_scaling=self.scaling,
            source=f"{name} ({len(X_train):,} rows to learn from, {len(X_test):,} held out)",
            held_out=f"the {len(X_test):,} rows of {name} held out from training (kept in the model file)"
            + ("" if self.classifier else f"; its loss is in standardised units, RMSE in {self.table['target']}'s own"),
        )

    def _targets(self, y):
        if self.table["kind"] == "classify":
            return targets(y, len(self.table["classes"]))
        return ((y - self.scaling["y_mean"][0]) / self.scaling["y_std"][0])[:, None]

    def layer_spec(self, config, dataset):
        inputs = dataset.X_train.shape[1]
        if self.table["kind"] == "classify":
            return classifier_spec(inputs, config, len(self.table["classes"]))
        deep = {"batchnorm": config.batchnorm, "residual": config.residual}
        return nn.mlp_spec([inputs, *config.hidden, 1], config.activation, "identity", **deep)

    def extra_meta(self, config, dataset):
        return {"table": self.table}

    # --- measuring -----------------------------------------------------------------------

    def metrics(self, network, X, y):
        if self.classifier:
            return {"accuracy": accuracy(network, X, y, len(self.table["classes"]))}
        return regression_metrics(self._unscaled(network.predict(X)), self._unscaled(y))

    def epoch_metrics(self, network, dataset):
        """Logged epochs show how the model does on the rows it learns from; the held-out
        rows are measured once, at the end."""
        return self.training_metrics(network, dataset)

    def summary(self, network, dataset):
        return self.training_metrics(network, dataset)

    def _unscaled(self, y):
        return unscale_outputs(y, self.scaling)[:, 0]

    # --- a trained model -------------------------------------------------------------------

    def restore(self, meta):
        """Take the table's description and scaling from a model file's metadata."""
        self.table, self.scaling = checked_table(meta), meta.get("input_scaling")

    def stored_data(self, path):
        """The held-out rows the model file keeps: what `evaluate` measures on."""
        arrays = store.load_extras(path)
        X, y = arrays.get(HELD_OUT_INPUTS), arrays.get(HELD_OUT_TARGET)
        width = len(self.table["inputs"])
        if X is None or y is None or X.ndim != 2 or X.shape[1] != width or y.shape != (len(X),) or not len(y):
            raise ModelFileError(f"{path}: its held-out rows are missing, or not {width} inputs and a target each")
        if self.classifier and (not np.all(y == np.round(y)) or y.min() < 0 or y.max() >= len(self.table["classes"])):
            raise ModelFileError(f"{path}: its held-out rows name classes it does not have")
        X = X.astype(np.float64)
        y = y.astype(np.int64) if self.classifier else y.astype(np.float64)
        dataset = self._dataset(X, y, X, y)
        dataset.X_train, dataset.y_train = dataset.X_test, dataset.y_test  # one part: the held-out rows
        return dataset

    def labelled_file(self, path, meta, drop_missing=False):
        """(X, y) from a CSV table with the model's input and target columns (by name);
        `drop_missing`: rows missing one of them are left out."""
        table = self.table
        X, y = tables.labelled_rows(
            tables.read_table(path), table["inputs"], table["target"], table["classes"], drop_missing
        )
        return preprocessing(meta).inputs(X), self._targets(y)

    def read_inputs(self, lines, source, meta):
        """The rows to predict: a table whose header names the model's inputs (in any
        order; other columns, such as the target, are ignored), or bare rows of numbers
        in the order the model was trained on."""
        lines = list(lines)
        first = next((line for line in lines if line.strip()), "")
        if first and not all(_is_number(cell) for cell in first.split(",")):
            return tables.input_rows(tables.parse_table("".join(_ended(lines)), source), self.table["inputs"])
        return parse_rows(lines, source, n_columns=len(self.table["inputs"]))

    def predict(self, network, X, meta):
        scaled = preprocessing(meta).inputs(X)
        if self.classifier:
            classes = self.table["classes"]
            return class_predictions(network, scaled, X, len(classes), names=classes)
        outputs = self._unscaled(network.predict(scaled))
        return [{"input": row.tolist(), "output": float(out)} for row, out in zip(X, outputs)]


def checked_table(meta):
    """A csv model's description of its table, checked: a model file is data from anywhere."""
    table = meta.get("table")
    text = lambda v: isinstance(v, str) and 0 < len(v) <= 4096  # noqa: E731
    names = lambda v: isinstance(v, list) and v and all(text(n) for n in v)  # noqa: E731
    if not (
        isinstance(table, dict)
        and table.get("kind") in tables.KINDS
        and names(table.get("inputs"))
        and text(table.get("target"))
        and text(table.get("name"))
        and (table["kind"] == "regress" or (names(table.get("classes")) and len(table["classes"]) >= 2))
    ):
        raise ModelFileError("a csv model without a valid description of its table (inputs, target, classes)")
    scaling = meta.get("input_scaling") or {}
    if len(scaling.get("x_mean", [])) != len(table["inputs"]) or (table["kind"] == "regress") != ("y_std" in scaling):
        raise ModelFileError("a csv model whose scaling does not match its table")
    return table


def _ended(lines):
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True
