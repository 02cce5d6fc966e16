"""Views of a fitted line y = m·x + c: the data with the learned and the exact line, the
loss landscape over (m, c) with gradient descent's path on it, and the two lines' numbers."""

from dataclasses import dataclass

import numpy as np

from nncli.tasks.base import scale_inputs, unscale_outputs
from nncli.views import Numbers, landscape

PIXELS = 28  # grid points across one landscape panel …
PANEL_PIXELS = 14  # … and across each of several panels drawn side by side, unless told


@dataclass
class LineFit(Numbers):
    x: list  # the training points, in the data's own units
    y: list
    learned: list  # [slope, intercept]
    exact: list  # the least-squares line


@dataclass
class Landscape(Numbers):
    """`loss[i][j]`: the mean squared error of slope slopes[j] and intercept intercepts[i]
    (intercepts highest first). `paths`: where gradient descent went, one per learning rate."""

    slopes: list
    intercepts: list
    loss: list
    exact: list
    paths: list


@dataclass
class LineSummary(Numbers):
    slope: float
    intercept: float
    slope_exact: float
    intercept_exact: float


def fit(network, dataset, config, history):
    line = _line(network, dataset)
    return LineFit(line.x.tolist(), line.y.tolist(), list(line.learned), list(line.exact))


def loss_landscape(network, dataset, config, history, runs=None, size=None):
    """The landscape with the path of the model's own training, retraced from its starting
    weights — or one path per run in `runs`, (label, RunConfig) pairs on the same data, to
    compare them (`nncli compare linreg`) — on a `size` × `size` grid. While training, the
    path so far comes from the history's trajectory instead (nothing retraced)."""
    line = _line(network, dataset)
    if history.trajectory is not None and not runs:
        weights = [landscape.line_of_state(state, dataset.input_scaling) for state in history.trajectory]
        paths = [landscape.trace(f"lr {config.lr:g}", config.lr, weights, line)]
    else:
        paths = landscape.descent_paths(network.spec(), dataset, line, runs or [(f"lr {config.lr:g}", config)])
    size = size or (PIXELS if len(paths) == 1 else PANEL_PIXELS)
    slopes, intercepts = landscape.window(line, paths, size)
    surface = landscape.loss_surface(line, slopes, intercepts)
    return Landscape(
        slopes.tolist(), intercepts.tolist(), surface.tolist(), list(line.exact), [p.as_dict() for p in paths]
    )


loss_landscape.wants_trajectory = True  # the live panel records the weights after each epoch


def summary(network, dataset, config, history):
    (slope, intercept), (slope_exact, intercept_exact) = _line(network, dataset).learned, dataset.extra["exact"]
    return LineSummary(slope, intercept, slope_exact, intercept_exact)


def _line(network, dataset):
    scaling = dataset.input_scaling
    x = unscale_outputs(dataset.X_train, landscape.x_scaling(scaling))[:, 0]
    y = unscale_outputs(dataset.y_train, scaling)[:, 0]
    ends = unscale_outputs(network.predict(scale_inputs(np.array([[0.0], [1.0]]), scaling)), scaling)[:, 0]
    learned = (float(ends[1] - ends[0]), float(ends[0]))  # read off two predictions, in the data's units
    return landscape.LineData(x, y, learned, tuple(dataset.extra["exact"]))
