"""Drawing the hidden space: the input plane's grid bent by the hidden layers, the data in
it, and the output's straight decision line."""

import textwrap

import numpy as np
from rich.console import Group
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import title
from nncli.render.charts import Series, line_chart
from nncli.render.classes import CIRCLED, COLOURS, DIGITS
from nncli.views.hidden import HiddenSpace, heading

GRID_STYLE = "grey50"
LINE_STYLE = "bold yellow"
CHART_WIDTH, CHART_HEIGHT = 56, 16  # plot cells, at most


@draws(HiddenSpace, smallest=(36, 18), preferred=(70, 28))
def draw_hidden_space(numbers, width, height=None):
    """The hidden space as a chart; `height` given, the whole of it (heading, chart, key)
    fitted into width × height."""
    if numbers.width == 0:
        return Text(
            "this network has no hidden layer: its inputs are the only space, and one line is all it draws", style="dim"
        )
    grid = Series("grid", *joined(numbers.grid), GRID_STYLE)
    lines = Series("decision", *joined([s["segment"] for s in numbers.boundaries]), LINE_STYLE)
    a_lo, a_hi, b_lo, b_hi = numbers.box
    head = heading(numbers)
    key = Text.assemble(
        ("━━", LINE_STYLE),
        " decision line   ",
        ("⠉⠒", GRID_STYLE),
        " the input plane's grid lines   ",
        ("0 1", "bold"),
        " the data, by class",
    )
    # In a cell, the chart takes the lines the heading and the key (wrapped to the width) leave.
    around = len(textwrap.wrap(head, width)) + len(textwrap.wrap(key.plain, width))
    chart = line_chart(
        [grid, lines],
        width=max(16, min(CHART_WIDTH, width - 12)),
        height=CHART_HEIGHT,
        lines=None if height is None else height - around,
        x_range=(a_lo, a_hi),
        y_range=(b_lo, b_hi),
        x_label=numbers.axes[0],
        y_label=numbers.axes[1],
        marks=point_marks(numbers.points),
        legend=False,
    )
    return Group(title(head), chart, key)


def joined(lines):
    """(xs, ys) of several polylines, NaN between them so that they stay apart."""
    xs, ys = [], []
    for line in lines:
        points = np.asarray(line, dtype=float)
        xs += [*points[:, 0], np.nan]
        ys += [*points[:, 1], np.nan]
    return xs, ys


def point_marks(points):
    """Each point as its class's digit (circled if held out), in its class's colour."""
    marks = []
    for a, b, label, held_out in points:
        r, g, b_ = COLOURS[int(label) % len(COLOURS)]
        char = (CIRCLED if held_out else DIGITS)[int(label) % 10]
        marks.append((a, b, char, f"bold rgb({r},{g},{b_})"))
    return marks
