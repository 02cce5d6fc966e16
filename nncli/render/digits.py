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

from nncli.render.heatmap import grayscale_image, heatmap
from nncli.render.tables import metrics_table
from nncli.text import markup_safe

SAMPLES = 10  # held-out digits shown after training: the first of each class …
LARGE_SAMPLES = 4  # … or of the first few classes, for images larger than 8×8
LARGE_GALLERY = 6  # mistakes drawn by `evaluate` for images larger than 8×8
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


# --- after training ----------------------------------------------------------------------


def training_view(task, outcome):
    """What `nncli train digits` shows: how well the network does, and a few held-out
    digits with what it says about them."""
    summary = outcome.summary
    table = Table(title=f"{task.name}: what the network learned", show_header=False)
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("[bold]held-out accuracy[/]", f"[bold]{summary['accuracy']:.2%}[/]")
    table.add_row("training accuracy", f"{summary['train_accuracy']:.2%}")
    table.add_row("training loss", f"{summary['loss']:.4f}")
    if "val_loss" in summary:
        table.add_row("validation loss", f"{summary['val_loss']:.4f}")
    table.add_row("held-out loss", f"{summary['test_loss']:.4f}")
    epochs = f"{summary['epochs']:,}"
    if summary.get("stopped_early"):
        epochs += f" (stopped early; weights of epoch {summary['best_epoch']})"
    table.add_row("epochs", epochs)
    table.add_row("data", markup_safe(outcome.dataset.source, 1000))
    dataset = outcome.dataset
    if image_shape(dataset.X_test.shape[1]) is None:
        return [table]
    count = SAMPLES if dataset.X_test.shape[1] <= 64 else LARGE_SAMPLES
    first = [int(np.flatnonzero(dataset.y_test == label)[0]) for label in np.unique(dataset.y_test)[:count]]
    rows = task.predict(outcome.network, dataset.X_test[first], {"input_scaling": None})
    tiles = [
        prediction_tile(dataset.X_test[i], row, label=int(dataset.y_test[i]), vmax=1.0) for i, row in zip(first, rows)
    ]
    return [table, Text("Held-out digits, and what the network says:", style="bold"), grid(tiles)]


def prediction_tile(pixels, row, label=None, vmax=None):
    caption = f"{row['prediction']} {row['confidence']:.0%}"
    if label is None:
        return tile(pixels, caption, vmax=vmax)
    if row["prediction"] == label:
        return tile(pixels, f"✓ {caption}", vmax=vmax, style="green")
    return tile(pixels, f"✗ {caption}, is {label}", vmax=vmax, style="bold red")


# --- nncli predict -----------------------------------------------------------------------


def predictions_view(rows):
    """Each input drawn as an image with the digit the network sees and how sure it is,
    and a table of the probabilities."""
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
    if image_shape(len(rows[0]["input"])) is None:
        return [table]
    tiles = [
        prediction_tile(row["input"], {**row, "prediction": f"#{n}: {row['prediction']}"})
        for n, row in enumerate(rows, start=1)
    ]
    return [grid(tiles), table]


# --- nncli evaluate ----------------------------------------------------------------------

LISTS = ("confusion", "precision", "recall", "mistakes")


def evaluation_view(metrics):
    """Metrics, per-class precision and recall, the confusion matrix, the pairs most often
    confused, and a gallery of the mistakes the network was surest about."""
    confusion = np.asarray(metrics["confusion"])
    scalars = {k: v for k, v in metrics.items() if k not in LISTS}
    views = [
        metrics_table(None, scalars),
        class_table(confusion, metrics["precision"], metrics["recall"]),
        confusion_table(confusion),
    ]
    pairs = confused_pairs(confusion)
    if pairs is not None:
        views.append(pairs)
    mistakes = metrics["mistakes"]
    if mistakes:
        mistakes = mistakes[:LARGE_GALLERY] if len(mistakes[0]["pixels"]) > 64 else mistakes
        views.append(
            Text(
                f"The mistakes it was surest about ({len(mistakes)} of {metrics['misclassified']}): "
                "true label → prediction, confidence",
                style="bold",
            )
        )
        views.append(gallery(mistakes))
    return views


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


def filters_view(weight, limit=None):
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
    tiles = [Group(Text(f"#{n}", style="dim"), heatmap(w.reshape(shape))) for n, w in enumerate(shown)]
    head = f"What each first-layer neuron looks for: its {shape[0]}×{shape[1]} weights"
    if len(shown) < len(weight):
        head += f" (the first {len(shown)} of {len(weight)})"
    legend = "red/█: ink there excites the neuron · blue/blank: ink there inhibits it"
    return [Text(head, style="bold"), Text(legend, style="dim"), grid(tiles)]
