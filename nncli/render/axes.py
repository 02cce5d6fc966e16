"""Pieces every picture uses: a bold title, a legend row, and axes around a picture."""

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


def legend(bar, text):
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
        room = max(width - len(left) - len(right), 0)
        middle = self.x_name.center(room) if room >= len(self.x_name) + 2 else " " * max(room, 1)
        yield Segment(f"{'':>{gutter}}  {left}{middle}{right}", dim)
        yield Segment.line()


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
