"""Line and scatter charts drawn with braille characters.

A braille character is a grid of 2 × 4 dots, so a chart `width` cells wide and `height`
cells tall has `2 * width` × `4 * height` dots to draw on: fine enough for a loss curve or
a network's fit of sin(x) in an ordinary terminal.

Unicode numbers the eight dots of a braille cell like this:

    1 4
    2 5
    3 6
    7 8

and the character with dots n1, n2, … raised is U+2800 plus the sum of 2**(n - 1). For
example ⠉ (dots 1 and 4, the top row) is U+2800 + 0x01 + 0x08 = U+2809. `DOT_BITS[row][col]`
holds the bit of the dot at that row (0 = top) and column (0 = left) of a cell.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
from rich.text import Text

from nncli.render.numbers import format_number

BRAILLE_BLANK = 0x2800
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
DOT_BITS_ARRAY = np.array(DOT_BITS, dtype=np.uint8)


@dataclass(frozen=True)
class Series:
    """One named line on a chart; `style` is a Rich colour such as "cyan"."""

    name: str
    x: Sequence[float]
    y: Sequence[float]
    style: str = "cyan"


def line_chart(
    series: Sequence[Series],
    *,
    width=60,
    height=15,
    x_range=None,
    y_range=None,
    title=None,
    x_label=None,
    y_label=None,
    points=None,
    log_y=False,
    x_integer=False,
    gutter=0,
) -> Text:
    """A braille chart of `series` (joined lines) and `points` ((x, y, style) dots).

    `width` and `height` are the plot area in character cells; tick labels, title and
    legend are drawn around it. Ranges default to the data's extent; with `log_y` the y
    axis is logarithmic (values ≤ 0 are left out); with `x_integer` the x axis counts (epochs)
    and its ticks are whole numbers. `gutter`: the least width of the y labels, so that a
    chart redrawn with other labels keeps its place. NaN and ±inf leave a gap in a line.
    Where two series share a cell, the last one drawn sets its colour.
    """
    points = list(points or [])
    to_y = _log10 if log_y else (lambda y: np.asarray(y, dtype=float))
    xs = [np.asarray(s.x, dtype=float) for s in series] + [np.array([p[0] for p in points])]
    ys = [to_y(s.y) for s in series] + [to_y([p[1] for p in points])]
    x_lo, x_hi = _axis_range(xs, x_range)
    y_lo, y_hi = _axis_range(ys, None if y_range is None else to_y(y_range))

    canvas = _Canvas(width, height)

    def to_dots(x, y):
        """Data → dot coordinates: x grows rightwards, y grows upwards (dot row 0 is the top)."""
        px = (np.asarray(x) - x_lo) / (x_hi - x_lo) * (canvas.dot_width - 1)
        py = (y_hi - np.asarray(y)) / (y_hi - y_lo) * (canvas.dot_height - 1)
        return px, py

    for s, x, y in zip(series, xs, ys):
        canvas.polyline(*to_dots(x, y), s.style)
    point_x, point_y = to_dots(xs[-1], ys[-1])
    for (_, _, style), px, py in zip(points, point_x, point_y):
        canvas.polyline([px], [py], style)  # a one-point polyline is a single dot

    y_ticks = _ticks(y_hi, y_lo, height, 4, log_y)  # top row first: the highest value
    x_ticks = _integer_ticks(x_lo, x_hi, width) if x_integer else _ticks(x_lo, x_hi, width, 2, False)
    return _layout(canvas, y_ticks, x_ticks, series, title, x_label, y_label, gutter)


class _Canvas:
    """A grid of braille cells; each cell remembers its dots and the colour last drawn."""

    def __init__(self, width, height):
        self.bits = np.zeros((height, width), dtype=np.uint8)
        self.styles = [[None] * width for _ in range(height)]
        self.dot_width, self.dot_height = 2 * width, 4 * height

    def polyline(self, px, py, style):
        """Straight lines between neighbouring finite points; a finite point whose successor
        is not finite ends its line (or, alone, is drawn as a zero-length segment: a dot).

        All the segments are drawn at once, in NumPy: each is clipped to the canvas, then
        sampled at one point per dot along its longer side and each sample rounded to its
        dot — the dots Bresenham's line would raise, without a Python loop per dot.
        """
        px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
        finite = np.isfinite(px) & np.isfinite(py)
        starts = np.flatnonzero(finite)
        ends = np.where((starts + 1 < len(px)) & finite[np.minimum(starts + 1, len(px) - 1)], starts + 1, starts)
        x0, y0, x1, y1 = _clip_all(px[starts], py[starts], px[ends], py[ends], self.dot_width - 1, self.dot_height - 1)
        steps = np.maximum(np.abs(np.round(x1) - np.round(x0)), np.abs(np.round(y1) - np.round(y0))).astype(int)
        segment = np.repeat(np.arange(len(steps)), steps + 1)
        first = np.cumsum(steps + 1) - (steps + 1)
        t = (np.arange(len(segment)) - first[segment]) / np.maximum(steps[segment], 1)
        xs = np.round(x0[segment] + t * (x1 - x0)[segment]).astype(int)
        ys = np.round(y0[segment] + t * (y1 - y0)[segment]).astype(int)
        self.dots(xs, ys, style)

    def dots(self, xs, ys, style):
        """Raise the dots at integer dot coordinates (xs[k], ys[k]) on the canvas."""
        inside = (xs >= 0) & (xs < self.dot_width) & (ys >= 0) & (ys < self.dot_height)
        xs, ys = xs[inside], ys[inside]
        rows, cols = ys // 4, xs // 2
        np.bitwise_or.at(self.bits, (rows, cols), DOT_BITS_ARRAY[ys % 4, xs % 2])
        for row, col in set(zip(rows.tolist(), cols.tolist())):
            self.styles[row][col] = style

    def row(self, r) -> Text:
        """Row `r` as text, one span per run of cells sharing a colour."""
        line = Text()
        cells = zip(self.bits[r], self.styles[r])
        for style, run in groupby(cells, key=lambda cell: cell[1]):
            line.append("".join(chr(BRAILLE_BLANK + int(bits)) if bits else " " for bits, _ in run), style)
        return line


def _clip_all(x0, y0, x1, y1, x_max, y_max):
    """Liang–Barsky clipping of many segments at once: the part of each inside
    [0, x_max] × [0, y_max]; a segment wholly outside comes back as NaN (drawn as nothing).

    Points are t in [0, 1] along a segment; each canvas edge cuts off the t beyond it.
    This also keeps the drawing from sampling millions of dots to a far-off point.
    """
    dx, dy = x1 - x0, y1 - y0
    t_in, t_out = np.zeros_like(x0), np.ones_like(x0)
    outside = np.zeros(x0.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0), (dx, x_max - x0), (-dy, y0), (dy, y_max - y0)):
            outside |= (p == 0) & (q < 0)  # parallel to this edge and beyond it
            ratio = q / p
            t_in = np.where(p < 0, np.maximum(t_in, ratio), t_in)
            t_out = np.where(p > 0, np.minimum(t_out, ratio), t_out)
    outside |= t_in > t_out
    keep = ~outside
    x0, y0, dx, dy, t_in, t_out = (a[keep] for a in (x0, y0, dx, dy, t_in, t_out))
    return x0 + t_in * dx, y0 + t_in * dy, x0 + t_out * dx, y0 + t_out * dy


def _log10(values):
    v = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > 0, np.log10(np.where(v > 0, v, 1.0)), np.nan)


def _axis_range(arrays, given):
    """`given`, else the finite extent of the data; never empty, so scaling can't divide by 0."""
    if given is not None:
        lo, hi = (float(v) for v in given)
    else:
        finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
        lo, hi = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
    if lo == hi:  # a constant series or a single point: centre it
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    return float(lo), float(hi)


def _ticks(first, last, cells, dots_per_cell, log):
    """{cell index: label} for the first, middle and last cell of an axis.

    The middle label names the exact midpoint value and goes on the cell holding it.
    Values are rounded to a thousandth of the axis span, so float noise such as 1.6e-17
    for a midpoint of 0 reads "0".
    """
    middle = ((cells * dots_per_cell - 1) / 2) // dots_per_cell
    ticks = {int(middle): (first + last) / 2, 0: first, cells - 1: last}
    decimals = 3 - int(np.floor(np.log10(abs(last - first))))
    return {i: format_number(10 ** round(v, decimals) if log else round(v, decimals)) for i, v in ticks.items()}


def _integer_ticks(first, last, cells):
    """{cell index: label} for an axis of whole numbers: its ends, and the whole number
    nearest the middle, on the cell that holds it."""
    first, last = math.ceil(first), math.floor(last)
    ticks = {0: first, cells - 1: last}
    middle = round((first + last) / 2)
    if first < middle < last:
        ticks[round((middle - first) / (last - first) * (cells - 1))] = middle
    return {cell: f"{value:,}" for cell, value in ticks.items()}


def _layout(canvas, y_ticks, x_ticks, series, title, x_label, y_label, gutter=0) -> Text:
    height, width = canvas.bits.shape
    gutter = max(gutter, *(len(label) for label in y_ticks.values()))
    lines = []
    if title:
        lines.append(Text(title.center(gutter + 2 + width).rstrip(), style="bold"))
    if y_label:
        lines.append(Text(y_label, style="dim"))
    for r in range(height):
        axis = f"{y_ticks.get(r, ''):>{gutter}} {'┤' if r in y_ticks else '│'}"
        lines.append(Text.assemble((axis, "dim"), canvas.row(r)))
    axis = "".join("┬" if c in x_ticks else "─" for c in range(width))
    lines.append(Text(" " * gutter + " └" + axis, style="dim"))
    lines.append(Text(" " * (gutter + 2) + _tick_labels(x_ticks, width), style="dim"))
    if x_label:
        lines.append(Text((" " * (gutter + 2) + x_label.center(width)).rstrip(), style="dim"))
    if series:
        legend = Text("   ").join(Text.assemble(("━━", s.style), " ", s.name) for s in series)
        lines.append(Text(" " * (gutter + 2)) + legend)
    return Text("\n", no_wrap=True, overflow="crop").join(lines)


def _tick_labels(ticks, width) -> str:
    """The x tick labels on one line: first left-aligned, last right-aligned, middle centred.
    A label that would touch one already placed is left out (on very narrow charts)."""
    first, last = ticks[0], ticks[width - 1]
    wanted = [(0, first), (width - len(last), last)]
    wanted += [(c - len(label) // 2, label) for c, label in ticks.items() if c not in (0, width - 1)]
    line = [" "] * width
    taken = []
    for start, label in wanted:
        start = max(start, 0)
        stop = start + len(label)
        if all(stop < a or start > b for a, b in taken):
            line[start:stop] = label
            taken.append((start, stop))
    return "".join(line).rstrip()
