"""Views of a two-input classifier: its output over the input plane (the decision
boundary), each first-layer neuron's output over the same plane, and its truth table."""

from dataclasses import dataclass

import numpy as np

from nncli import nn
from nncli.autograd import Tensor, no_grad
from nncli.views import Numbers

PIXELS = 24  # grid points across the boundary picture
TILE_PIXELS = 12  # … and across each neuron's tile
MARGIN = 0.25  # the plane reaches this share of the data's span beyond it on each side


@dataclass
class Boundary(Numbers):
    """`z[i][j]` is the network's output at (x₁, x₂) = (x[j], y[i]); y runs from the top
    row down (largest first), like a picture. `points` are the data as [x₁, x₂, target]."""

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
    neurons: list  # [{"weight": [w1, w2], "bias": b, "output": grid}]


@dataclass
class TruthTable(Numbers):
    title: str
    inputs: list
    targets: list
    outputs: list


def boundary(network, dataset, config, history):
    xs, ys, inputs = _grid(dataset, PIXELS)
    z = network.predict(inputs)[:, 0].reshape(len(ys), len(xs))
    points = [[*map(float, row), float(t)] for row, t in zip(dataset.X_test, dataset.y_test[:, 0])]
    return Boundary(xs.tolist(), ys.tolist(), z.tolist(), points)


def neurons(network, dataset, config, history):
    xs, ys, inputs = _grid(dataset, TILE_PIXELS)
    layers = network.model.layers
    if sum(isinstance(layer, nn.Linear) for layer in layers) < 2:
        return NeuronTiles(xs.tolist(), ys.tolist(), "identity", [])
    with no_grad():  # the first Linear and its activation
        hidden = nn.Sequential(*layers[:2])(Tensor(inputs.astype(network.dtype))).data.astype(np.float64)
    linear = layers[0]
    activation = layers[1].spec()["type"] if not isinstance(layers[1], nn.Linear) else "identity"
    tiles = [
        {
            "weight": linear.weight.data[k].astype(float).tolist(),
            "bias": float(linear.bias.data[k]) if linear.bias is not None else 0.0,
            "output": hidden[:, k].reshape(len(ys), len(xs)).tolist(),
        }
        for k in range(linear.out_features)
    ]
    return NeuronTiles(xs.tolist(), ys.tolist(), activation, tiles)


def truth_table(network, dataset, config, history):
    """Every input of the (small) data set, its target and the network's output."""
    outputs = network.predict(dataset.X_test)[:, 0]
    title = f"{dataset.source[:1].upper()}{dataset.source[1:]}, as learned"
    return TruthTable(title, dataset.X_test.tolist(), dataset.y_test[:, 0].tolist(), outputs.tolist())


def _grid(dataset, size):
    """(xs, ys top-first, inputs) of a size × size grid over a square around the data."""
    lo, hi = float(dataset.X_test.min()), float(dataset.X_test.max())
    span = (hi - lo) or 1.0
    xs = np.linspace(lo - MARGIN * span, hi + MARGIN * span, size)
    ys = xs[::-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([grid_x.ravel(), grid_y.ravel()])
