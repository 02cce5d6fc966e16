"""Views of a two-input classifier: its output over the input plane (the decision
boundary), each first-layer neuron's output over the same plane, and its truth table.

The plane is in the points' own coordinates (x₁, x₂). A task whose network sees other
inputs — features such as x₁², scaled — puts the raw points and the function taking them
to the network's inputs in `dataset.points` (a tasks.base.Points), and every grid
point goes through that function, exactly as a point to predict would."""

from dataclasses import dataclass

import numpy as np

from nncli import nn
from nncli.autograd import Tensor, no_grad
from nncli.views import Numbers

PIXELS = 24  # grid points across the boundary picture
TILE_PIXELS = 12  # … and across each neuron's tile
MARGIN = 0.08  # the plane reaches this share of the data's span beyond it on each side


@dataclass
class Boundary(Numbers):
    """`z[i][j]` is the network's output at (x₁, x₂) = (x[j], y[i]); y runs from the top
    row down (largest first), like a picture. `points` are the data as
    [x₁, x₂, target, held_out] (held_out 1 for a point the network never learned from)."""

    x: list
    y: list
    z: list
    points: list


@dataclass
class NeuronTiles(Numbers):
    """Each first-layer neuron over the plane: its weights, bias and output grid
    (`output[i][j]` at (x[j], y[i])), and the layer's activation."""

    x: list
    y: list
    activation: str
    neurons: list  # [{"weight": [w1, w2, …], "bias": b, "output": grid}]
    inputs: list  # the names of the inputs the weights multiply: x1, x2, or features such as x1^2


@dataclass
class TruthTable(Numbers):
    title: str
    inputs: list
    targets: list
    outputs: list


def boundary(network, dataset, config, history, size=None, frame=None):
    """The output over the plane on a `size` × `size` grid (default PIXELS) framing the
    points — or the points of `frame`, an array of (x₁, x₂) that stays put while points
    are added (`nncli play`)."""
    P_train, y_train, P_test, y_test, encode = plane_data(dataset)
    xs, ys, grid = plane_grid(P_train, P_test, size or PIXELS, frame)
    z = network.predict(encode(grid))[:, 0].reshape(len(ys), len(xs))
    return Boundary(xs.tolist(), ys.tolist(), z.tolist(), marked_points(P_train, y_train, P_test, y_test))


def neurons(network, dataset, config, history, size=None):
    """Each first-layer neuron's output on a `size` × `size` grid (default TILE_PIXELS)
    over the plane the boundary frames."""
    P_train, _, P_test, _, encode = plane_data(dataset)
    xs, ys, grid = plane_grid(P_train, P_test, size or TILE_PIXELS)
    names = list(dataset.points.features) if dataset.points else ["x1", "x2"]
    layers = network.model.layers
    if sum(isinstance(layer, nn.Linear) for layer in layers) < 2:
        return NeuronTiles(xs.tolist(), ys.tolist(), "identity", [], names)
    inputs = encode(grid)
    linear, activated = layers[0], not isinstance(layers[1], nn.Linear)  # a layer list may have no activation
    with no_grad():  # the first Linear and its activation
        hidden = nn.Sequential(*layers[: 2 if activated else 1])(Tensor(inputs.astype(network.dtype)))
    hidden = hidden.data.astype(np.float64)
    activation = layers[1].spec()["type"] if activated else "identity"
    tiles = [
        {
            "weight": linear.weight.data[k].astype(float).tolist(),
            "bias": float(linear.bias.data[k]) if linear.bias is not None else 0.0,
            "output": hidden[:, k].reshape(len(ys), len(xs)).tolist(),
        }
        for k in range(linear.out_features)
    ]
    return NeuronTiles(xs.tolist(), ys.tolist(), activation, tiles, names)


def truth_table(network, dataset, config, history):
    """Every input of the (small) data set, its target and the network's output."""
    points, labels, _, _, encode = plane_data(dataset)
    outputs = network.predict(encode(points))[:, 0]
    title = f"{dataset.source[:1].upper()}{dataset.source[1:]}, as learned"
    return TruthTable(title, points.tolist(), labels.tolist(), outputs.tolist())


def plane_data(dataset):
    """(training points, their labels, held-out points, their labels, encode): a 2-D task's
    raw points and the function taking raw points to the network's inputs. Without them in
    `dataset.points`, the network's inputs are the points; held out are those of X_test
    unless X_test is the training data itself (XOR's four points)."""
    if dataset.points is not None:
        (P_train, P_test), (y_train, y_test) = dataset.points.points, dataset.points.labels
        return P_train, y_train, P_test, y_test, dataset.points.encode

    def labels(y):
        return (y[:, 0] > 0.5).astype(np.int64) if y.ndim == 2 else y

    P_test, y_test = dataset.X_test, labels(dataset.y_test)
    if dataset.X_test is dataset.X_train:
        P_test, y_test = P_test[:0], y_test[:0]
    return dataset.X_train, labels(dataset.y_train), P_test, y_test, lambda P: P


def marked_points(P_train, y_train, P_test, y_test):
    """The points as [x₁, x₂, class, held_out]."""
    return [[float(a), float(b), int(c), 0] for (a, b), c in zip(P_train, y_train)] + [
        [float(a), float(b), int(c), 1] for (a, b), c in zip(P_test, y_test)
    ]


def plane_grid(P_train, P_test, size, frame=None):
    """(xs, ys top-first, grid points) of a size × size grid over the square that holds the
    points (or those of `frame`, if given) with a margin, centred on them (so the pixels
    are square)."""
    points = np.concatenate([P_train, P_test]) if frame is None else np.asarray(frame, dtype=float)
    low, high = points.min(axis=0), points.max(axis=0)
    half = (1 + 2 * MARGIN) * float((high - low).max() or 1.0) / 2
    middle = (low + high) / 2
    xs = np.linspace(middle[0] - half, middle[0] + half, size)
    ys = np.linspace(middle[1] - half, middle[1] + half, size)[::-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([grid_x.ravel(), grid_y.ravel()])
