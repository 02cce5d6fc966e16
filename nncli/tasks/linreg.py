"""Linear regression: learn y = m·x + c by gradient descent, and check it against the
exact least-squares line.

The network is one neuron with no activation — its weight is the slope, its bias the
intercept — trained on the mean squared error. Full-batch gradient descent on this loss
converges to the same line that least squares computes in closed form, so the two are
shown side by side.
"""

import numpy as np

from nncli import data, nn
from nncli.errors import DataError
from nncli.tasks.base import Dataset, Task, scale_inputs, unscale_outputs


def exact_line(x, y):
    """The least-squares line through (x, y), in closed form: (slope, intercept)."""
    slope, intercept = np.polyfit(x[:, 0], y[:, 0], 1)
    return float(slope), float(intercept)


class LinregTask(Task):
    name = "linreg"
    title = "y = m·x + c by gradient descent"
    views = {"fit": "line.fit", "landscape": "line.loss_landscape", "loss": "loss.history"}
    watch = ("fit", "landscape")
    result = ("line.summary",)
    compare_view = "landscape"
    loss = "mse"

    def load_data(self, config):
        if config.data:
            table = data.read_csv(config.data, n_columns=2)
            x, y = table[:, :1], table[:, 1:]
            if len(x) < 2 or np.ptp(x) == 0:
                raise DataError(f"{config.data}: a line needs at least two different x values")
            return self._scaled(x, y, x, y, source=str(config.data))
        n = config.points
        # One seeded draw of n + n/4 points: the first n to learn from, the rest held out.
        x, y = data.noisy_line(n + max(1, n // 4), config.slope, config.intercept, config.noise, config.seed)
        source = f"{n} points of y = {config.slope:g}·x + {config.intercept:g} + noise (σ = {config.noise:g})"
        return Dataset(x[:n], y[:n], x[n:], y[n:], source=source, extra={"exact": exact_line(x[:n], y[:n])})

    def _scaled(self, x_train, y_train, x_test, y_test, source):
        """Standardise the user's data, so one learning rate works whatever its units."""
        x_std, y_std = x_train.std(), y_train.std()
        scaling = {
            "x_mean": [float(x_train.mean())],
            "x_std": [float(x_std) if x_std > 0 else 1.0],
            "y_mean": [float(y_train.mean())],
            "y_std": [float(y_std) if y_std > 0 else 1.0],
        }
        y_scaled = lambda y: (y - scaling["y_mean"][0]) / scaling["y_std"][0]  # noqa: E731
        return Dataset(
            scale_inputs(x_train, scaling),
            y_scaled(y_train),
            scale_inputs(x_test, scaling),
            y_scaled(y_test),
            input_scaling=scaling,
            source=source,
            extra={"exact": exact_line(x_train, y_train)},
        )

    def layer_spec(self, config, dataset):
        return nn.mlp_spec([1, *config.hidden, 1], config.activation, "identity")

    def learned_line(self, network, scaling):
        """Slope and intercept in the data's own units, read off two predictions."""
        x = np.array([[0.0], [1.0]])
        y = unscale_outputs(network.predict(scale_inputs(x, scaling)), scaling)[:, 0]
        return float(y[1] - y[0]), float(y[0])

    def metrics(self, network, X, y):
        """R²: the share of the targets' variance the line explains (1 is a perfect fit)."""
        residual = ((network.predict(X) - y) ** 2).sum()
        total = ((y - y.mean()) ** 2).sum()
        return {"r2": float(1.0 - residual / total) if total > 0 else 1.0}

    def summary(self, network, dataset):
        slope_exact, intercept_exact = dataset.extra["exact"]
        slope, intercept = self.learned_line(network, dataset.input_scaling)
        return {
            "slope": slope,
            "intercept": intercept,
            "slope_exact": slope_exact,
            "intercept_exact": intercept_exact,
        }

    def predict(self, network, X, meta):
        scaling = meta.get("input_scaling")
        outputs = unscale_outputs(network.predict(scale_inputs(X, scaling)), scaling)[:, 0]
        return [{"input": row.tolist(), "output": float(out)} for row, out in zip(X, outputs)]
