"""`nncli inspect weights` as numbers: each tensor's statistics and the histogram of its
values, and for a network small enough to read every number, each Linear layer's weights
and biases themselves. (What the first layer of an image network looks for is
nncli.views.diagram's Filters.)"""

from dataclasses import dataclass

import numpy as np

from nncli.views import Numbers
from nncli.views.explain import layer_name

BINS = 10  # a tensor's histogram


@dataclass
class WeightTable(Numbers):
    title: str
    tensors: list  # per tensor: name, shape, mean, std, min, max, norm, histogram (BINS counts)


@dataclass
class Matrices(Numbers):
    """Each Linear layer as a student counts them ("hidden layer 1" …): its weights, a row
    per neuron (the weight on each input), and its biases (None without)."""

    layers: list  # [{"name", "weight", "bias"}]


def weight_stats(state):
    """Per tensor: name, shape, mean, std, min, max, L2 norm and a histogram of the finite values."""
    rows = []
    for name, values in state.items():
        values = np.asarray(values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        rows.append(
            {
                "name": name,
                "shape": list(values.shape),
                "mean": float(values.mean()),
                "std": float(values.std()),
                "min": float(values.min()),
                "max": float(values.max()),
                "norm": float(np.linalg.norm(values)),
                "histogram": np.histogram(finite, bins=BINS)[0].tolist(),
            }
        )
    return rows


def matrices(layers, state):
    """The Matrices of a network of `layers` (its spec) with the weights `state`."""
    linear = [index for index, entry in enumerate(layers) if entry["type"] == "linear"]
    return Matrices(
        [
            {
                "name": layer_name(number, len(linear)),
                "weight": np.asarray(state[f"{index}.weight"], dtype=float).tolist(),
                "bias": None if f"{index}.bias" not in state else np.asarray(state[f"{index}.bias"], float).tolist(),
            }
            for number, index in enumerate(linear, start=1)
        ]
    )
