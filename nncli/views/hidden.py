"""The hidden space: where XOR becomes a line.

The output neuron of a two-class network computes σ(w·h + b) from the last hidden layer's
outputs h, so in the space of h its decision boundary w·h + b = 0 is a straight line (a
plane, for more than two hidden neurons). The hidden layers' whole job is to bend the
input plane until the classes fall on either side of it. This view maps the data, and a
grid of straight lines over the input plane, into the last hidden layer:

- two hidden neurons: their outputs are the picture's axes, exactly;
- one: its output along the first axis, 0 along the second;
- more: the first two principal components of the data's hidden outputs (h − mean,
  projected on the two directions along which the points spread most), and the decision
  line is where the boundary cuts that plane — exact for points on the plane, and the
  share of the spread the plane holds is given (`explained`).

With K outputs (one per class) the boundary between classes i and j is the line
z_i = z_j, drawn where i and j are the two highest scores.
"""

from dataclasses import dataclass

import numpy as np

from nncli.autograd import no_grad
from nncli.views import Numbers
from nncli.views.layers import as_tensor, layer_ends, layer_output
from nncli.views.plane import marked_points, plane_data, plane_grid

GRID_LINES = 9  # straight lines across the input plane, each way
LINE_SAMPLES = 48  # points along each, mapped one by one (a mapped line bends)
BOUNDARY_SAMPLES = 400  # points along a decision line, to keep the part where it decides


@dataclass
class HiddenSpace(Numbers):
    """The data and the input plane's grid in the last hidden layer's coordinates.

    `points`: [a, b, class, held_out] per data point; `grid`: the mapped grid lines, each a
    list of [a, b]; `boundaries`: the decision lines' visible segments, each
    {"classes": [i, j], "segment": [[a, b], [a, b]]} (one output: classes [0, 1]).
    (a, b) = components · (h − mean): the neurons themselves when `basis` is "neurons".
    """

    layer: int  # the hidden layer drawn (the last), counting from 1
    width: int  # its neurons
    basis: str  # "neurons" or "principal components"
    axes: list  # the names of the picture's two axes
    mean: list  # h's mean, subtracted before projecting (zeros for "neurons")
    components: list  # 2 rows of `width` numbers: the directions of the axes
    explained: float  # the share of the data's spread in h that the two axes hold
    points: list
    grid: list
    boundaries: list
    box: list  # [a_min, a_max, b_min, b_max]: what the picture shows


def heading(numbers):
    layer = f"hidden layer {numbers.layer}"
    if numbers.basis == "neurons":
        seen = f"its {'two neurons' if numbers.width == 2 else 'one neuron'}"
    else:
        share = f"{100 * numbers.explained:.3g}"
        seen = f"the first two principal components of its {numbers.width} neurons ({share} % of their spread)"
    return f"Hidden space: the input plane as {layer} sees it — {seen}"


def space(network, dataset, config, history):
    P_train, y_train, P_test, y_test, encode = plane_data(dataset)
    model = network.model
    layers = len(layer_ends(model))
    if layers < 2:
        return HiddenSpace(0, 0, "none", [], [], [], 0.0, [], [], [], [0.0, 1.0, 0.0, 1.0])
    layer = layers - 1
    xs, _, _ = plane_grid(P_train, P_test, 2)
    lines = grid_lines(xs[0], xs[-1])
    with no_grad():
        hidden_of = lambda P: layer_output(model, as_tensor(network, encode(P)), layer).data.astype(np.float64)  # noqa: E731
        data_hidden = hidden_of(np.concatenate([P_train, P_test]))
        grid_hidden = hidden_of(lines.reshape(-1, 2))
    width = data_hidden.shape[1]
    mean, components, explained, basis, axes = projection(data_hidden)
    project = lambda H: (H - mean) @ components.T  # noqa: E731
    data_ab, grid_ab = project(data_hidden), project(grid_hidden).reshape(len(lines), LINE_SAMPLES, 2)
    box = bounding_box(np.concatenate([data_ab, grid_ab.reshape(-1, 2)]))
    output = model.layers[layer_ends(model)[-2]]
    weight, bias = output.weight.data.astype(np.float64), output_bias(output)
    # The output's scores on the drawn plane: z = W·(mean + componentsᵀ·(a, b)) + bias.
    plane_weight, plane_bias = weight @ components.T, weight @ mean + bias
    points = marked_points(P_train, y_train, P_test, y_test)
    return HiddenSpace(
        layer,
        width,
        basis,
        axes,
        mean.tolist(),
        components.tolist(),
        explained,
        [[float(a), float(b), p[2], p[3]] for (a, b), p in zip(data_ab, points)],
        grid_ab.tolist(),
        decision_segments(plane_weight, plane_bias, box),
        box,
    )


def grid_lines(lo, hi):
    """GRID_LINES vertical and as many horizontal lines over [lo, hi]², each sampled at
    LINE_SAMPLES points: an array (lines, samples, 2)."""
    across, along = np.linspace(lo, hi, GRID_LINES), np.linspace(lo, hi, LINE_SAMPLES)
    vertical = [np.column_stack([np.full_like(along, c), along]) for c in across]
    horizontal = [np.column_stack([along, np.full_like(along, c)]) for c in across]
    return np.array(vertical + horizontal)


def projection(H):
    """(mean, components (2, width), explained share, basis, axis names) for hidden outputs H."""
    n, width = H.shape
    if width <= 2:
        components = np.eye(2, width)
        return np.zeros(width), components, 1.0, "neurons", ["h₁", "h₂"] if width == 2 else ["h₁", "(none)"]
    mean = H.mean(axis=0)
    _, singular, rows = np.linalg.svd(H - mean, full_matrices=False)
    # A component's sign is arbitrary: make its largest entry positive, so that frames of
    # a run (or of two runs) don't flip for nothing.
    components = rows[:2] * np.sign(rows[:2][np.arange(2), np.abs(rows[:2]).argmax(axis=1)])[:, None]
    total = float((singular**2).sum())
    explained = float((singular[:2] ** 2).sum() / total) if total > 0 else 1.0
    return mean, components, explained, "principal components", ["PC1", "PC2"]


def output_bias(linear):
    return linear.bias.data.astype(np.float64) if linear.bias is not None else np.zeros(linear.out_features)


def bounding_box(points):
    """[a_min, a_max, b_min, b_max] around the finite points, with a margin; an axis along
    which they do not spread (a one-neuron layer's second) is made as long as the other."""
    finite = points[np.isfinite(points).all(axis=1)]
    if not len(finite):
        return [0.0, 1.0, 0.0, 1.0]
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    centre, span = (lo + hi) / 2, hi - lo
    span = np.where(span > 0, span, max(float(span.max()), 1e-6))
    return [
        float(centre[0] - 0.55 * span[0]),
        float(centre[0] + 0.55 * span[0]),
        float(centre[1] - 0.55 * span[1]),
        float(centre[1] + 0.55 * span[1]),
    ]


def decision_segments(weight, bias, box):
    """The decision lines in the box: for one output (a sigmoid's probability is ½ where
    its input is 0) the line w·(a, b) + bias = 0; for K scores the line z_i = z_j where
    i and j lead — each as {"classes": [i, j], "segment": [start, end]}."""
    if len(weight) == 1:
        pairs = [((0, 1), weight[0], bias[0], None)]
    else:
        pairs = [
            ((i, j), weight[i] - weight[j], bias[i] - bias[j], (i, j))
            for i in range(len(weight))
            for j in range(i + 1, len(weight))
        ]
    segments = []
    for classes, w, b, leaders in pairs:
        samples = line_in_box(w, b, box)
        if leaders is not None and len(samples):
            scores = samples @ weight.T + bias
            top = scores[:, list(leaders)].min(axis=1)
            others = np.delete(scores, list(leaders), axis=1)
            samples = samples[(others.max(axis=1, initial=-np.inf) <= top + 1e-9 * (1 + np.abs(top)))]
        for run in runs(samples):
            segments.append({"classes": list(classes), "segment": [run[0].tolist(), run[-1].tolist()]})
    return segments


def line_in_box(w, b, box):
    """Points of the line w·(a, b) + bias = 0 inside the box, in order along it."""
    a_lo, a_hi, b_lo, b_hi = box
    if not np.isfinite(w).all() or not np.isfinite(b) or not np.any(w):
        return np.empty((0, 2))
    if abs(w[1]) >= abs(w[0]):  # mostly horizontal: b as a function of a
        a = np.linspace(a_lo, a_hi, BOUNDARY_SAMPLES)
        points = np.column_stack([a, -(w[0] * a + b) / w[1]])
    else:
        b_values = np.linspace(b_lo, b_hi, BOUNDARY_SAMPLES)
        points = np.column_stack([-(w[1] * b_values + b) / w[0], b_values])
    inside = (points[:, 0] >= a_lo) & (points[:, 0] <= a_hi) & (points[:, 1] >= b_lo) & (points[:, 1] <= b_hi)
    return points[inside]


def runs(samples):
    """The samples split where they jump: consecutive runs along a line."""
    if len(samples) == 0:
        return []
    steps = np.linalg.norm(np.diff(samples, axis=0), axis=1)
    usual = np.median(steps) if len(steps) else 0.0
    cuts = np.flatnonzero(steps > 1.5 * usual + 1e-12) + 1
    return [run for run in np.split(samples, cuts) if len(run) >= 2]
