"""Drawing a K-class map: each part of the plane in its predicted class's colour, pale
where the network is unsure, deep where it is sure, with the points on top.

In colour, two pixels share a character cell (the upper-half block ▀, as in heatmaps).
Without colour, each pixel is two columns: the class's letter twice where the network is
sure, once where it leans, blank where it is near a guess — so the boundaries show as
blank bands. Points are marked by their class's digit: plain for the points learned
from, circled for the held-out ones.
"""

import numpy as np
from rich.console import Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import Axes, legend, title
from nncli.render.plane import spaced_marks
from nncli.text import inert
from nncli.views.classes import ClassAnswers, ClassMap

# Ten class colours that stay apart on 256-colour terminals (Tableau 10, deepened).
COLOURS = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
]
LETTERS = "abcdefghij"
DIGITS = "0123456789"
CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
PALEST = 0.85  # how far towards white a pure guess is drawn
SURE, LEANING = 0.6, 0.25  # shares of the way from a guess (1/K) to certainty


def certainty(confidence, classes):
    """How far `confidence` is from a guess (1/K, → 0) to certainty (1, → 1)."""
    guess = 1.0 / classes
    return np.clip((np.asarray(confidence, dtype=float) - guess) / (1.0 - guess), 0.0, 1.0)


class ClassPicture:
    """The class map as a Rich renderable: colour half-blocks or letters, chosen at print time."""

    def __init__(self, predicted, sureness, marks):
        self.predicted = np.asarray(predicted, dtype=int)
        self.sureness = np.asarray(sureness, dtype=float)
        self.marks = marks  # (row, col) → (class, held_out)

    def _in_colour(self, console):
        return not console.no_color and console.color_system is not None

    def __rich_measure__(self, console, options):
        width = self.predicted.shape[1] * (1 if self._in_colour(console) else 2)
        return Measurement(width, width)

    def __rich_console__(self, console, options):
        draw = self._half_blocks if self._in_colour(console) else self._letters
        for line in draw():
            yield from line
            yield Segment.line()

    def _colour(self, row, col):
        r, g, b = COLOURS[self.predicted[row, col] % len(COLOURS)]
        pale = PALEST * (1.0 - self.sureness[row, col])
        return tuple(round(c + (255 - c) * pale) for c in (r, g, b))

    def _half_blocks(self):
        rows, cols = self.predicted.shape
        for top in range(0, rows, 2):
            line = []
            for col in range(cols):
                upper = self._colour(top, col)
                lower = self._colour(top + 1, col) if top + 1 < rows else None
                marked = next(((r, col) for r in (top, top + 1) if (r, col) in self.marks), None)
                if marked:
                    label, held_out = self.marks[marked]
                    line.append(Segment(_mark(label, held_out), _mark_style(self._colour(*marked))))
                else:
                    line.append(Segment("▀", Style(color=_rgb(upper), bgcolor=_rgb(lower) if lower else None)))
            yield line

    def _letters(self):
        rows, cols = self.predicted.shape
        for row in range(rows):
            line = []
            for col in range(cols):
                letter = LETTERS[self.predicted[row, col] % len(LETTERS)]
                sure = self.sureness[row, col]
                pixel = letter * 2 if sure >= SURE else (letter + " " if sure >= LEANING else "  ")
                if (row, col) in self.marks:
                    label, held_out = self.marks[(row, col)]
                    pixel = _mark(label, held_out) + pixel[1]
                line.append(Segment(pixel))
            yield line


def _mark(label, held_out):
    return (CIRCLED if held_out else DIGITS)[label % 10]


def _rgb(colour):
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _mark_style(background):
    r, g, b = background
    brightness = 0.299 * r + 0.587 * g + 0.114 * b
    return Style(color="#000000" if brightness > 128 else "#ffffff", bgcolor=_rgb(background), bold=True)


@draws(ClassMap)
def draw_class_map(numbers, width):
    marks = spaced_marks(numbers)
    picture = ClassPicture(numbers.predicted, certainty(numbers.confidence, numbers.classes), marks)
    x, y = numbers.x, numbers.y
    return Group(
        title(f"Decision regions: the class the network predicts over the plane ({numbers.classes} classes)"),
        Axes(picture, (x[0], x[-1]), (y[-1], y[0]), "x₁", "x₂"),
        legend(_key(numbers.classes), "deep: sure; 0 1 … learned from, ⓪ ① … held out"),
    )


def _key(classes):
    """One swatch per class: its colour (or letter) and its digit."""
    key = Table.grid(padding=(0, 1))
    cells = []
    for k in range(classes):
        colour = _rgb(COLOURS[k % len(COLOURS)])
        cells.append(Text.assemble(("██", colour), f" {LETTERS[k % 10]}={DIGITS[k % 10]}"))
    key.add_row(*cells)
    return key


@draws(ClassAnswers)
def draw_answers(numbers, width):
    """One row per input: the predicted class and how sure the network is of it."""
    table = Table()
    table.add_column("input")
    table.add_column("prediction", justify="right")
    table.add_column("confidence", justify="right")
    for row in numbers.rows:
        inputs = ", ".join(f"{v:g}" for v in row["input"])
        prediction = inert(row["prediction"])  # a class name from a file: shown inert
        table.add_row(Text(inputs), Text(prediction), f"{row['confidence']:.2%}")
    return table
