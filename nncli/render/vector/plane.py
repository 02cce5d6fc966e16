"""A two-input classifier in vector: the decision boundary (the output over the plane, the
line where it crosses 0.5, the data marked by shape) and each first-layer neuron's tile."""

import math

import numpy as np

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot, colour_key, colours, hex_colour, tick_label
from nncli.views.plane import Boundary, NeuronTiles

MOST_POINTS = 2000  # data points marked on a boundary; beyond, an even sample of them


@draws(Boundary)
def draw_boundary(numbers):
    figure = Figure(900, 640, "Decision boundary: the network's output over the input plane")
    figure.text(450, 26, "Decision boundary: the network's output over the input plane", 22, "middle")
    z = np.asarray(numbers.z, dtype=float)
    plot = plane_plot(figure, numbers.x, numbers.y, (90, 50, 520, 520), "x₁", "x₂")
    left, top, width, height = plot.box
    figure.image(left, top, width, height, colours(z))
    # The line where the output crosses 0.5, unless the output is flat: where it varies
    # by less than one step of the colours, its crossings are rounding noise, not a boundary.
    finite = z[np.isfinite(z)]
    flat = finite.size == 0 or float(np.ptp(finite)) < 1 / 256
    if not flat:
        figure.add(f'<path class="contour" d="{contour(z, 0.5, plot, numbers.x, numbers.y)}"/>')
    draw_points(figure, plot, numbers.points)
    plot.axes()
    # The key, to the right: pages are wider than tall, so the picture grows with the window.
    colour_key(figure, 650, 60, 230, "0", "0.5", "1")
    figure.text(765, 114, "network output", 17, "middle", "faint")
    lines = ["○ target 0", "△ target 1", "output ≈ 0.5 everywhere" if flat else "— output 0.5"]
    if any(point[3] for point in numbers.points):
        lines.append("hollow: held out")
    for k, line in enumerate(lines):
        figure.text(650, 160 + 28 * k, line, 19)
    return figure.svg()


@draws(NeuronTiles)
def draw_neurons(numbers):
    count = len(numbers.neurons)
    label = f"The {count} first-layer neurons over the input plane"
    columns = max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / columns))
    tile, gap = 240, 80
    figure = Figure(columns * (tile + gap) + 260, rows * (tile + 62) + 60, label)
    figure.text(figure.width / 2, 26, label if count else "No hidden layer: no neuron tiles", 22, "middle")
    grids = [np.asarray(n["output"], dtype=float) for n in numbers.neurons]
    # Grey is a neuron's middle: 0.5 for a sigmoid (whose outputs lie in 0…1), else 0.
    middle = 0.5 if numbers.activation == "sigmoid" else 0.0
    reach = max((float(np.nanmax(np.abs(g - middle), initial=0.0)) for g in grids), default=0.0) or 1.0
    low, high = (0.0, 1.0) if middle else (-reach, reach)
    names = [INPUT_NAMES.get(name, name) for name in numbers.inputs]
    for k, (neuron, grid) in enumerate(zip(numbers.neurons, grids)):
        left = 20 + (k % columns) * (tile + gap)
        top = 50 + (k // columns) * (tile + 62)
        figure.image(left, top, tile, tile, colours((grid - low) / (high - low)))
        figure.add(f'<rect x="{left}" y="{top}" width="{tile}" height="{tile}" fill="none" class="tick"/>')
        figure.text(left, top + tile + 20, f"h{k + 1} = {formula(neuron, names, numbers.activation)}", 15)
    key = figure.width - 240  # to the right, as the boundary's
    colour_key(figure, key, 60, 220, tick_label(low), tick_label(middle), tick_label(high))
    figure.text(key + 110, 114, "neuron output", 17, "middle", "faint")
    return figure.svg()


INPUT_NAMES = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂"}


def formula(neuron, names, activation):
    terms = " ".join(f"{'−' if w < 0 else '+'} {abs(w):.2f}{name}" for w, name in zip(neuron["weight"], names)).lstrip(
        "+ "
    )
    bias = neuron["bias"]
    inside = f"{terms} {'−' if bias < 0 else '+'} {abs(bias):.2f}"
    return f"{activation}({inside})" if activation != "identity" else inside


def plane_plot(figure, xs, ys, box, x_name, y_name):
    """A Plot over the grid's pixels: each grid value the centre of its pixel."""
    dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    dy = (ys[0] - ys[-1]) / max(len(ys) - 1, 1)
    return Plot(figure, box, (xs[0] - dx / 2, xs[-1] + dx / 2), (ys[-1] - dy / 2, ys[0] + dy / 2), x_name, y_name)


def draw_points(figure, plot, points):
    """Each point marked by shape (○ class 0, △ class 1, □ any other) in its class's colour,
    hollow when held out."""
    step = max(1, math.ceil(len(points) / MOST_POINTS))
    for x, y, label, held_out in points[::step]:
        cx, cy = plot.x(x), plot.y(y)
        fill = "hollow" if held_out else ""
        colour = "" if held_out else f' fill="{hex_colour(label) if label in (0, 1) else hex_colour(0.5)}"'
        if label == 0:
            shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9"'
        elif label == 1:
            shape = f'<path d="M{cx:.1f},{cy - 10:.1f} l9,15.5 h-18 z"'
        else:
            shape = f'<rect x="{cx - 8:.1f}" y="{cy - 8:.1f}" width="16" height="16"'
        figure.add(f'{shape} class="mark {fill}"{colour}/>')


SIDES = (((0, 0), (0, 1)), ((0, 1), (1, 1)), ((1, 1), (1, 0)), ((1, 0), (0, 0)))  # a cell's, clockwise from the top


def contour(z, level, plot, xs, ys):
    """The path where the grid `z` crosses `level` (marching squares, between pixel centres):
    in each cell, the crossings on its sides, clockwise from the top, joined in pairs.
    Every cell at once, in arrays: a grid of 120 × 120 cells in a few milliseconds."""
    rows, cols = z.shape
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)

    def corner(di, dj):
        """Each cell's corner at (di, dj) from its top left: its z - level, x and y."""
        return z[di : di + rows - 1, dj : dj + cols - 1] - level, xs[dj : dj + cols - 1], ys[di : di + rows - 1, None]

    crosses, across, down = [], [], []
    with np.errstate(all="ignore"):  # the shares of sides that do not cross are computed, then dropped
        for start, end in SIDES:
            (u, x_start, y_start), (v, x_end, y_end) = corner(*start), corner(*end)
            crosses.append(((u < 0) != (v < 0)) & np.isfinite(u) & np.isfinite(v))
            share = u / (u - v)
            across.append(plot.x(x_start + share * (x_end - x_start)))
            down.append(plot.y(y_start + share * (y_end - y_start)))
    crosses = np.stack(crosses, axis=-1)
    # A cell beside a NaN can have an odd count of crossings: its last one has no partner.
    rank = np.cumsum(crosses, axis=-1)
    crosses &= ~((rank == rank[..., -1:]) & (rank[..., -1:] % 2 == 1))
    x, y = np.stack(across, axis=-1)[crosses].tolist(), np.stack(down, axis=-1)[crosses].tolist()
    return "".join(f"M{x0:.1f},{y0:.1f}L{x1:.1f},{y1:.1f}" for x0, y0, x1, y1 in zip(x[::2], y[::2], x[1::2], y[1::2]))
