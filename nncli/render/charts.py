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

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
from rich.text import Text

from nncli.render.numbers import format_number

BRAILLE_BLANK = 0x2800
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


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
) -> Text:
    """A braille chart of `series` (joined lines) and `points` ((x, y, style) dots).

    `width` and `height` are the plot area in character cells; tick labels, title and
    legend are drawn around it. Ranges default to the data's extent; with `log_y` the y
    axis is logarithmic (values ≤ 0 are left out). NaN and ±inf leave a gap in a line.
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
    x_ticks = _ticks(x_lo, x_hi, width, 2, False)
    return _layout(canvas, y_ticks, x_ticks, series, title, x_label, y_label)


class _Canvas:
    """A grid of braille cells; each cell remembers its dots and the colour last drawn."""

    def __init__(self, width, height):
        self.bits = np.zeros((height, width), dtype=np.uint8)
        self.styles = [[None] * width for _ in range(height)]
        self.dot_width, self.dot_height = 2 * width, 4 * height

    def dot(self, px, py, style):
        """Raise the dot at integer dot coordinates (px, py), if it is on the canvas."""
        if 0 <= px < self.dot_width and 0 <= py < self.dot_height:
            row, col = py // 4, px // 2
            self.bits[row, col] |= DOT_BITS[py % 4][px % 2]
            self.styles[row][col] = style

    def polyline(self, px, py, style):
        """Straight lines between neighbouring finite points; a finite point whose successor
        is not finite ends its line (or, alone, is drawn as a zero-length segment: a dot)."""
        finite = np.isfinite(px) & np.isfinite(py)
        for i in np.flatnonzero(finite):
            if i + 1 < len(px) and finite[i + 1]:
                self.segment(px[i], py[i], px[i + 1], py[i + 1], style)
            else:
                self.segment(px[i], py[i], px[i], py[i], style)

    def segment(self, x0, y0, x1, y1, style):
        """Bresenham's line between two points, after clipping it to the canvas.

        It walks from one end to the other a dot at a time; `error` measures how far the
        dots so far have strayed from the true line and decides whether the next dot
        steps in x, in y, or in both.
        """
        clipped = _clip(x0, y0, x1, y1, self.dot_width - 1, self.dot_height - 1)
        if clipped is None:
            return
        x0, y0, x1, y1 = (int(round(c)) for c in clipped)
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        step_x, step_y = (1 if x1 > x0 else -1), (1 if y1 > y0 else -1)
        error = dx + dy
        while True:
            self.dot(x0, y0, style)
            if (x0, y0) == (x1, y1):
                return
            doubled = 2 * error  # decide both steps on the error before either is taken
            if doubled >= dy:
                error += dy
                x0 += step_x
            if doubled <= dx:
                error += dx
                y0 += step_y

    def row(self, r) -> Text:
        """Row `r` as text, one span per run of cells sharing a colour."""
        line = Text()
        cells = zip(self.bits[r], self.styles[r])
        for style, run in groupby(cells, key=lambda cell: cell[1]):
            line.append("".join(chr(BRAILLE_BLANK + int(bits)) if bits else " " for bits, _ in run), style)
        return line


def _clip(x0, y0, x1, y1, x_max, y_max):
    """Liang–Barsky clipping: the part of a segment inside [0, x_max] × [0, y_max], or None.

    Points are t in [0, 1] along the segment; each canvas edge cuts off the t beyond it.
    This also keeps Bresenham from walking millions of dots to a far-off point.
    """
    t_in, t_out = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0), (dx, x_max - x0), (-dy, y0), (dy, y_max - y0)):
        if p == 0:
            if q < 0:
                return None  # parallel to this edge and outside it
        elif p < 0:
            t_in = max(t_in, q / p)
        else:
            t_out = min(t_out, q / p)
    if t_in > t_out:
        return None
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


def _layout(canvas, y_ticks, x_ticks, series, title, x_label, y_label) -> Text:
    height, width = canvas.bits.shape
    gutter = max(len(label) for label in y_ticks.values())
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
