"""Linear regression: learn y = m·x + c by gradient descent, and check it against the
exact least-squares line.

The network is one neuron with no activation — its weight is the slope, its bias the
intercept — trained on the mean squared error. Full-batch gradient descent on this loss
converges to the same line that least squares computes in closed form, so the two are
shown side by side.
"""

from pathlib import Path

import numpy as np

from nncli import data, nn, store
from nncli.errors import DataError, DataNotKept, ModelFileError
from nncli.tasks.base import Dataset, Task, preprocessing, scale_inputs, unscale_outputs


def exact_line(x, y):
    """The least-squares line through (x, y), in closed form: (slope, intercept)."""
    slope, intercept = np.polyfit(x[:, 0], y[:, 0], 1)
    return float(slope), float(intercept)


TEST_FRACTION = 0.3  # of a file's points, held out
MIN_TO_LEARN = 2
TRAIN_POINTS, HELD_OUT_POINTS = "__train_points", "__held_out_points"


class LinregTask(Task):
    views = {"fit": "line.fit", "landscape": "line.loss_landscape", "loss": "loss.history", "health": "health.layers"}
    watch = ("fit", "landscape")
    result = ("line.summary",)
    compare_view = "landscape"
    loss = "mse"

    def __init__(self):
        self.y_std = None  # the spread of y, for data that were standardised
        self.data_name = None
        self.from_file = False  # a trained model's points came from a file, and its file keeps them

    def load_data(self, config):
        if config.data:
            table = data.read_csv(config.data, n_columns=2)
            x, y = table[:, :1], table[:, 1:]
            if len(x) < 2 or np.ptp(x) == 0:
                raise DataError(f"{data.source_name(config.data)}: a line needs at least two different x values")
            name = Path(data.source_name(config.data)).name  # shown, never reopened: the model file keeps the points
            fraction = config.test_fraction or TEST_FRACTION
            train, test = data.train_test_split(len(x), fraction, config.seed)
            if len(test) == 0 or len(train) < MIN_TO_LEARN or np.ptp(x[train]) == 0:
                train, test = np.arange(len(x)), np.arange(0)  # too few to spare any
            dataset = self._scaled(x[train], y[train], x[test], y[test], name)
            dataset.kept = {TRAIN_POINTS: table[train], HELD_OUT_POINTS: table[test]}
            return dataset
        n = config.points
        # One seeded draw of n + n/4 points: the first n to learn from, the rest held out.
        x, y = data.noisy_line(n + max(1, n // 4), config.slope, config.intercept, config.noise, config.seed)
        source = f"{n} points of y = {config.slope:g}·x + {config.intercept:g} + noise (σ = {config.noise:g})"
        return Dataset(x[:n], y[:n], x[n:], y[n:], source=source, exact=exact_line(x[:n], y[:n]))

    def stored_data(self, path):
        """The points of a model trained on a file: its file keeps them (nncli never reopens a
        file a model names); None for a model of generated points, which are rebuilt.
        DataNotKept for a model file without its points: the command says what to do."""
        if not self.from_file:
            return None
        arrays = store.load_extras(path)
        if TRAIN_POINTS not in arrays:
            raise DataNotKept("a model of points from a file, without those points")
        train, test = arrays[TRAIN_POINTS], arrays.get(HELD_OUT_POINTS, np.zeros((0, 2)))
        if train.ndim != 2 or train.shape[1] != 2 or len(train) < 2 or test.ndim != 2 or test.shape[1] != 2:
            raise ModelFileError(f"{path}: its points are not rows of (x, y)")
        train, test = train.astype(np.float64), test.astype(np.float64)
        return self._scaled(train[:, :1], train[:, 1:], test[:, :1], test[:, 1:], self.data_name)

    def restore(self, meta):
        self.from_file = TRAIN_POINTS in (meta.get("kept") or [])
        self.data_name = meta.get("data") if isinstance(meta.get("data"), str) else "its file"

    def _scaled(self, x_train, y_train, x_test, y_test, name):
        """Standardise the user's data, so one learning rate works whatever its units."""
        x_std, y_std = x_train.std(), y_train.std()
        scaling = {
            "x_mean": [float(x_train.mean())],
            "x_std": [float(x_std) if x_std > 0 else 1.0],
            "y_mean": [float(y_train.mean())],
            "y_std": [float(y_std) if y_std > 0 else 1.0],
        }
        y_scaled = lambda y: (y - scaling["y_mean"][0]) / scaling["y_std"][0]  # noqa: E731
        if len(x_test):
            held_out = f"the {len(x_test)} points of {name} held out from training (kept in the model file)"
        else:  # evaluate measures the training points, and says so
            x_test, y_test = x_train, y_train
            held_out = f"its {len(x_train)} training points ({name} had too few to hold any out)"
        held_out += "; its loss is in standardised units, (y − mean) / std of the training points"
        self.y_std = scaling["y_std"][0]
        return Dataset(
            scale_inputs(x_train, scaling),
            y_scaled(y_train),
            scale_inputs(x_test, scaling),
            y_scaled(y_test),
            input_scaling=scaling,
            source=name,
            held_out=held_out,
            exact=exact_line(x_train, y_train),
        )

    def layer_spec(self, config, dataset):
        return nn.mlp_spec([1, *config.hidden, 1], config.activation, "identity")

    def learned_line(self, network, scaling):
        """Slope and intercept in the data's own units, read off two predictions."""
        x = np.array([[0.0], [1.0]])
        y = unscale_outputs(network.predict(scale_inputs(x, scaling)), scaling)[:, 0]
        return float(y[1] - y[0]), float(y[0])

    def metrics(self, network, X, y):
        """R²: the share of the targets' variance the line explains (1 is a perfect fit);
        for data from a file, which are standardised (so the loss is in standardised
        units), also the mean squared error in y's own units."""
        residual = ((network.predict(X) - y) ** 2).sum()
        total = ((y - y.mean()) ** 2).sum()
        metrics = {"r2": float(1.0 - residual / total) if total > 0 else 1.0}
        if self.y_std is not None:
            metrics["mse_in_y_units"] = float(residual / len(y) * self.y_std**2)
        return metrics

    def epoch_metrics(self, network, dataset):
        """Logged epochs show R² on the points it learns from (`train_r2`); the held-out
        R² (`r2`) is measured once, at the end."""
        return self.training_metrics(network, dataset)

    def summary(self, network, dataset):
        slope_exact, intercept_exact = dataset.exact
        slope, intercept = self.learned_line(network, dataset.input_scaling)
        return {
            **self.training_metrics(network, dataset),
            "slope": slope,
            "intercept": intercept,
            "slope_exact": slope_exact,
            "intercept_exact": intercept_exact,
        }

    def predict(self, network, X, meta):
        prep = preprocessing(meta)
        outputs = prep.outputs(network.predict(prep.inputs(X)))[:, 0]
        return [{"input": row.tolist(), "output": float(out)} for row, out in zip(X, outputs)]
