"""Drawing a two-input classifier's views: the decision boundary, the neuron tiles and
the truth table."""

import functools
import textwrap
from dataclasses import dataclass

import numpy as np
from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.activations import REGISTRY as ACTIVATIONS
from nncli.render import draws
from nncli.render.axes import Axes, Grid, legend, signed, title
from nncli.render.heatmap import colorbar, fitted_shape, heatmap
from nncli.render.numbers import format_number
from nncli.views.plane import Boundary, NeuronTiles, TruthTable

INPUT_SYMBOLS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}
# A neuron's tile in a cell: pixels across at most and at least, columns at least, columns between tiles.
TILE_PIXELS_MOST, TILE_PIXELS_LEAST, TILE_SMALLEST, TILE_GAP = 24, 6, 14, 2
MOST_TILES = 64  # neurons drawn in full (nncli visualize): a picture of thousands would help nobody
OUTPUT_KEY = "output (marks: the inputs, by target)"


AROUND_PLANE = 5  # lines around a plane's picture: title, axis names, x axis and ticks, legend
AROUND_TILES = 2  # lines around the neurons' tiles: the title and the legend


def plane_side(numbers, width, height, colour):
    """The pixels across the square picture of a plane (a Boundary or ClassMap) drawn into
    width × height: the grid points worth computing for that cell."""
    area = plane_area(numbers, width, height, colour)
    return min(area.rows, area.columns)


@draws(Boundary, smallest=(26, 12), preferred=(52, 22), resolution=plane_side)
def draw_boundary(numbers, width, height=None):
    """The network's output over the input plane (white: 0.5, the decision boundary), with
    the data marked by their target; `height` given, fitted into width × height."""
    marks = {at: point_mark(label, held_out) for at, (label, held_out) in spaced_marks(numbers).items()}
    picture = heatmap(np.asarray(numbers.z) - 0.5, vmin=-0.5, vmax=0.5, palette="diverging", marks=marks)
    x, y = numbers.x, numbers.y
    held_out = any(point[3] for point in numbers.points)
    key = "output; 0 1 learned from, ⓪ ① held out" if held_out else OUTPUT_KEY
    compact = height is not None
    axes = Axes(picture, (x[0], x[-1]), (y[-1], y[0]), "x₁", "x₂")
    if compact:
        picture.fit(width - axes.gutter(), height - AROUND_PLANE)
    return Group(
        title("Decision boundary" + ("" if compact else ": the network's output over the input plane")),
        axes,
        legend(colorbar(0, 1, "diverging", width=12 if compact else 16), "output" if compact else key),
    )


def spaced_marks(numbers):
    """(row, col) → (label, held_out) for the points of `numbers` ([x₁, x₂, label,
    held_out] on the grid numbers.x × numbers.y), leaving out a point whose pixel or a
    neighbour is already marked — so hundreds of points still leave the picture visible.
    The points are visited in a fixed scattered order, so both kinds are thinned alike."""
    if not numbers.points:
        return {}
    x, y = numbers.x, numbers.y
    return dict(_spaced_marks((x[0], x[-1], len(x)), (y[0], y[-1], len(y)), tuple(map(tuple, numbers.points))))


@functools.lru_cache(maxsize=16)
def _spaced_marks(x_axis, y_axis, points):
    """spaced_marks on the evenly spaced axes (first, last, count): made once for the
    frames of a live panel, whose points and plane stay put while the network learns."""
    golden = 0.6180339887498949
    points = np.asarray(points, dtype=float)
    order = np.argsort((np.arange(len(points)) * golden) % 1.0, kind="stable")
    rows, cols = grid_index(np.linspace(*y_axis), points[:, 1]), grid_index(np.linspace(*x_axis), points[:, 0])
    marks = {}
    for i in order.tolist():
        row, col = rows[i], cols[i]
        if row < 0 or col < 0:
            continue
        if not any((row + dr, col + dc) in marks for dr in (-1, 0, 1) for dc in (-1, 0, 1)):
            marks[(row, col)] = (int(points[i, 2]), bool(points[i, 3]))
    return tuple(marks.items())


def grid_index(axis, values):
    """The index of the grid value nearest each of `values` on an evenly spaced `axis`
    (either way round), or -1 for a value off the grid (further than half a step)."""
    axis = np.asarray(axis, dtype=float)
    if len(axis) < 2:
        return [-1] * len(values)
    step = (axis[-1] - axis[0]) / (len(axis) - 1)
    with np.errstate(invalid="ignore"):
        index = np.round((np.asarray(values) - axis[0]) / step)
    inside = np.isfinite(index) & (index >= 0) & (index <= len(axis) - 1)
    return np.where(inside, index, -1).astype(int).tolist()


def point_mark(label, held_out):
    """A point's mark: its class's digit, circled if it was held out from training."""
    return "⓪①②③④⑤⑥⑦⑧⑨"[int(label) % 10] if held_out else format_number(label)


def tile_side(numbers, width, height, colour):
    """The pixels across each neuron's tile when the tiles are drawn into width × height:
    the grid points worth computing for that cell (None: no hidden layer, no tiles)."""
    if not numbers.neurons:
        return None
    formulas = [_neuron_formula(neuron, numbers.activation, numbers.inputs) for neuron in numbers.neurons[:MOST_TILES]]
    side = _tile_layout(formulas, len(numbers.neurons), width, height - AROUND_TILES)[0]
    return side if colour else side // 2  # a tile is `side` columns: a pixel a column, or two without colour


@draws(NeuronTiles, smallest=(30, 12), preferred=(64, 20), resolution=tile_side)
def draw_neurons(numbers, width, height=None):
    """One tile per first-layer neuron: its activation over the input plane, and the
    weighted sum it computes. Together they show how the hidden layer splits the plane.
    `height` given: the tiles as large as fit width × height."""
    if not numbers.neurons:
        text = "this network has no hidden layer: its one neuron draws a single straight boundary"
        if numbers.inputs not in (["x1", "x2"], []):  # straight in its features, curved in the plane
            text += f" through its inputs {', '.join(INPUT_SYMBOLS.get(n, n) for n in numbers.inputs)}"
        return Text(text, style="dim")
    grids = [np.asarray(neuron["output"]) for neuron in numbers.neurons]
    low, high, palette, shift = _activation_scale(numbers.activation, grids)
    drawn = numbers.neurons[:MOST_TILES]  # a cell of the panel holds fewer still
    formulas = [_neuron_formula(neuron, numbers.activation, numbers.inputs) for neuron in drawn]

    def picture(values):
        return heatmap(values - shift, vmin=low - shift, vmax=high - shift, palette=palette)

    key = legend(colorbar(low, high, palette, width=16 if height is None else 10), "activation")
    if height is None:
        pictures = [picture(values) for values in grids[:MOST_TILES]]
        tiles = [
            Group(Text(f"neuron {k}", style="bold"), picture, Text(formula, style="dim"))
            for k, (picture, formula) in enumerate(zip(pictures[:MOST_TILES], formulas), start=1)
        ]
        heading = title("Hidden neurons: each one's output over the same plane")
        if len(numbers.neurons) > MOST_TILES:
            total = len(numbers.neurons)
            more = Text(f"the first {MOST_TILES} of {total:,} neurons (--json has them all)", style="dim")
            return Group(heading, Columns(tiles, padding=(0, 3)), more, key)
        return Group(heading, Columns(tiles, padding=(0, 3)), key)
    tiles = _tile_grid(grids[:MOST_TILES], picture, formulas, len(numbers.neurons), width, height - AROUND_TILES)
    return Group(title("Hidden neurons"), tiles, key)


def _tile_layout(formulas, total, width, height):
    """(side, tile_width, per_row, fits): the tiles' size in pixel columns, their width,
    how many to a row and how many are shown — all `total` at the largest side that lets
    them fit width × height, or else as many as fit at the smallest (with a line to say
    how many)."""
    longest = max(formulas, key=len)  # the tallest caption: formulas differ only in their digits
    for side in range(TILE_PIXELS_MOST, TILE_PIXELS_LEAST - 1, -2):
        tile_width = max(side, TILE_SMALLEST)
        per_row = max(1, (width + TILE_GAP) // (tile_width + TILE_GAP))
        tall = 1 + side // 2 + len(textwrap.wrap(longest, tile_width))
        if -(-total // per_row) * tall <= height:
            return side, tile_width, per_row, total
    return side, tile_width, per_row, per_row * max(0, (height - 1) // tall)


def _tile_grid(grids, picture, formulas, total, width, height):
    """The neurons' tiles in rows, as large as lets them all fit width × height — or, if
    even the smallest tiles do not all fit, as many as do, and a line saying how many
    that is. A tile is a name, the picture of its grid (drawn by `picture`, only for the
    tiles shown) and its formula, in whole words."""
    side, tile_width, per_row, fits = _tile_layout(formulas, total, width, height)
    fits = min(fits, len(grids))
    tiles = [
        Group(Text(f"neuron {k}", style="bold"), picture(values).fit(side, side // 2), Text(formula, style="dim"))
        for k, (values, formula) in enumerate(zip(grids[:fits], formulas), start=1)
    ]
    grid = Grid(tiles, tile_width, per_row, TILE_GAP)
    if fits == total:
        return grid  # all of them
    return Group(grid, Text(f"{fits} of {total:,} neurons shown", style="dim"))


def _activation_scale(activation, grids):
    """(low, high, palette, centre) for drawing activations: sigmoid's 0…1 and tanh's −1…1
    are diverging around their middle; anything else runs from its smallest to its largest."""
    if activation == "sigmoid":
        return 0.0, 1.0, "diverging", 0.5
    if activation == "tanh":
        return -1.0, 1.0, "diverging", 0.0
    values = np.concatenate([g.ravel() for g in grids])
    return float(values.min()), float(values.max()), "sequential", 0.0


def _neuron_formula(neuron, activation, inputs):
    weights, b = neuron["weight"], neuron["bias"]
    names = [INPUT_SYMBOLS.get(name, name) for name in inputs]
    first, *rest = [f"{w:.1f}·{n}" if k == 0 else f"{signed(w)}·{n}" for k, (w, n) in enumerate(zip(weights, names))]
    terms = " ".join([first.replace("-", "−", 1), *rest, signed(b)])
    name = ACTIVATIONS[activation].shown if activation in ACTIVATIONS else activation
    return f"{name}({terms})" if name else terms


@draws(TruthTable)
def draw_truth_table(numbers, width):
    table = Table(title=numbers.title)
    for name in ("x₁", "x₂", "target"):
        table.add_column(name, justify="center")
    table.add_column("network output", justify="right")
    table.add_column("", justify="center")
    for (x1, x2), target, output in zip(numbers.inputs, numbers.targets, numbers.outputs):
        right = (output > 0.5) == (target > 0.5)
        mark = "[green]✓[/]" if right else "[red]✗[/]"
        table.add_row(f"{x1:g}", f"{x2:g}", f"{target:g}", f"{output:.4f}", mark)
    return table


@dataclass(frozen=True)
class PlaneArea:
    """Where the plane's picture falls when a boundary or class map is drawn into a cell
    (`draw(numbers, width, height)`): its first line and column in the drawn lines, its
    size in pixels, the cells a pixel takes (1 column by half a line in colour, 2 columns
    by a line in glyphs), and the plane's coordinates at the picture's outer edges."""

    top: int
    left: int
    rows: int
    columns: int
    colour: bool
    x_edges: tuple  # x₁ at the left and right edge
    y_edges: tuple  # x₂ at the top and bottom edge

    @property
    def size(self):
        """(columns, lines) of the terminal the picture takes."""
        return (self.columns, -(-self.rows // 2)) if self.colour else (2 * self.columns, self.rows)


def plane_area(numbers, width, height, colour):
    """The PlaneArea of a Boundary or ClassMap drawn into `width` × `height` (as its draw
    function lays it out: a title line and the axis name above the picture, the y labels
    to its left, fitted into what AROUND_PLANE leaves)."""
    x, y = numbers.x, numbers.y
    axes = Axes(None, (x[0], x[-1]), (y[-1], y[0]), "x₁", "x₂")
    rows, columns = fitted_shape((len(y), len(x)), (width - axes.gutter(), height - AROUND_PLANE), colour)
    half_x = (x[-1] - x[0]) / (len(x) - 1) / 2 if len(x) > 1 else 0.5
    half_y = (y[0] - y[-1]) / (len(y) - 1) / 2 if len(y) > 1 else 0.5
    return PlaneArea(
        2, axes.gutter(), rows, columns, colour, (x[0] - half_x, x[-1] + half_x), (y[0] + half_y, y[-1] - half_y)
    )


def cell_point(area, column, line):
    """The point (x₁, x₂) of the plane at the middle of the terminal cell (`column`,
    `line`), counted like `area.top` and `area.left`; None for a cell off the picture."""
    across, down = column - area.left, line - area.top
    columns, lines = area.size
    if not (0 <= across < columns and 0 <= down < lines):
        return None
    pixel_columns, pixel_rows = (1, 2) if area.colour else (2, 1)
    x_share = (across // pixel_columns + 0.5) / area.columns
    y_share = min(down * pixel_rows + pixel_rows / 2, area.rows - 0.5) / area.rows
    (left, right), (top, bottom) = area.x_edges, area.y_edges
    return left + x_share * (right - left), top + y_share * (bottom - top)
