"""Drawing a fitted line's views: the data and the two lines, the loss landscape with
gradient descent's paths, and the lines' numbers."""

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import Axes, legend, nearest, title
from nncli.render.charts import Series, line_chart
from nncli.render.heatmap import colorbar, heatmap
from nncli.render.numbers import format_number
from nncli.views.line import Landscape, LineFit, LineSummary

PATH_MARKS = {"start": "o", "step": "•", "end": "*", "minimum": "+"}


@draws(LineFit)
def draw_fit(line, width, height=14):
    """The training points, the line gradient descent learned and the least-squares line."""
    (m, c), (m_exact, c_exact) = line.learned, line.exact
    xs = [min(line.x), max(line.x)]
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
        width=max(20, min(60, width - 12)),
        height=height,
        title="The data, the learned line and the exact line",
        x_label="x",
    )
    return Group(chart, Text(f"   dots: the {len(line.x)} training points", style="dim"))


def _signed_exact(v):
    return f"{'−' if v < 0 else '+'} {format_number(abs(v))}"


@draws(Landscape)
def draw_landscape(numbers, width):
    """The loss over (slope m, intercept c) as a heatmap, with gradient descent's path on
    it — one panel per learning rate, side by side (or one above the other if they do not
    fit in `width` columns).

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
    panels = []
    for path in paths:
        picture = heatmap(
            excess, vmin=low, vmax=high, palette="sequential", marks=_path_marks(path, slopes, intercepts, exact)
        )
        axes = Axes(picture, (slopes[0], slopes[-1]), (intercepts[-1], intercepts[0]), "slope m", "intercept c")
        panels.append(
            (
                Text(f"lr {path['lr']:g}", style="bold"),
                axes,
                Text(describe_path(path), style=_STATUS_STYLES[path["status"]]),
            )
        )
    panel_width = 2 * len(slopes) + 8  # glyph pixels are two columns wide; 8 for the axis labels
    if len(panels) == 1 or len(panels) * panel_width + 3 * (len(panels) - 1) > width:
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
        legend(colorbar(10**low, 10**high, "sequential", width=16), "loss above its minimum (log scale)"),
        Text(key, style="dim"),
    )


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

    for point in path["points"][1:-1]:
        mark(point, PATH_MARKS["step"])
    mark(exact, PATH_MARKS["minimum"])
    mark(path["points"][-1], PATH_MARKS["end"])
    mark(path["points"][0], PATH_MARKS["start"])
    return marks


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
