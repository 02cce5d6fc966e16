"""Drawing the loss per epoch."""

import math

from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.charts import Series, line_chart
from nncli.views.loss import LossHistory

GUTTER = 8  # the widest y label a loss gets (-1.23e-5): the chart keeps its place as labels change
STYLES = {"loss": "cyan", "val_loss": "magenta", "train_accuracy": "cyan", "val_accuracy": "magenta"}


CHART_LINES = 18  # lines of a chart drawn without a height (nncli visualize)


@draws(LossHistory, smallest=(30, 9), preferred=(70, 18))
def draw_loss(numbers, width, height=None):
    """The training (and validation) loss per epoch; log-scaled when every value is
    positive, so the long tail of small gains stays visible. Beside it (or, where the width
    is short, below it), while training a classifier, its accuracy per epoch. `height`: the
    lines it may take."""
    lines = height or CHART_LINES
    if not numbers.accuracy:
        return loss_chart(numbers, width, lines)
    half = (width - 3) // 2
    if half >= 30:
        both = Table.grid(padding=(0, 3))
        both.add_row(loss_chart(numbers, half, lines), accuracy_chart(numbers, half, lines))
        return both
    # One above the other: the epoch axis named once, and one legend for both ("training", "validation").
    upper = lines // 2
    return Group(
        loss_chart(numbers, width, upper, x_label=None, legend=False),
        accuracy_chart(numbers, width, lines - upper, short_names=True),
    )


def accuracy_chart(numbers, width, lines, short_names=False):
    series = [
        Series(
            s["name"].split()[0] if short_names else s["name"],
            s["epochs"],
            [100 * v for v in s["values"]],
            STYLES.get(s["key"], "cyan"),
        )
        for s in numbers.accuracy
    ]
    return line_chart(
        series,
        width=max(10, min(60, width - GUTTER - 2)),
        lines=lines,
        title="Accuracy per epoch (%)",
        x_label="epoch",
        x_integer=True,
        gutter=GUTTER,
        x_range=_x_range(numbers),
    )


def loss_chart(numbers, width, lines, x_label="epoch", legend=True):
    series = [Series(s["name"], s["epochs"], s["values"], STYLES.get(s["key"], "cyan")) for s in numbers.series]
    if not series:
        return Text("this model file has no loss history", style="dim")
    finite = [v for s in series for v in s.y if v is not None and math.isfinite(v)]
    log_y = bool(finite) and min(finite) > 0
    ys = [[math.nan if v is None else v for v in s.y] for s in series]
    series = [Series(s.name, s.x, y, s.style) for s, y in zip(series, ys)]
    return line_chart(
        series,
        width=max(10, min(60, width - GUTTER - 2)),
        lines=lines,
        title="Loss per epoch" + (" (log scale)" if log_y else ""),
        x_label=x_label,
        legend=legend,
        log_y=log_y,
        x_integer=True,
        gutter=GUTTER,
        x_range=_x_range(numbers),
    )


def _x_range(numbers):
    """Epoch 1 to the run's last, so that a curve drawn while training grows rightwards."""
    return (1, numbers.epochs) if numbers.epochs > 1 else None
