"""The pictures of `nncli visualize`, one function per view, built from the toolkit.

Each takes numbers already computed (see `nncli.landscape`) and returns a Rich renderable;
colour or glyphs are chosen when it is printed, so the same view works in a colour
terminal, under NO_COLOR and in an SVG file.
"""

import math

import numpy as np
from rich.columns import Columns
from rich.console import Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nncli.render.charts import Series, format_number, line_chart
from nncli.render.heatmap import colorbar, heatmap

ACTIVATION_SYMBOLS = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "leaky_relu": "leaky_relu", "identity": ""}
PATH_MARKS = {"start": "o", "step": "•", "end": "*", "minimum": "+"}


def title(text):
    return Text(text, style="bold")


# --- every model -------------------------------------------------------------------------


def loss_view(history, epochs_run, *, width=60, height=12):
    """The training (and validation) loss per epoch, from a model file's thinned history;
    log-scaled when every value is positive, so the long tail of small gains stays visible."""
    series = []
    for key, name, style in (("loss", "training loss", "cyan"), ("val_loss", "validation loss", "magenta")):
        values = history.get(key) or []
        if values:
            series.append(Series(name, _history_epochs(len(values), epochs_run), values, style))
    if not series:
        return Text("this model file has no loss history", style="dim")
    finite = [v for s in series for v in s.y if v is not None and math.isfinite(v)]
    log_y = bool(finite) and min(finite) > 0
    ys = [[math.nan if v is None else v for v in s.y] for s in series]
    series = [Series(s.name, s.x, y, s.style) for s, y in zip(series, ys)]
    return line_chart(
        series,
        width=width,
        height=height,
        title="Loss per epoch" + (" (log scale)" if log_y else ""),
        x_label="epoch",
        log_y=log_y,
    )


def _history_epochs(count, epochs_run):
    """The epoch of each kept point of a history thinned evenly from `epochs_run` values."""
    if count >= epochs_run or count < 2:
        return list(range(1, count + 1))
    return (np.linspace(0, epochs_run - 1, count).round() + 1).tolist()


# --- xor -----------------------------------------------------------------------------------


def boundary_view(plane, inputs, targets):
    """The network's output over the input plane (white: 0.5, the decision boundary), with
    the XOR inputs marked by their target."""
    marks = {}
    for (x1, x2), target in zip(inputs, targets):
        row, col = _nearest(plane.y, x2), _nearest(plane.x, x1)
        if row is not None and col is not None:
            marks[(row, col)] = format_number(target)
    picture = heatmap(plane.output - 0.5, vmin=-0.5, vmax=0.5, palette="diverging", marks=marks)
    return Group(
        title("Decision boundary: the network's output over the input plane"),
        Axes(picture, (plane.x[0], plane.x[-1]), (plane.y[-1], plane.y[0]), "x₁", "x₂"),
        _legend(colorbar(0, 1, "diverging", width=16), "output (marks: the four inputs, by target)"),
    )


def neurons_view(plane):
    """One tile per first-layer neuron: its activation over the input plane, and the
    weighted sum it computes. Together they show how the hidden layer splits the plane."""
    if not plane.hidden:
        return Text("this network has no hidden layer: its one neuron draws a single straight boundary", style="dim")
    low, high, palette, shift = _activation_scale(plane.activation, plane.hidden)
    tiles = []
    for k, (values, neuron) in enumerate(zip(plane.hidden, plane.neurons), start=1):
        tile = heatmap(values - shift, vmin=low - shift, vmax=high - shift, palette=palette)
        tiles.append(
            Group(Text(f"neuron {k}", style="bold"), tile, Text(_neuron_formula(neuron, plane.activation), style="dim"))
        )
    return Group(
        title("Hidden neurons: each one's output over the same plane"),
        Columns(tiles, padding=(0, 3)),
        _legend(colorbar(low, high, palette, width=16), "activation"),
    )


def _activation_scale(activation, grids):
    """(low, high, palette, centre) for drawing activations: sigmoid's 0…1 and tanh's −1…1
    are diverging around their middle; anything else runs from its smallest to its largest."""
    if activation == "sigmoid":
        return 0.0, 1.0, "diverging", 0.5
    if activation == "tanh":
        return -1.0, 1.0, "diverging", 0.0
    values = np.concatenate([g.ravel() for g in grids])
    return float(values.min()), float(values.max()), "sequential", 0.0


def _neuron_formula(neuron, activation):
    (w1, w2), b = neuron["weight"], neuron["bias"]
    terms = f"{'−' if w1 < 0 else ''}{abs(w1):.1f}·x₁ {_signed(w2)}·x₂ {_signed(b)}"
    name = ACTIVATION_SYMBOLS.get(activation, activation)
    return f"{name}({terms})" if name else terms


def _signed(v):
    return f"{'−' if v < 0 else '+'} {abs(v):.1f}"


# --- linreg --------------------------------------------------------------------------------


def fit_view(line, *, width=60, height=14):
    """The training points, the line gradient descent learned and the least-squares line."""
    (m, c), (m_exact, c_exact) = line.learned, line.exact
    xs = [float(line.x.min()), float(line.x.max())]
    chart = line_chart(
        [
            Series(
                f"least squares y = {m_exact:.4g}·x {_signed_exact(c_exact)}",
                xs,
                [m_exact * x + c_exact for x in xs],
                "magenta",
            ),
            Series(f"learned y = {m:.4g}·x {_signed_exact(c)}", xs, [m * x + c for x in xs], "cyan"),
        ],
        points=[(x, y, "yellow") for x, y in zip(line.x, line.y)],
        width=width,
        height=height,
        title="The data, the learned line and the exact line",
        x_label="x",
    )
    return Group(chart, Text(f"   dots: the {len(line.x)} training points", style="dim"))


def _signed_exact(v):
    return f"{'−' if v < 0 else '+'} {format_number(abs(v))}"


def landscape_view(slopes, intercepts, surface, paths, exact, *, stacked=False):
    """The loss over (slope m, intercept c) as a heatmap, with gradient descent's path on
    it — one panel per learning rate, side by side (or one above the other if `stacked`).

    The shading is the loss above its minimum on a log scale, over three decades: the bowl
    is a quadratic, so its contours are nested ellipses, and the log spreads them evenly
    from the rim down to the bottom.
    """
    lowest = min(float(surface.min()), min(p.lowest for p in paths))
    excess = np.log10(np.maximum(surface - lowest, 1e-300))
    high = float(excess.max())
    low = max(float(excess.min()), high - 3)
    panels = []
    for path in paths:
        picture = heatmap(
            excess, vmin=low, vmax=high, palette="sequential", marks=_path_marks(path, slopes, intercepts, exact)
        )
        axes = Axes(picture, (slopes[0], slopes[-1]), (intercepts[-1], intercepts[0]), "slope m", "intercept c")
        panels.append(
            (Text(f"lr {path.lr:g}", style="bold"), axes, Text(describe_path(path), style=_STATUS_STYLES[path.status]))
        )
    if len(panels) == 1 or stacked:
        body = Group(*(Group(*panel) for panel in panels))
    else:
        body = Table.grid(padding=(0, 3))
        for _ in panels:
            body.add_column()
        for row in zip(*panels):
            body.add_row(*row)
    marks = PATH_MARKS
    key = (
        f"{marks['start']} start  {marks['step']} one epoch's step  {marks['end']} end  "
        f"{marks['minimum']} least squares"
    )
    return Group(
        title("Loss landscape over (slope, intercept), and the path gradient descent took"),
        body,
        _legend(colorbar(10**low, 10**high, "sequential", width=16), "loss above its minimum (log scale)"),
        Text(key, style="dim"),
    )


_STATUS_STYLES = {"converged": "green", "slow": "yellow", "diverged": "red"}


def describe_path(path):
    """What happened to a run, in a few words: converged, too slow, or diverged."""
    if path.status == "diverged":
        if path.diverged_at is not None:
            return f"diverged: the loss overflowed at epoch {path.diverged_at}"
        return f"diverged: the loss grew from {format_number(path.losses[0])} to {format_number(path.losses[-1])}"
    if path.status == "slow":
        return (
            f"too slow: after {path.epochs} epochs the loss is {format_number(path.losses[-1])}, "
            f"the bottom {format_number(path.lowest)}"
        )
    text = f"converged in {path.settled_at} epochs"
    return text + ", overshooting" if path.overshoots else text


def _path_marks(path, slopes, intercepts, exact):
    marks = {}

    def mark(point, char):
        row, col = _nearest(intercepts, point[1]), _nearest(slopes, point[0])
        if row is not None and col is not None:
            marks[(row, col)] = char

    for point in path.points[1:-1]:
        mark(point, PATH_MARKS["step"])
    mark(exact, PATH_MARKS["minimum"])
    mark(path.points[-1], PATH_MARKS["end"])
    mark(path.points[0], PATH_MARKS["start"])
    return marks


def _nearest(axis, value):
    """The index of the grid value nearest `value`, or None if it is off the grid."""
    axis = np.asarray(axis, dtype=float)
    if not math.isfinite(value):
        return None
    step = abs(axis[1] - axis[0]) if len(axis) > 1 else 1.0
    index = int(np.abs(axis - value).argmin())
    return index if abs(axis[index] - value) <= step / 2 else None


# --- pieces --------------------------------------------------------------------------------


def _legend(bar, text):
    row = Table.grid(padding=(0, 2))
    row.add_row(bar, Text(text, style="dim"))
    return row


class Axes:
    """A picture with its axes: the y range on the left, the x range below, and names."""

    def __init__(self, picture, x_range, y_range, x_name, y_name):
        self.picture = picture
        self.x_labels = [format_number(v) for v in x_range]
        self.y_labels = [format_number(v) for v in y_range]  # (bottom, top)
        self.x_name, self.y_name = x_name, y_name

    def _gutter(self):
        return max(len(label) for label in self.y_labels)

    def __rich_measure__(self, console, options):
        inner = Measurement.get(console, options, self.picture)
        width = max(inner.maximum, len(" ".join(self.x_labels)) + 1) + self._gutter() + 2
        return Measurement(width, width)

    def __rich_console__(self, console, options):
        gutter = self._gutter()
        dim = Style(dim=True)
        lines = console.render_lines(self.picture, options.update(width=options.max_width - gutter - 2), pad=False)
        width = max(Segment.get_line_length(line) for line in lines)
        yield Segment(f"{'':>{gutter}} {self.y_name}", dim)
        yield Segment.line()
        for index, line in enumerate(lines):
            label = self.y_labels[1] if index == 0 else self.y_labels[0] if index == len(lines) - 1 else ""
            yield Segment(f"{label:>{gutter}} │", dim)
            yield from line
            yield Segment.line()
        yield Segment(f"{'':>{gutter}} └{'─' * width}", dim)
        yield Segment.line()
        left, right = self.x_labels
        middle = self.x_name.center(max(width - len(left) - len(right), 0))
        yield Segment(f"{'':>{gutter}}  {left}{middle}{right}", dim)
        yield Segment.line()
