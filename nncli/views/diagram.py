"""The network diagram as numbers: a column of nodes per layer, an edge for every weight
between the nodes shown, each node's bias (or, on an example, its activation), the
activations named — and, for layers too tall to draw, which neurons stand for the rest.

Also which first-layer neurons matter most (`neuron_importance`), so that pictures of wide
layers can show those first.
"""

from dataclasses import dataclass

import numpy as np

from nncli.errors import NncliError
from nncli.views import Numbers

MODES = ("weights", "activations", "gradients")


@dataclass
class Column:
    title: str  # "input", "hidden 1", "output"
    note: str  # the activation (and batch norm, dropout, skip) after the layer; "" for the inputs
    size: int
    shown: list  # neuron indices drawn top to bottom; None where "… N more" stands
    bias: np.ndarray | None  # per neuron; None for the inputs
    value: np.ndarray | None  # per neuron, on an example: the input, each activation a, or (gradients) δ
    skip: int | None = None  # the last column of a residual block: the column whose values it adds back
    bias_symbol: str = "b"  # "β" where a batch norm's shift stands in for a Linear without a bias

    @property
    def hidden(self):
        return self.size - sum(i is not None for i in self.shown)


@dataclass
class Edge:
    column: int  # from column `column` to `column + 1`
    source: int  # neuron index in the left column
    target: int  # neuron index in the right column
    weight: float
    grad: float | None  # ∂L/∂w on the example, with --grad


@dataclass
class Diagram(Numbers):
    columns: list
    edges: list  # only between nodes that are shown
    mode: str  # what the nodes and edges carry: see MODES
    largest: float  # the largest |weight| (or |gradient|) of the whole network: the darkest line

    def edge_value(self, edge):
        return edge.grad if self.mode == "gradients" else edge.weight

    def to_json(self):
        return {
            "mode": self.mode,
            "largest": self.largest,
            "columns": [
                {
                    "title": c.title,
                    "note": c.note,
                    "size": c.size,
                    "shown": c.shown,
                    "bias": None if c.bias is None else c.bias.tolist(),
                    "value": None if c.value is None else c.value.tolist(),
                    "skip": c.skip,
                    "bias_symbol": c.bias_symbol,
                }
                for c in self.columns
            ],
            "edges": [vars(e) for e in self.edges],
        }


def shown_indices(size, max_nodes):
    """All neurons if they fit, else the first and last few around a None (the gap)."""
    if size <= max_nodes:
        return list(range(size))
    tail = (max_nodes - 1) // 2
    head = max_nodes - 1 - tail
    return [*range(head), None, *range(size - tail, size)]


def linear_layers(spec, prefix=""):
    """[(state-dict prefix, note, skip, batch norm)] for each Linear layer, the note naming
    what follows it; skip is, for the last Linear of a residual block, the diagram column
    that made the block's input (0: the network's input), whose values the block adds back,
    else None; batch norm is the state-dict prefix of the batch norm that follows it, or None."""
    layers = []
    for i, entry in enumerate(spec):
        kind = entry["type"]
        if kind == "linear":
            layers.append([f"{prefix}{i}", [], None, None])
        elif not layers and starts_with_convolutions(spec):
            continue  # the diagram starts where the convolutions' features are flattened
        elif not layers:
            raise NncliError(f"the diagram needs a linear layer first; this network starts with {kind}")
        elif kind == "dropout":
            layers[-1][1].append(f"dropout {entry['p']:g}")
        elif kind == "residual":
            if prefix:
                raise NncliError("the diagram draws residual blocks one level deep; this one holds another")
            inner = linear_layers(entry["layers"], f"{prefix}{i}.module.")
            block = [[key, [note], None, norm] for key, note, _, norm in inner]
            block[-1][2] = len(layers)
            layers += block
        else:
            if kind == "batchnorm":
                layers[-1][3] = f"{prefix}{i}"
            layers[-1][1].append(kind)
    return [(key, " · ".join(notes) or "identity", skip, norm) for key, notes, skip, norm in layers]


def starts_with_convolutions(spec):
    return spec[0]["type"] == "unflatten"


def network_diagram(spec, state, max_nodes=8, example=None, gradients=False):
    """The diagram of a network (spec and state dict), at most `max_nodes` per column.

    `example` (a views.explain.BackpropPass) writes each node's activation into it, and
    with `gradients` each edge carries its weight's gradient on that example."""
    layers = linear_layers(spec)
    width = np.shape(state[f"{layers[0][0]}.weight"])[1]
    inputs = None if example is None else example.input
    first = "features" if starts_with_convolutions(spec) else "input"
    columns = [Column(first, "", width, shown_indices(width, max_nodes), None, inputs)]
    edges = []
    for number, (index, note, skip, norm) in enumerate(layers):
        weight = np.asarray(state[f"{index}.weight"], dtype=np.float64)
        bias, symbol = state.get(f"{index}.bias"), "b"
        if bias is None and norm is not None:  # the batch norm's shift β is the neuron's offset
            bias, symbol = state[f"{norm}.bias"], "β"
        bias = np.zeros(len(weight)) if bias is None else np.asarray(bias, dtype=np.float64)
        value = None
        if example is not None:
            value = example.layers[number].delta if gradients else example.layers[number].a
        title = "output" if number == len(layers) - 1 else f"hidden {number + 1}"
        shown = shown_indices(len(weight), max_nodes)
        columns.append(Column(title, note, len(weight), shown, bias, value, skip, symbol))
        grad = example.layers[number].weight_grad if gradients else None
        left, right = columns[-2].shown, columns[-1].shown
        for target in (j for j in right if j is not None):
            for source in (i for i in left if i is not None):
                g = None if grad is None else float(grad[target, source])
                edges.append(Edge(number, source, target, float(weight[target, source]), g))
    if gradients:
        largest = max(float(np.abs(layer.weight_grad).max()) for layer in example.layers)
    else:
        largest = max(float(np.abs(np.asarray(state[f"{key}.weight"])).max()) for key, *_ in layers)
    mode = "gradients" if gradients else "activations" if example is not None else "weights"
    return Diagram(columns, edges, mode, largest or 1.0)


def neuron_importance(spec, state):
    """How much each first-layer neuron passes on: ‖its incoming weights‖ × ‖its outgoing
    weights‖ (with the bias among the incoming). A ReLU neuron whose input weights are
    scaled up by k and output weights down by k computes the same function, and this
    product is unchanged by that — unlike either norm alone. None for a one-layer network."""
    layers = linear_layers(spec)
    if len(layers) < 2:
        return None
    first, second = layers[0][0], layers[1][0]
    incoming = np.asarray(state[f"{first}.weight"], dtype=np.float64)
    bias = state.get(f"{first}.bias")
    if bias is not None:
        incoming = np.column_stack([incoming, np.asarray(bias, dtype=np.float64)])
    outgoing = np.asarray(state[f"{second}.weight"], dtype=np.float64)
    return np.linalg.norm(incoming, axis=1) * np.linalg.norm(outgoing, axis=0)


# --- what the first layer's neurons look for, when its input is a square image -----------

RARE_INK = 0.02  # pixels inked in fewer than this share of the training images


@dataclass
class RankedFilters(Numbers):
    """First-layer neurons of an image network, the ones that matter most first."""

    shape: tuple  # (side, side) of the input image
    total: int  # neurons in the layer
    neurons: list  # the indices drawn, most important first
    importance: list  # neuron_importance of each drawn neuron (None for a one-layer network)
    weights: np.ndarray  # (drawn, pixels); rarely inked pixels set to 0 (they carry nothing)
    rare: np.ndarray | None  # (pixels,) True where the training images almost never have ink

    def to_json(self):
        return {
            "shape": list(self.shape),
            "total": self.total,
            "neurons": self.neurons,
            "importance": self.importance,
            "rare_pixels": None if self.rare is None else np.flatnonzero(self.rare).tolist(),
        }


def square_side(width):
    """The side of a square image of `width` pixels (at least 3 × 3), else None."""
    side = int(np.sqrt(width) + 0.5)
    return side if side >= 3 and side * side == width else None


def first_layer_filters(spec, state, count, images=None):
    """The `count` first-layer neurons that pass on most (see neuron_importance), or the
    first `count` for a one-layer network; None if the input is not a square image.

    With the training `images` (rows of pixels), pixels inked in fewer than RARE_INK of
    them are set to 0: a weight's gradient is δ·x, so a pixel that is always 0 never
    moves its weights from their random start, and they would only draw noise."""
    layers = linear_layers(spec)
    side = square_side(np.shape(state[f"{layers[0][0]}.weight"])[1])
    if side is None or starts_with_convolutions(spec):
        return None
    weight = np.asarray(state[f"{layers[0][0]}.weight"], dtype=np.float64)
    importance = neuron_importance(spec, state)
    order = np.arange(len(weight)) if importance is None else np.argsort(-importance, kind="stable")
    chosen = order[:count]
    rare = None
    shown = weight[chosen].copy()
    if images is not None:
        rare = (np.asarray(images) > 0).mean(axis=0) < RARE_INK
        shown[:, rare] = 0.0
    return RankedFilters(
        (side, side),
        len(weight),
        chosen.tolist(),
        None if importance is None else importance[chosen].tolist(),
        shown,
        rare,
    )
