"""Pieces every picture uses: a bold title, a legend row, and axes around a picture."""

import functools
import math

import numpy as np
from rich.console import Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nncli.render.numbers import format_number


def title(text):
    return Text(text, style="bold")


def signed(v):
    return f"{'−' if v < 0 else '+'} {abs(v):.1f}"


def nearest(axis, value):
    """The index of the grid value nearest `value`, or None if it is off the grid."""
    axis = np.asarray(axis, dtype=float)
    if not math.isfinite(value):
        return None
    step = abs(axis[1] - axis[0]) if len(axis) > 1 else 1.0
    index = int(np.abs(axis - value).argmin())
    return index if abs(axis[index] - value) <= step / 2 else None


@functools.lru_cache(maxsize=32)
def legend(bar, text):
    """`bar` (a key: a colour bar) and `text` beside it — the same Row for the same ones,
    so a live panel draws its unchanging keys once, not at every frame."""
    return Row(bar, Text(text, style="dim"), gap=2)


class DrawnOnce:
    """A picture whose segments (`_segments`) are drawn once for each width and kind of
    console and kept in `self.drawn`: Rich asks for them again for each measure and frame."""

    def __rich_console__(self, console, options):
        key = (options.max_width, console.no_color, console.color_system)
        if key not in self.drawn:
            self.drawn[key] = list(self._segments(console, options))
        yield from self.drawn[key]


class Row(DrawnOnce):
    """Renderables side by side, `gap` columns apart, each as wide as it would be alone —
    as a grid table lays them out where they fit the width, without the table's passes
    to measure every cell again (a live frame draws a few legends, each time); where
    they do not fit, the grid table itself, which wraps them."""

    def __init__(self, *parts, gap=1):
        self.parts, self.gap = parts, gap
        self.drawn = {}  # (width, colour) → the segments (DrawnOnce)

    def _widths(self, console, options):
        return [Measurement.get(console, options, part).maximum for part in self.parts]

    def __rich_measure__(self, console, options):
        widths = self._widths(console, options)
        return Measurement(max(widths), sum(widths) + self.gap * (len(widths) - 1))

    def _segments(self, console, options):
        widths = self._widths(console, options)
        if sum(widths) + self.gap * (len(widths) - 1) > options.max_width:
            table = Table.grid(padding=(0, self.gap))
            table.add_row(*self.parts)
            yield table
            return
        drawn = [console.render_lines(part, options.update(width=width)) for part, width in zip(self.parts, widths)]
        gap = Segment(" " * self.gap)
        for index in range(max(len(lines) for lines in drawn)):
            for position, (lines, width) in enumerate(zip(drawn, widths)):
                if position:
                    yield gap
                yield from lines[index] if index < len(lines) else [Segment(" " * width)]
            yield Segment.line()


def round_ticks(low, high, most=3):
    """Round numbers within [low, high] — 1, 2 or 5 times a power of ten apart, as many as
    fit up to `most` (at least two where the range holds two) — low to high."""
    low, high = min(low, high), max(low, high)
    if not (math.isfinite(low) and math.isfinite(high)) or high - low <= 0:
        return [low] if math.isfinite(low) else []
    power = 10.0 ** math.floor(math.log10((high - low) / max(most, 1)))
    finer = None  # the ticks of the step before: more than `most`
    for step in (power * f for f in (1, 2, 5, 10, 20, 50, 100)):
        first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        decimals = max(0, -math.floor(math.log10(step)))
        ticks = [round(k * step, decimals) + 0.0 for k in range(first, last + 1)]
        if len(ticks) <= most:
            return finer if len(ticks) < 2 and finer else ticks
        finer = ticks
    return [low, high]


def place(ticks, first, last, cells):
    """{cell: tick} for ticks on an axis whose cells 0 … cells-1 run from the value `first`
    to `last` (either way round), each on the cell nearest it; one tick to a cell."""
    if cells < 2 or first == last:
        return {0: ticks[0]} if ticks and cells else {}
    placed = {}
    for tick in ticks:
        cell = round((tick - first) / (last - first) * (cells - 1))
        if 0 <= cell < cells:
            placed.setdefault(cell, tick)
    return placed


def tick_line(labels, width):
    """{column: label} written on one line `width` wide, each centred on its column (kept
    inside the line); a label that would touch one already written is left out."""
    line = [" "] * width
    taken = []
    for column, label in sorted(labels.items()):
        start = min(max(column - len(label) // 2, 0), max(width - len(label), 0))
        stop = start + len(label)
        if stop <= width and all(stop < a or start > b for a, b in taken):
            line[start:stop] = label
            taken.append((start, stop))
    return "".join(line).rstrip()


class Axes(DrawnOnce):
    """A picture with its axes: round numbers on the left and below, where they fall on
    the picture's rows and columns, and the axes' names. `x_range` is the value at the
    left and right column, `y_range` at the bottom and top row."""

    def __init__(self, picture, x_range, y_range, x_name, y_name):
        self.picture = picture
        self.x_range, self.y_range = x_range, y_range
        self.x_ticks, self.y_ticks = round_ticks(*x_range), round_ticks(*y_range)
        self.x_name, self.y_name = x_name, y_name
        self.drawn = {}  # (width, colour) → the segments (DrawnOnce)

    def gutter(self):
        """The columns left of the picture: the widest y label and the axis."""
        return max((len(format_number(v)) for v in self.y_ticks), default=0) + 2

    def __rich_measure__(self, console, options):
        inner = Measurement.get(console, options, self.picture)
        width = inner.maximum + self.gutter()
        return Measurement(width, width)

    def _segments(self, console, options):
        labels = self.gutter() - 2
        dim = Style(dim=True)
        inner = options.update(width=options.max_width - labels - 2)
        lines = lines_of(console, inner, self.picture)
        width = max((Segment.get_line_length(line) for line in lines), default=0)
        rows = place(self.y_ticks, self.y_range[1], self.y_range[0], len(lines))
        columns = place(self.x_ticks, self.x_range[0], self.x_range[1], width)
        yield Segment(f"{'':>{labels}} {self.y_name}", dim)
        yield Segment.line()
        for index, line in enumerate(lines):
            label = format_number(rows[index]) if index in rows else ""
            yield Segment(f"{label:>{labels}} {'┤' if index in rows else '│'}", dim)
            yield from line
            yield Segment.line()
        axis = "".join("┬" if c in columns else "─" for c in range(width))
        yield Segment(f"{'':>{labels}} └{axis}", dim)
        yield Segment.line()
        ticks = tick_line({c: format_number(v) for c, v in columns.items()}, width)
        name = f" {self.x_name}" if len(ticks) + len(self.x_name) + 1 <= width else ""
        yield Segment(f"{'':>{labels}}  {ticks:<{width - len(name)}}{name}".rstrip(), dim)
        yield Segment.line()


class TextLines:
    """Texts drawn one below the other, never wrapped (a line too wide is cropped, or with
    `overflow="fold"` folded): as the one Text they join into draws — and, taken as lines
    where they fit, each line's Segments as that Text would have them, without Rich
    wrapping lines that need none."""

    def __init__(self, lines, overflow="crop"):
        self.lines, self.overflow = lines, overflow
        self.segments = None  # the lines as Segments, made the first time they are asked for

    def text(self):
        return Text("\n", no_wrap=True, overflow=self.overflow).join(self.lines)

    def __rich_console__(self, console, options):
        yield self.text()

    def __rich_measure__(self, console, options):
        return Measurement.get(console, options, self.text())

    def width(self, console):
        """The columns the widest line takes."""
        return max((line.cell_len for line in self.lines), default=0)

    def drawn_lines(self, console):
        if self.segments is None:
            # joined, a line's own style becomes a span, as it does in the Text they make
            self.segments = [list(Text().join([line]).render(console)) for line in self.lines]
        return self.segments


def lines_of(console, options, renderable):
    """The lines of `renderable` as `console.render_lines(renderable, options, pad=False)`
    gives them, without Rich splitting out of a stream what is already in lines: a
    picture's own lines (where they fit), and a Group of texts and pictures part by part
    (each ends its last line, so the parts' lines follow one another) — splitting a
    picture's stream again is what a live frame's tiles cost most."""
    if isinstance(renderable, Group) and all(_ends_its_lines(part) for part in renderable.renderables):
        return [line for part in renderable.renderables for line in lines_of(console, options, part)]
    if hasattr(renderable, "drawn_lines") and renderable.width(console) <= options.max_width:
        return renderable.drawn_lines(console)
    return console.render_lines(renderable, options, pad=False)


def _ends_its_lines(part):
    """Whether `part` ends every line it draws, its last one too (so what follows it in a
    Group starts a line of its own)."""
    if isinstance(part, Text):
        return part.end == "\n"
    return hasattr(part, "drawn_lines") or isinstance(part, (Axes, Row))


class SideBySide:
    """Panels — each (head, body, foot) — in one row, each column as wide as its body (the
    head and foot wrap to it), or one above the other if the row would not fit the width
    it is printed in. Decided at print time, so it holds for colour pictures (a pixel one
    column wide) and glyph ones (two) alike."""

    def __init__(self, panels, gap=3):
        self.panels, self.gap = panels, gap

    def _widths(self, console, options):
        return [Measurement.get(console, options, body).maximum for _, body, _ in self.panels]

    def __rich_measure__(self, console, options):
        widths = self._widths(console, options)
        return Measurement(max(widths), sum(widths) + self.gap * (len(widths) - 1))

    def __rich_console__(self, console, options):
        widths = self._widths(console, options)
        if len(self.panels) == 1 or sum(widths) + self.gap * (len(widths) - 1) > options.max_width:
            for panel in self.panels:
                yield Group(*panel)
            return
        row = Table.grid(padding=(0, self.gap, 0, 0))
        for width in widths:
            row.add_column(width=width)
        for cells in zip(*self.panels):
            row.add_row(*cells)
        yield row


class Grid:
    """Pictures in rows, every cell `width` columns wide and `gap` apart: each picture is
    rendered once (a Rich table would render each again to measure it, which is most of
    what a live frame of small multiples costs)."""

    def __init__(self, cells, width, per_row, gap=2):
        self.rows = [cells[start : start + per_row] for start in range(0, len(cells), per_row)]
        self.width_of_cell, self.gap = width, gap
        self.drawn = {}  # (colour, colours) → the lines

    def width(self, console):
        """The columns the widest row takes."""
        widest = max((len(row) for row in self.rows), default=0)
        return widest * self.width_of_cell + self.gap * max(widest - 1, 0)

    def __rich_measure__(self, console, options):
        total = self.width(console)
        return Measurement(total, total)

    def __rich_console__(self, console, options):
        for line in self.drawn_lines(console):
            yield from line
            yield Segment.line()

    def drawn_lines(self, console):
        """The rows of cells as lines of Segments, each cell padded to its width: what its
        panel takes as they are. Drawn once for each kind of console."""
        key = (console.no_color, console.color_system)
        if key not in self.drawn:
            self.drawn[key] = list(self._lines(console))
        return self.drawn[key]

    def _lines(self, console):
        inner = console.options.update(width=self.width_of_cell)
        gap = Segment(" " * self.gap)
        for row in self.rows:
            drawn = [lines_of(console, inner, cell) for cell in row]
            for index in range(max(len(lines) for lines in drawn)):
                line = []
                for position, lines in enumerate(drawn):
                    if position:
                        line.append(gap)
                    line += Segment.adjust_line_length(lines[index] if index < len(lines) else [], self.width_of_cell)
                yield line
