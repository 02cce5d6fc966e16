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
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
from rich.measure import Measurement
from rich.text import Text

from nncli.render.axes import TextLines, round_ticks, tick_line
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
    marks=None,
    legend=True,
    lines=None,
) -> "Chart":
    """A braille chart of `series` (joined lines) and `points` ((x, y, style) dots).

    `width` and `height` are the plot area in character cells; tick labels, title and
    legend are drawn around it. Ranges default to the data's extent; with `log_y` the y
    axis is logarithmic (values ≤ 0 are left out); with `x_integer` the x axis counts (epochs)
    and its ticks are whole numbers. `gutter`: the least width of the y labels, so that a
    chart redrawn with other labels keeps its place. NaN and ±inf leave a gap in a line.

    Series are told apart by colour — and, where the console has none (NO_COLOR, piped),
    by a marker of their own, on the chart and in the legend (the first series stays a
    braille line). A cell two series share is drawn in OVERLAP_STYLE, named "both" in the
    legend, so neither line hides the other.

    `marks` are (x, y, character, style): a letter drawn in the cell holding (x, y), over
    the lines, so that runs stay told apart without colour. `legend=False` leaves the
    series' legend out (for a caller that writes its own). `lines`, if given, is the most
    lines the whole chart may take: the plot is then as tall as leaves room for the rest.
    """
    if lines is not None:
        legend_lines = len(_legend_lines(_legend_keys(series, True, True), width)) if legend else 0
        around = 3 + bool(title) + bool(y_label) + bool(x_label) + legend_lines
        height = max(2, lines - around)
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

    for owner, (s, x, y) in enumerate(zip(series, xs, ys)):
        canvas.polyline(*to_dots(x, y), s.style, owner)
    point_x, point_y = to_dots(xs[-1], ys[-1])
    point_styles = np.array([style for _, _, style in points], dtype=object)
    for style in dict.fromkeys(point_styles.tolist()):  # the points of each style at once, in order
        chosen = (point_styles == style) & np.isfinite(point_x) & np.isfinite(point_y)
        canvas.dots(np.round(point_x[chosen]).astype(int), np.round(point_y[chosen]).astype(int), style)
    for x, y, char, style in marks or ():
        px, py = to_dots(x, to_y([y])[0])
        if np.isfinite(px) and np.isfinite(py):
            canvas.mark(int(round(float(px))), int(round(float(py))), char, style)

    y_ticks = _ticks(y_hi, y_lo, height, 4, log_y)  # top row first: the highest value
    x_ticks = _ticks(x_lo, x_hi, width, 2, False, integer=x_integer)
    return Chart(canvas, y_ticks, x_ticks, series if legend else (), title, x_label, y_label, gutter)


MARKERS = ("", "•", "×", "+", "○", "◆")  # the cells of series 1, 2, … when there is no colour
OVERLAP_STYLE = "bold"


class Chart:
    """A drawn chart: a Rich renderable that chooses, when printed, between colours and
    markers (see `line_chart`)."""

    def __init__(self, canvas, y_ticks, x_ticks, series, title, x_label, y_label, gutter):
        self.canvas, self.y_ticks, self.x_ticks, self.series = canvas, y_ticks, x_ticks, series
        self.title, self.x_label, self.y_label, self.gutter = title, x_label, y_label, gutter
        self.drawn = {}  # colour or not → its TextLines: Rich measures a chart before drawing it

    def lines(self, colour=True):
        if colour not in self.drawn:
            self.drawn[colour] = TextLines(_layout(self, colour))
        return self.drawn[colour]

    def text(self, colour=True) -> Text:
        return self.lines(colour).text()

    def __rich_console__(self, console, options):
        yield self.text(colour=in_colour(console))

    def __rich_measure__(self, console, options):
        return Measurement.get(console, options, self.text())

    def width(self, console):
        """The columns the chart takes on `console`."""
        return self.lines(in_colour(console)).width(console)

    def drawn_lines(self, console):
        """The chart's lines as Segments: what Rich draws of it where it fits."""
        return self.lines(in_colour(console)).drawn_lines(console)


def in_colour(console):
    """Whether a chart goes to `console` in colours (else in markers)."""
    return not console.no_color and console.color_system is not None


class _Canvas:
    """A grid of braille cells; each cell remembers its dots, the colour last drawn and
    which series drew there (a bit per series)."""

    def __init__(self, width, height):
        self.bits = np.zeros((height, width), dtype=np.uint8)
        self.owners = np.zeros((height, width), dtype=np.int64)
        self.styles = [[None] * width for _ in range(height)]
        self.chars = {}  # (row, col) → (character, style) drawn instead of the cell's dots
        self.dot_width, self.dot_height = 2 * width, 4 * height

    def polyline(self, px, py, style, owner=None):
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
        self.dots(xs, ys, style, owner)

    def dots(self, xs, ys, style, owner=None):
        """Raise the dots at integer dot coordinates (xs[k], ys[k]) on the canvas."""
        inside = (xs >= 0) & (xs < self.dot_width) & (ys >= 0) & (ys < self.dot_height)
        xs, ys = xs[inside], ys[inside]
        rows, cols = ys // 4, xs // 2
        np.bitwise_or.at(self.bits, (rows, cols), DOT_BITS_ARRAY[ys % 4, xs % 2])
        if owner is not None:
            self.owners[rows, cols] |= 1 << owner
        for row, col in set(zip(rows.tolist(), cols.tolist())):
            self.styles[row][col] = style

    def row(self, r, colour=True) -> Text:
        """Row `r` as text, one span per run of cells sharing a colour."""
        line = Text()
        cells = [self._cell(r, c, colour) for c in range(self.bits.shape[1])]
        for style, run in groupby(cells, key=lambda cell: cell[1]):
            line.append("".join(char for char, _ in run), style)
        return line

    def mark(self, px, py, char, style):
        """Draw `char` in the cell holding the dot (px, py), if it is on the canvas."""
        if 0 <= px < self.dot_width and 0 <= py < self.dot_height:
            self.chars[py // 4, px // 2] = (char, style)

    def _cell(self, r, c, colour):
        """(character, style) of one cell."""
        if (r, c) in self.chars:
            return self.chars[r, c]
        bits, owners = int(self.bits[r, c]), int(self.owners[r, c])
        if not bits:
            return " ", None
        shared = owners & (owners - 1) != 0  # more than one bit: more than one series
        if colour:
            return chr(BRAILLE_BLANK + bits), OVERLAP_STYLE if shared else self.styles[r][c]
        top = owners.bit_length() - 1  # the last series drawn here
        if top >= 1:
            return MARKERS[min(top, len(MARKERS) - 1)], None
        return chr(BRAILLE_BLANK + bits), None

    def shares_cells(self):
        owners = self.owners
        return bool(np.any(owners & (owners - 1)))


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


def _ticks(first, last, cells, dots_per_cell, log, integer=False):
    """{cell index: label} for round numbers on an axis from `first` (cell 0) to `last`,
    each on the cell holding its dot: about one per three cells down a y axis, fewer
    across (labels are wide); powers of ten on a log axis; whole numbers if `integer`."""
    most = max(3, (cells + 1) // 2) if dots_per_cell == 4 else max(3, min(6, cells // 10))
    low, high = min(first, last), max(first, last)
    if integer:
        ticks = [t for t in round_ticks(low, high, most) if t == int(t)] or [math.ceil(low)]
    elif log:
        ticks = [k for k in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)]
        if len(ticks) < 2:
            ticks = [math.log10(v) for v in round_ticks(10**low, 10**high, most) if v > 0]
        elif len(ticks) > most:
            ticks = ticks[:: -math.ceil(len(ticks) / most)][::-1]  # from the top decade down
    else:
        ticks = round_ticks(low, high, most)
    dots = cells * dots_per_cell
    placed = {}
    for tick in ticks:
        dot = round((tick - first) / (last - first) * (dots - 1)) if last != first else 0
        if 0 <= dot < dots:
            value = 10**tick if log else tick
            placed.setdefault(dot // dots_per_cell, f"{int(value):,}" if integer else format_number(value))
    return placed


def _layout(chart, colour):
    """The chart's lines, as Texts."""
    canvas, y_ticks, x_ticks, series = chart.canvas, chart.y_ticks, chart.x_ticks, chart.series
    height, width = canvas.bits.shape
    gutter = max(chart.gutter, *(len(label) for label in y_ticks.values()))
    lines = []
    if chart.title:
        lines.append(Text(chart.title.center(gutter + 2 + width).rstrip(), style="bold"))
    if chart.y_label:
        lines.append(Text(chart.y_label, style="dim"))
    for r in range(height):
        axis = f"{y_ticks.get(r, ''):>{gutter}} {'┤' if r in y_ticks else '│'}"
        lines.append(Text.assemble((axis, "dim"), canvas.row(r, colour)))
    axis = "".join("┬" if c in x_ticks else "─" for c in range(width))
    lines.append(Text(" " * gutter + " └" + axis, style="dim"))
    lines.append(Text(" " * (gutter + 2) + tick_line(x_ticks, width), style="dim"))
    if chart.x_label:
        lines.append(Text((" " * (gutter + 2) + chart.x_label.center(width)).rstrip(), style="dim"))
    if series:
        keys = _legend_keys(series, colour, colour and len(series) > 1 and canvas.shares_cells())
        lines += [Text(" " * (gutter + 2)) + line for line in _legend_lines(keys, width)]
    return lines


def _legend_keys(series, colour, overlap):
    """(sample, style, name) of each series — and of the cells they share, if `overlap`."""
    keys = [(_key(k, colour), s.style, s.name) for k, s in enumerate(series)]
    return keys + [("━━", OVERLAP_STYLE, "both")] if overlap else keys


def _legend_lines(keys, width):
    """The legend's entries on as many lines as it takes to fit `width`, several to a line
    where they fit; an entry wider than that wraps between its words, never inside one."""
    lines, line = [], None
    for key, style, name in keys:
        entry = Text.assemble((key, style), " ", name)
        if line is not None and len(line) + 3 + len(entry) <= width:
            line = line + Text("   ") + entry
            continue
        if line is not None:
            lines.append(line)
        first, *rest = textwrap.wrap(name, max(width - len(key) - 1, 8)) or [""]
        lines += [Text.assemble((key, style), " ", first)] + [Text(" " * (len(key) + 1) + part) for part in rest[:-1]]
        line = Text(" " * (len(key) + 1) + rest[-1]) if rest else lines.pop()
    return lines + ([line] if line is not None else [])


def _key(index, colour):
    """The legend's sample of series `index`: a line in its colour, or its marker."""
    if colour or index == 0:
        return "━━"
    return MARKERS[min(index, len(MARKERS) - 1)] * 3
