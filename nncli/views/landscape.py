"""Where gradient descent travels over a loss landscape: the numbers behind linreg's
landscape view (nncli.views.line), computed, never drawn.

The linreg landscape is the mean squared error of the line y = m·x + c over a grid of
slopes m and intercepts c. A line's loss is a bowl-shaped quadratic in (m, c), its bottom
the least-squares line. Gradient descent starts somewhere on the bowl's side and steps
downhill; how far each step goes is the learning rate. Too small, and after all its
epochs it is still crawling; too big, and every step overshoots the bottom — by a little
(it zig-zags in) or by more than it started from, so it climbs out and diverges.
"""

import math
from dataclasses import dataclass

import numpy as np

from nncli.errors import DivergedError
from nncli.nn.network import build_network
from nncli.train import TrainConfig, fit

MAX_PATH_EPOCHS = 1000  # a gradient-descent path longer than this is cut short
CONVERGED = 1e-3  # a path has converged once its loss is within 0.1 % of the lowest …
EXACT = 1e-9  # … or, on exact data (lowest ≈ 0), within this share of y's variance (R² within 1e-9 of 1)


# --- the linreg loss landscape -----------------------------------------------------------


@dataclass
class LineData:
    """A linreg model's training points in the data's own units, its line and the exact one."""

    x: np.ndarray
    y: np.ndarray
    learned: tuple
    exact: tuple


@dataclass
class DescentPath:
    """Where gradient descent with learning rate `lr` went: `points[k]` is (m, c) after k
    epochs (points[0] is the start) and `losses[k]` the mean squared error there.

    `status` is "converged" (within 0.1 % of the lowest loss), "slow" (still on its way
    when the epochs ran out) or "diverged" (the loss became non-finite — the path stops at
    the last finite point, `diverged_at` is that epoch — or ended above where it started).
    `overshoots`: some step jumped past the bottom of the valley, so the next came back.
    """

    label: str  # which run this is: "lr 0.5", or the settings a comparison varied
    lr: float
    points: list
    losses: list
    status: str
    overshoots: bool
    epochs: int
    lowest: float  # the loss of the least-squares line: the bottom of the valley
    settled_at: int | None = None  # the first epoch within 0.1 % of the lowest loss
    diverged_at: int | None = None

    def as_dict(self):
        return {
            "label": self.label,
            "lr": self.lr,
            "status": self.status,
            "overshoots": self.overshoots,
            "epochs": self.epochs,
            "lowest": self.lowest,
            "settled_at": self.settled_at,
            "diverged_at": self.diverged_at,
            "points": [list(p) for p in self.points],
            "losses": self.losses,
        }


def mse(x, y, slopes, intercepts):
    """The mean squared error of each line (slopes[k], intercepts[k]) on the points (x, y).

    Expanded as E[(m x + c − y)²] = m²E[x²] + c² + E[y²] + 2mcE[x] − 2mE[xy] − 2cE[y], so a
    whole grid costs a handful of array operations whatever the number of points.
    """
    m, c = np.asarray(slopes, dtype=float), np.asarray(intercepts, dtype=float)
    ex, ey, exx, eyy, exy = x.mean(), y.mean(), (x * x).mean(), (y * y).mean(), (x * y).mean()
    with np.errstate(over="ignore", invalid="ignore"):
        loss = m * m * exx + c * c + eyy + 2 * m * c * ex - 2 * m * exy - 2 * c * ey
    return np.maximum(loss, 0.0)  # rounding can dip a hair below zero at the minimum


def loss_surface(line, slopes, intercepts):
    """The loss over the grid: `surface[i, j]` for slope slopes[j] and intercept
    intercepts[i]; pass intercepts highest first for a picture with c growing upwards."""
    m, c = np.meshgrid(slopes, intercepts)
    return mse(line.x, line.y, m, c)


def window(line, paths, size, margin=1.15, floor=0.5):
    """(slopes, intercepts) of a `size` × `size` grid centred on the least-squares line and
    wide enough for every point of the paths that did not diverge, and the first three
    points (a start and two steps) of those that did."""
    m0, c0 = line.exact
    points = [q for p in paths for q in (p.points[:3] if p.status == "diverged" else p.points)]
    half_m = max([abs(m - m0) for m, _ in points] + [floor]) * margin
    half_c = max([abs(c - c0) for _, c in points] + [floor]) * margin
    return np.linspace(m0 - half_m, m0 + half_m, size), np.linspace(c0 + half_c, c0 - half_c, size)


def descent_paths(spec, dataset, line, runs, max_epochs=MAX_PATH_EPOCHS):
    """Retrain the linreg network (layers `spec`) once per run — a (label, RunConfig) pair —
    from that run's starting weights, with its learning rate, optimizer, batches and epochs
    (at most `max_epochs`), and record where each went. A model's own config retraces its
    training."""
    return [_descend(config, spec, dataset, line, label, min(config.epochs, max_epochs)) for label, config in runs]


def _descend(config, spec, dataset, line, label, epochs):
    lr = config.lr
    network = build_network(spec, "mse", "tensor", config.dtype, config.seed, config.init)
    scaling = dataset.input_scaling
    weights = [_line_of(network, scaling)]
    train_config = TrainConfig(
        epochs=epochs,
        lr=lr,
        batch_size=config.train_batch_size(len(dataset.X_train)),
        optimizer=config.optimizer,
        weight_decay=config.weight_decay,
        seed=config.seed,
        log_every=1,
    )
    diverged_at = None
    try:
        result = fit(
            network,
            dataset.X_train,
            dataset.y_train,
            train_config,
            lambda event: weights.append(_line_of(network, scaling)),
        )
        if result.interrupted:  # Ctrl-C stops every run to come, not just this one
            raise KeyboardInterrupt
    except DivergedError as error:
        diverged_at = error.epoch
    return trace(label, lr, weights, line, diverged_at)


def trace(label, lr, weights, line, diverged_at=None):
    """The DescentPath, called `label`, of the lines `weights` ((m, c) after each epoch, the
    start first) that gradient descent with learning rate `lr` went through."""
    finite = [all(map(math.isfinite, point)) for point in weights]
    if not all(finite):
        diverged_at = diverged_at or finite.index(False)
        weights = weights[: finite.index(False)]
    losses = mse(line.x, line.y, [m for m, _ in weights], [c for _, c in weights]).tolist()
    lowest = float(mse(line.x, line.y, line.exact[0], line.exact[1]))
    # Exact data (°C → °F) have a lowest loss of 0 up to rounding: measure the gap against
    # y's variance there, or a fit good to 1e-6 would be called "too slow".
    tolerance = max(CONVERGED * lowest, EXACT * float(np.var(line.y)), 1e-300)
    close = [loss - lowest <= tolerance for loss in losses]
    if diverged_at is not None or not math.isfinite(losses[-1]) or losses[-1] > losses[0]:
        status = "diverged"
    elif close[-1]:
        status = "converged"
    else:
        status = "slow"
    settled_at = close.index(True) if status == "converged" else None
    return DescentPath(
        label, lr, weights, losses, status, _overshoots(weights), len(weights) - 1, lowest, settled_at, diverged_at
    )


def line_of_state(state, scaling):
    """The (slope, intercept) in the data's units of a one-neuron network's state dict."""
    w, b = float(state["0.weight"].ravel()[0]), float(state["0.bias"].ravel()[0])
    if not scaling:
        return (w, b)
    x_mean, x_std = scaling["x_mean"][0], scaling["x_std"][0]
    y_mean, y_std = scaling["y_mean"][0], scaling["y_std"][0]
    slope = w * y_std / x_std
    return (slope, y_mean + y_std * b - slope * x_mean)


def _line_of(network, scaling):
    return line_of_state(network.state_dict(), scaling)


def _overshoots(points, tolerance=1e-6):
    """True if some step went back the way the one before it came: that step had jumped
    past the bottom of the valley along its direction. Steps shorter than `tolerance` of
    the first are rounding noise near the end, and ignored."""
    steps = np.diff(np.asarray(points, dtype=float), axis=0)
    if len(steps) < 2:
        return False
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    big = lengths > tolerance * max(lengths[0], 1e-300)
    reverses = np.einsum("ij,ij->i", steps[:-1], steps[1:]) < 0
    return bool(np.any(reverses & big[:-1] & big[1:]))


def x_scaling(scaling):
    """The input half of `scaling`, in the shape `unscale_outputs` reads."""
    if not scaling:
        return None
    return {"y_mean": scaling["x_mean"], "y_std": scaling["x_std"]}
