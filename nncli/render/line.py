"""Drawing a fitted line's views: the data and the two lines, the loss landscape with
gradient descent's paths, and the lines' numbers."""

import textwrap

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import Axes, SideBySide, legend, nearest, title
from nncli.render.charts import Series, line_chart
from nncli.render.heatmap import colorbar, heatmap
from nncli.render.numbers import format_number
from nncli.views.line import Landscape, LineFit, LineSummary

PATH_MARKS = {"start": "o", "step": "•", "end": "*", "minimum": "+"}


@draws(LineFit, smallest=(36, 12), preferred=(72, 22))
def draw_fit(line, width, height=None):
    """The training points, the line gradient descent learned and the least-squares line;
    `height`: the lines it may take."""
    (m, c), (m_exact, c_exact) = line.learned, line.exact
    xs = [min(line.x), max(line.x)]
    chart = line_chart(
        [
            Series(
                f"least squares {_equation(m_exact, c_exact)}",
                xs,
                [m_exact * x + c_exact for x in xs],
                "magenta",
            ),
            Series(f"learned {_equation(m, c)}", xs, [m * x + c for x in xs], "cyan"),
        ],
        points=[(x, y, "yellow") for x, y in zip(line.x, line.y)],
        width=max(20, min(60, width - 12 if height is None else width - 8)),
        lines=(height or FIT_LINES) - 1,
        title="The data, the learned line and the exact line" if height is None else "The data and the two lines",
        x_label="x",
    )
    return Group(chart, Text(f"   dots: the {len(line.x)} training points", style="dim"))


FIT_LINES = 22  # lines of the fit drawn without a height (nncli visualize)


def _equation(m, c):
    return f"y = {m:.4g}·x {_signed_exact(c)}"


def _signed_exact(v):
    return f"{'−' if v < 0 else '+'} {format_number(abs(v))}"


@draws(Landscape, smallest=(36, 14), preferred=(64, 26))
def draw_landscape(numbers, width, height=None):
    """The loss over (slope m, intercept c) as a heatmap, with gradient descent's path on
    it — one panel per learning rate, side by side (or one above the other if they do not
    fit in `width` columns); `height` given, one panel fitted into width × height.

    The shading is the loss above its minimum on a log scale, over three decades: the bowl
    is a quadratic, so its contours are nested ellipses, and the log spreads them evenly
    from the rim down to the bottom.
    """
    slopes, intercepts, exact, paths = numbers.slopes, numbers.intercepts, numbers.exact, numbers.paths
    surface = np.asarray(numbers.loss)
    lowest = min(float(surface.min()), min(p["lowest"] for p in paths))
    excess = np.log10(np.maximum(surface - lowest, 1e-300))
    high = float(excess.max())
    low = max(float(excess.min()), high - 3)
    marks = PATH_MARKS
    key = (
        f"{marks['start']} start  {marks['step']} one epoch's step  {marks['end']} end  "
        f"{marks['minimum']} least squares"
    )
    arrows = "".join(sorted({exit[2] for exit in (_exit(p, slopes, intercepts) for p in paths) if exit}))
    if arrows:
        key += f"  {arrows} where it left the picture"
    panels = []
    for path in paths:
        picture = heatmap(
            excess, vmin=low, vmax=high, palette="sequential", marks=_path_marks(path, slopes, intercepts, exact)
        )
        axes = Axes(picture, (slopes[0], slopes[-1]), (intercepts[-1], intercepts[0]), "slope m", "intercept c")
        if height is not None:  # around the picture: title, label, axes, status, colour bar, key
            around = 6 + len(textwrap.wrap(key, width)) + len(textwrap.wrap(describe_path(path), width))
            picture.fit(width - axes.gutter(), height - around)
        status = Text(describe_path(path), style=_STATUS_STYLES[path["status"]])
        panels.append((Text(path["label"], style="bold"), axes, status))
    if height is None:
        heading = "Loss landscape over (slope, intercept), and the path gradient descent took"
        bar = legend(colorbar(10**low, 10**high, "sequential", width=16), "loss above its minimum (log scale)")
    else:
        heading = "Loss landscape, and the path"
        bar = legend(colorbar(10**low, 10**high, "sequential", width=8), "loss")
    return Group(title(heading), SideBySide(panels), bar, Text(key, style="dim"))


_STATUS_STYLES = {"converged": "green", "slow": "yellow", "diverged": "red"}


def describe_path(path):
    """What happened to a run, in a few words: converged, too slow, or diverged."""
    if path["status"] == "diverged":
        if path["diverged_at"] is not None:
            return f"diverged: the loss overflowed at epoch {path['diverged_at']}"
        return f"diverged: the loss grew from {format_number(path['losses'][0])} to {format_number(path['losses'][-1])}"
    if path["status"] == "slow":
        return (
            f"too slow: after {path['epochs']} epochs the loss is {format_number(path['losses'][-1])}, "
            f"the bottom {format_number(path['lowest'])}"
        )
    text = f"converged in {path['settled_at']} epochs"
    return text + ", overshooting" if path["overshoots"] else text


def _path_marks(path, slopes, intercepts, exact):
    marks = {}

    def mark(point, char):
        row, col = nearest(intercepts, point[1]), nearest(slopes, point[0])
        if row is not None and col is not None:
            marks[(row, col)] = char

    points = path["points"]
    exit = _exit(path, slopes, intercepts)
    # A path that left the picture: its steps up to there, and an arrow on the edge it crossed.
    steps = points[1:-1] if exit is None else points[1 : exit[0]]
    for point in steps:
        mark(point, PATH_MARKS["step"])
    mark(exact, PATH_MARKS["minimum"])
    if exit is None:
        mark(points[-1], PATH_MARKS["end"])
    else:
        marks[exit[1]] = exit[2]
    mark(points[0], PATH_MARKS["start"])
    return marks


def _exit(path, slopes, intercepts):
    """(index of the first point outside the picture, (row, col) of the edge cell where
    the path crossed out, an arrow pointing the way it went), or None if it stays in."""
    m_lo, m_hi = sorted((slopes[0], slopes[-1]))
    c_lo, c_hi = sorted((intercepts[0], intercepts[-1]))
    inside = lambda m, c: m_lo <= m <= m_hi and c_lo <= c <= c_hi  # noqa: E731
    points = path["points"]
    out = next((i for i, (m, c) in enumerate(points) if not inside(m, c)), None)
    if out is None or out == 0:
        return None
    (m0, c0), (m1, c1) = points[out - 1], points[out]
    # How far along the last step each edge is crossed; the nearest crossing is where it left.
    crossings = []
    for start, step, low, high, arrows in ((m0, m1 - m0, m_lo, m_hi, "←→"), (c0, c1 - c0, c_lo, c_hi, "↓↑")):
        if step:
            edge, arrow = (high, arrows[1]) if step > 0 else (low, arrows[0])
            crossings.append(((edge - start) / step, arrow))
    t, arrow = min(crossings)
    m, c = m0 + t * (m1 - m0), c0 + t * (c1 - c0)
    row = min(range(len(intercepts)), key=lambda i: abs(intercepts[i] - c))
    col = min(range(len(slopes)), key=lambda j: abs(slopes[j] - m))
    return out, (row, col), arrow


@draws(LineSummary)
def draw_summary(numbers, width):
    table = Table(title="y = m·x + c")
    table.add_column("")
    table.add_column("slope m", justify="right")
    table.add_column("intercept c", justify="right")
    table.add_row("learned by gradient descent", f"{numbers.slope:.6f}", f"{numbers.intercept:.6f}")
    table.add_row("exact least squares", f"{numbers.slope_exact:.6f}", f"{numbers.intercept_exact:.6f}")
    table.add_row(
        "[dim]difference[/]",
        f"[dim]{abs(numbers.slope - numbers.slope_exact):.2e}[/]",
        f"[dim]{abs(numbers.intercept - numbers.intercept_exact):.2e}[/]",
    )
    return table
