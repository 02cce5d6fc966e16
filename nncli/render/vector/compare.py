"""`nncli compare` in vector: every run's training loss per epoch (and its validation loss,
where the task has some) as lines of its own colour and dash, and the table of how each
run ended."""

import math

from nncli.render.compare import _label
from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot, tick_label
from nncli.views.compare import Comparison

WIDTH = 1300  # the figure's width: the charts share it, side by side
CHART_TOP, CHART_HEIGHT = 80, 380
ROW = 30  # the table's line height


@draws(Comparison)
def draw_comparison(numbers):
    labels = [_label(numbers, row) for row in numbers.runs]
    kinds = [("loss", "Training loss")]
    if any(value is not None for curve in numbers.curves for value in curve["val_loss"]):
        kinds.append(("val_loss", "Validation loss"))
    title = f"{numbers.task}: {', '.join(numbers.varied)} compared"
    figure = Figure(WIDTH, 560 + ROW * (len(numbers.runs) + 2), title)
    figure.text(figure.width / 2, 26, title, 22, "middle")
    share = WIDTH / len(kinds)
    for k, (key, name) in enumerate(kinds):
        chart(figure, numbers, labels, key, name, (k * share + 100, CHART_TOP, share - 140, CHART_HEIGHT))
    table(figure, numbers, labels, 560)
    return figure.svg()


def chart(figure, numbers, labels, key, name, box):
    """One chart of every run's `key` losses in `box` (left, top, width, height)."""
    values = [v for curve in numbers.curves for v in curve[key] if v is not None and math.isfinite(v)]
    left, top, width, height = box
    figure.text(left + width / 2, top - 14, name, 20, "middle")
    if not values:
        figure.text(left + width / 2, top + height / 2, "no loss recorded", 19, "middle", "faint")
        return
    low, high = min(values), max(values)
    log_y = low > 0 and high / low > 100
    y_range = (low, high) if log_y else (min(0.0, low), high)
    plot = Plot(figure, box, (0, max(numbers.epochs, 1)), y_range, "epoch", "loss" + (" (log)" if log_y else ""), log_y)
    plot.axes()
    for k, curve in enumerate(numbers.curves):
        plot.line(curve["epochs"], curve[key], k)
    plot.key(labels)


def table(figure, numbers, labels, top):
    """A row per run: its settings, how it ended, its losses and the task's metric."""
    metric = numbers.metric
    heads = ["run", "status", "training loss", "held-out loss", *([metric] if metric else []), "epochs"]
    xs = [40, 360, 560, 760, 960, 1160][: len(heads)]
    for x, head in zip(xs, heads):
        figure.text(x, top, head, 18, cls="faint")
    for k, (row, label) in enumerate(zip(numbers.runs, labels)):
        y = top + ROW * (k + 1)
        cells = [label, row["status"], number(row["loss"]), number(row["test_loss"])]
        if metric:
            value = row.get(metric)
            cells.append(f"{value:.1%}" if metric == "accuracy" and value is not None else number(value))
        cells.append("—" if row["epochs"] is None else f"{row['epochs']:,}")
        for x, cell in zip(xs, cells):
            figure.text(x, y, cell, 18)


def number(value):
    return "—" if value is None else tick_label(value)
