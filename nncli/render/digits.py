"""Pictures of digit classifiers: sample predictions, the confusion matrix, the
most-confused pairs, a gallery of mistakes, and what each first-layer neuron looks for.

Images are drawn with `heatmap.grayscale_image` (and weights with the diverging palette,
blue negative and red positive), so without colour they fall back to ` ░▒▓█` glyphs.
"""

import math

import numpy as np
from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import Grid, TextLines
from nncli.render.heatmap import grayscale_image, heatmap, in_colour
from nncli.render.numbers import format_percent, format_value
from nncli.render.tables import metrics_table
from nncli.text import markup_safe
from nncli.views.digits import Evaluation, Filters, Predictions, Samples, Scores

PAIRS = 5  # most-confused pairs listed


def image_shape(width):
    """(side, side) for a square image of `width` pixels, else None (nothing to draw)."""
    side = math.isqrt(width)
    return (side, side) if side * side == width else None


def tile(pixels, caption, *, vmax=None, style=""):
    """One small image with a caption above it."""
    pixels = np.asarray(pixels, dtype=float)
    shape = image_shape(pixels.size)
    return Group(Text(caption, style=style), grayscale_image(pixels.reshape(shape), vmin=0, vmax=vmax))


def grid(tiles):
    return Columns(tiles, padding=(0, 2))


# --- the views ---------------------------------------------------------------------------


@draws(Samples, smallest=(34, 12), preferred=(76, 14))
def draw_samples(numbers, width, height=None):
    """Held-out digits, each with what the network says about it; `height` given, as many
    as fit width × height."""
    if numbers.side is None:
        return Text("the inputs are not a square image: no digits to draw", style="dim")
    tiles = [
        prediction_tile(pixels, {"prediction": p, "confidence": c}, label=label, vmax=1.0, fit=height is not None)
        for pixels, label, p, c in zip(numbers.images, numbers.labels, numbers.predictions, numbers.confidences)
    ]
    if height is None:
        return Group(Text("Held-out digits, and what the network says:", style="bold"), grid(tiles))
    head = Text("Held-out digits, as the network reads them", style="bold", no_wrap=True, overflow="ellipsis")
    return Group(head, *fitted_grid(tiles, SAMPLE_TILE, width, height - 1, len(tiles), "digits"))


SAMPLE_TILE = (14, 5)  # columns × lines of a digit in a cell: "✗ 3 97%, is 5" over an 8×8 image
FILTER_TILE = (8, 5)  # … and of a filter: "#12" over an 8×8 image


def fitted_grid(tiles, size, width, height, total, what):
    """[the tiles that fit width × height in rows, each size (columns, lines)] — and a
    line saying how many of the `total` `what` are shown, if not all of them."""
    columns, lines = size
    per_row = max(1, (width + 2) // (columns + 2))
    fits = per_row * max(1, height // lines)
    if fits >= total:
        return [Grid(tiles, columns, per_row)]
    fits = min(len(tiles), per_row * max(1, (height - 1) // lines))
    return [Grid(tiles[:fits], columns, per_row), Text(f"{fits} of {total} {what} shown", style="dim")]


@draws(Scores)
def draw_scores(numbers, width):
    table = Table(title=numbers.title, show_header=False)
    table.add_column("")
    table.add_column("", justify="right")
    for name, value, kind in numbers.rows:
        text = format_percent(value) if kind == "percent" else format_value(value) if kind == "loss" else str(value)
        if kind == "text":
            text = markup_safe(text, 1000)  # e.g. the data's source: may hold a file's name
        table.add_row(f"[bold]{name}[/]" if kind == "percent" and name.startswith("held-out") else name, text)
    return table


@draws(Filters, smallest=(30, 12), preferred=(80, 22))
def draw_filters(numbers, width, height=None):
    """What each first-layer neuron looks for; `height` given, as many as fit."""
    drawn = filters_view(numbers.weights, total=numbers.total) if numbers.side else []
    if not drawn:
        return Text("the inputs are not a square image: no filters to draw", style="dim")
    if height is None:
        return Group(*drawn)
    head, key, tiles = drawn
    side = image_shape(len(numbers.weights[0]))[0]
    tiles = [fitted_tile(tile, side) for tile in tiles.renderables]
    head = Text("What the first layer looks for", style="bold", no_wrap=True, overflow="ellipsis")
    return Group(head, *fitted_grid(tiles, FILTER_TILE, width, height - 1, numbers.total, "neurons"))


def prediction_tile(pixels, row, label=None, vmax=None, fit=False):
    """A digit captioned with the prediction (✓ or ✗, and the true label); `fit`: drawn at
    most 8 pixels across, for the live panel's cells."""
    caption = f"{row['prediction']} {row['confidence']:.0%}"
    if label is None:
        drawn = tile(pixels, caption, vmax=vmax)
    elif row["prediction"] == label:
        drawn = tile(pixels, f"✓ {caption}", vmax=vmax, style="green")
    else:
        drawn = tile(pixels, f"✗ {caption}, is {label}", vmax=vmax, style="bold red")
    return fitted_tile(drawn, image_shape(np.asarray(pixels).size)[0]) if fit else drawn


def fitted_tile(tile, side, pixels=8):
    """`tile` (a caption over a picture) with its picture scaled to `pixels` across."""
    caption, picture = tile.renderables
    picture.fit(pixels, pixels // 2)
    return tile


# --- nncli predict -----------------------------------------------------------------------


@draws(Predictions)
def draw_predictions(numbers, width):
    """Each input drawn as an image with the digit the network sees and how sure it is,
    and a table of the probabilities."""
    rows = numbers.rows
    table = Table(title="what the network sees")
    table.add_column("#", justify="right")
    table.add_column("prediction", justify="center")
    table.add_column("confidence", justify="right")
    table.add_column("runner-up", justify="right")
    for number, row in enumerate(rows, start=1):
        order = np.argsort(row["probabilities"])[::-1]
        runner_up = int(order[1])
        table.add_row(
            str(number),
            f"[bold]{row['prediction']}[/]",
            f"{row['confidence']:.2%}",
            f"{runner_up} ({row['probabilities'][runner_up]:.2%})",
        )
    if numbers.side is None:
        return table
    tiles = [
        prediction_tile(row["input"], {**row, "prediction": f"#{n}: {row['prediction']}"})
        for n, row in enumerate(rows, start=1)
    ]
    return Group(grid(tiles), table)


# --- nncli evaluate ----------------------------------------------------------------------


@draws(Evaluation, smallest=(40, 12), preferred=(46, 12))
def draw_evaluation(numbers, width, height=None):
    """Metrics, per-class precision and recall, the confusion matrix, the pairs most often
    confused, and a gallery of the mistakes the network was surest about — or, compact
    (`height` given: the live panel), the confusion matrix alone."""
    confusion = np.asarray(numbers.confusion)
    if height is not None:
        return confusion_grid(confusion, numbers.metrics.get("accuracy"))
    views = [
        metrics_table(None, numbers.metrics),
        class_table(confusion, numbers.precision, numbers.recall),
        confusion_table(confusion),
    ]
    pairs = confused_pairs(confusion)
    if pairs is not None:
        views.append(pairs)
    mistakes = numbers.mistakes
    if mistakes:
        views.append(
            Text(
                f"The mistakes it was surest about ({len(mistakes)} of {numbers.misclassified}): "
                "true label → prediction, confidence",
                style="bold",
            )
        )
        views.append(gallery(mistakes))
    return Group(*views)


def class_table(confusion, precision, recall):
    table = Table(title="per class")
    for name in ("digit", "precision", "recall", "examples"):
        table.add_column(name, justify="right")
    support = confusion.sum(axis=1)
    for digit, (p, r, n) in enumerate(zip(precision, recall, support)):
        table.add_row(str(digit), f"{p:.2%}", _coloured_rate(r), str(n))
    return table


def _coloured_rate(rate):
    style = "green" if rate >= 0.98 else "yellow" if rate >= 0.9 else "red"
    return f"[{style}]{rate:.2%}[/]"


def confusion_table(confusion):
    """The confusion matrix, rows the true digit and columns the prediction: right answers
    (the diagonal) in green, mistakes in red — on a red background when they are at least
    5 % of the row."""
    table = Table(title="confusion matrix (rows: true digit, columns: prediction)")
    table.add_column("true", justify="right", style="bold")
    for digit in range(len(confusion)):
        table.add_column(str(digit), justify="right")
    table.add_column("total", justify="right", style="dim")
    for true, row in enumerate(confusion):
        total = row.sum()
        cells = []
        for predicted, count in enumerate(row):
            if count == 0:
                cells.append(Text("·", style="dim"))
            elif predicted == true:
                cells.append(Text(str(count), style="bold green"))
            else:
                cells.append(Text(str(count), style="bold white on red" if count >= 0.05 * total else "bold red"))
        table.add_row(str(true), *cells, str(total))
    return table


def confusion_grid(confusion, accuracy=None):
    """The confusion matrix as plain lines of text (cheap enough to redraw ten times a
    second): right answers in green, mistakes in red, nothing as a dim dot."""
    cell = max(3, len(str(int(confusion.max(initial=0)))) + 1)
    head = "Confusion, held-out" + (f" ({accuracy:.2%} right)" if accuracy is not None else "")
    lines = [Text(head, style="bold"), Text("true↓ " + "".join(f"{d:>{cell}}" for d in range(len(confusion))), "dim")]
    for true, row in enumerate(confusion):
        line = Text(f"{true:>5} ", style="dim")
        for predicted, count in enumerate(row):
            style = "dim" if count == 0 else "green" if predicted == true else "bold red"
            line.append(f"{'·' if count == 0 else count:>{cell}}", style)
        lines.append(line)
    return TextLines(lines, overflow="fold")


def confused_pairs(confusion, top=PAIRS):
    """The (true, predicted) pairs the network mixes up most often, or None if it makes
    no mistakes."""
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(-off, axis=None, kind="stable")[:top]
    pairs = [(int(i) // len(off), int(i) % len(off)) for i in order if off.flat[i] > 0]
    if not pairs:
        return None
    table = Table(title="most confused")
    table.add_column("true", justify="center")
    table.add_column("taken for", justify="center")
    table.add_column("times", justify="right")
    table.add_column("of that digit", justify="right")
    for true, predicted in pairs:
        count, total = confusion[true, predicted], confusion[true].sum()
        table.add_row(str(true), str(predicted), str(count), f"{count / total:.1%}")
    return table


def gallery(mistakes):
    """The misclassified images, captioned "true → predicted confidence"."""
    tiles = [
        tile(m["pixels"], f"{m['label']} → {m['prediction']} {m['confidence']:.0%}", style="red") for m in mistakes
    ]
    return grid(tiles)


# --- nncli inspect weights ---------------------------------------------------------------


def filters_view(weight, limit=None, total=None):
    """Each first-layer neuron's weights drawn as an image the size of the input: red
    where ink excites the neuron, blue where it inhibits it — what the neuron looks for.

    `weight` is the first Linear layer's (neurons, pixels) matrix; `limit` draws only the
    first that many neurons. Returns [] if the inputs are not a square image.
    """
    weight = np.asarray(weight, dtype=float)
    shape = image_shape(weight.shape[1])
    if shape is None:
        return []
    shown = weight[:limit] if limit else weight
    total = total or len(weight)
    tiles = [Group(Text(f"#{n}", style="dim"), heatmap(w.reshape(shape))) for n, w in enumerate(shown, start=1)]
    head = f"What each first-layer neuron looks for: its {shape[0]}×{shape[1]} weights"
    if len(shown) < total:
        head += f" (the first {len(shown)} of {total})"
    return [Text(head, style="bold"), FILTER_KEY, grid(tiles)]


class ColourKey:
    """A legend line that matches how the picture beside it is drawn: the colour key on a
    colour terminal, the glyph key without colour — never both at once."""

    def __init__(self, colour, glyphs):
        self.colour, self.glyphs = colour, glyphs

    def __rich_console__(self, console, options):
        yield Text(self.colour if in_colour(console) else self.glyphs, style="dim")


FILTER_KEY = ColourKey(
    "red: ink there excites the neuron · blue: ink there inhibits it · white: no effect",
    "█: ink there excites the neuron · blank: ink there inhibits it · ▒: no effect",
)
