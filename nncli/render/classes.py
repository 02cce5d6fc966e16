"""Drawing a K-class map: each part of the plane in its predicted class's colour, pale
where the network is unsure, deep where it is sure, with the points on top.

In colour, two pixels share a character cell (the upper-half block ▀, as in heatmaps).
Without colour, each pixel is two columns: the class's letter twice where the network is
sure, once where it leans, blank where it is near a guess — so the boundaries show as
blank bands. Points are marked by their class's digit: plain for the points learned
from, circled for the held-out ones.
"""

import functools

import numpy as np
from rich.console import Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import Axes, Row, legend, title
from nncli.render.heatmap import fitted_shape, in_colour, marked_cells, merged_runs, resample, resample_marks, runs
from nncli.render.plane import AROUND_PLANE, plane_side, spaced_marks
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
SHADES = 16  # steps from a class's deepest colour to its palest
SURE, LEANING = 0.6, 0.25  # shares of the way from a guess (1/K) to certainty


def certainty(confidence, classes):
    """How far `confidence` is from a guess (1/K, → 0) to certainty (1, → 1)."""
    guess = 1.0 / classes
    return np.clip((np.asarray(confidence, dtype=float) - guess) / (1.0 - guess), 0.0, 1.0)


class ClassPicture:
    """The class map as a Rich renderable: colour half-blocks or letters, chosen at print
    time (letters on a 16-colour terminal too: its colours cannot show sureness)."""

    def __init__(self, predicted, sureness, marks):
        self.predicted = np.asarray(predicted, dtype=int)
        self.sureness = np.asarray(sureness, dtype=float)
        self.marks = marks  # (row, col) → (class, held_out)
        self.box = None  # (columns, lines) to fit into, if told
        self.drawn = {}  # colour or not → the lines: Rich asks for them again for each measure

    def fit(self, columns, lines):
        """Draw the map scaled to fill at most `columns` × `lines`, its pixels square."""
        self.box = (columns, lines)
        return self

    def width(self, console):
        """The columns the map takes on `console`."""
        colour = in_colour(console)
        return fitted_shape(self.predicted.shape, self.box, colour)[1] * (1 if colour else 2)

    def __rich_measure__(self, console, options):
        width = self.width(console)
        return Measurement(width, width)

    def __rich_console__(self, console, options):
        for line in self.drawn_lines(console):
            yield from line
            yield Segment.line()

    def drawn_lines(self, console):
        """The map drawn for `console`, as lines of Segments (each as wide as the map),
        drawn once for each kind of console: what its axes take as they are."""
        colour = in_colour(console)
        if colour not in self.drawn:
            shape = fitted_shape(self.predicted.shape, self.box, colour)
            predicted, sureness = resample(self.predicted, shape), resample(self.sureness, shape)
            marks = resample_marks(self.marks, self.predicted.shape, shape)
            draw = _half_blocks if colour else _letters
            self.drawn[colour] = list(draw(predicted, sureness, marks))
        return self.drawn[colour]


def _half_blocks(predicted, sureness, marks):
    rows, cols = predicted.shape
    paleness = np.round((1.0 - sureness) * SHADES).astype(int)  # a few steps: styles are then reused
    kinds = predicted % len(COLOURS)
    codes = kinds * (SHADES + 1) + paleness  # one number for a pixel's colour, -1 for none
    if rows % 2:
        codes = np.vstack([codes, np.full((1, cols), -1)])
    marked = marked_cells(marks, rows, cols)
    for top in range(0, rows, 2):
        line = []
        for start, stop in runs(codes[top], codes[top + 1], marked[top // 2]):
            upper = (int(kinds[top, start]), int(paleness[top, start]))
            lower = (int(kinds[top + 1, start]), int(paleness[top + 1, start])) if top + 1 < rows else None
            if marked[top // 2, start]:
                row = top if (top, start) in marks else top + 1
                label, held_out = marks[(row, start)]
                line.append(Segment(_mark(label, held_out), _mark_style(_colour(*(upper if row == top else lower)))))
            else:
                line.append(Segment("▀" * (stop - start), _block_style(upper, lower)))
        yield line


def _letters(predicted, sureness, marks):
    rows, cols = predicted.shape
    for row in range(rows):
        line = []
        for col in range(cols):
            letter = LETTERS[predicted[row, col] % len(LETTERS)]
            sure = sureness[row, col]
            pixel = letter * 2 if sure >= SURE else (letter + " " if sure >= LEANING else "  ")
            if (row, col) in marks:
                label, held_out = marks[(row, col)]
                pixel = _mark(label, held_out) + pixel[1]
            line.append(Segment(pixel))
        yield merged_runs(line)


def _colour(kind, paleness):
    """A class's colour, paled towards white by `paleness` steps of SHADES."""
    pale = PALEST * paleness / SHADES
    return tuple(round(c + (255 - c) * pale) for c in COLOURS[kind])


@functools.lru_cache(maxsize=4096)
def _block_style(upper, lower):
    return Style(color=_rgb(_colour(*upper)), bgcolor=_rgb(_colour(*lower)) if lower else None)


def _mark(label, held_out):
    return (CIRCLED if held_out else DIGITS)[label % 10]


def _rgb(colour):
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _mark_style(background):
    r, g, b = background
    brightness = 0.299 * r + 0.587 * g + 0.114 * b
    return Style(color="#000000" if brightness > 128 else "#ffffff", bgcolor=_rgb(background), bold=True)


@draws(ClassMap, smallest=(26, 12), preferred=(52, 22), resolution=plane_side)
def draw_class_map(numbers, width, height=None):
    """The regions of the plane by predicted class; `height` given, fitted into width ×
    height."""
    marks = spaced_marks(numbers)
    picture = ClassPicture(numbers.predicted, certainty(numbers.confidence, numbers.classes), marks)
    x, y = numbers.x, numbers.y
    axes = Axes(picture, (x[0], x[-1]), (y[-1], y[0]), "x₁", "x₂")
    if height is None:
        head = f"Decision regions: the class the network predicts over the plane ({numbers.classes} classes)"
        return Group(title(head), axes, legend(_key(numbers.classes), "deep: sure; 0 1 … learned from, ⓪ ① … held out"))
    picture.fit(width - axes.gutter(), height - AROUND_PLANE)
    return Group(title(f"Decision regions ({numbers.classes} classes)"), axes, _key(numbers.classes))


@functools.lru_cache(maxsize=16)
def _key(classes):
    """One swatch per class: its colour (or letter) and its digit — one Row for each
    count of classes, drawn once for the frames of a live panel."""
    swatches = [
        Text.assemble(("██", _rgb(COLOURS[k % len(COLOURS)])), f" {LETTERS[k % 10]}={DIGITS[k % 10]}")
        for k in range(classes)
    ]
    return Row(*swatches)


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
