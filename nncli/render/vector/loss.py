"""The loss per epoch in vector: one line per series, on a log scale when it spans more
than two decades."""

import math

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot
from nncli.views.loss import LossHistory


@draws(LossHistory)
def draw_loss(numbers):
    figure = Figure(900, 560, "Loss per epoch")
    figure.text(450, 26, "Loss per epoch", 22, "middle")
    values = [v for s in numbers.series for v in s["values"] if v is not None and math.isfinite(v)]
    if not values:
        figure.text(450, 280, "no loss recorded yet", 19, "middle", "faint")
        return figure.svg()
    low, high = min(values), max(values)
    log_y = low > 0 and high / low > 100
    last = max([numbers.epochs, *(e for s in numbers.series for e in s["epochs"])], default=1)
    plot = Plot(figure, (100, 50, 760, 420), (0, max(last, 1)), (low, high) if log_y else (min(0.0, low), high),
                "epoch", "loss" + (" (log scale)" if log_y else ""), log_y)  # fmt: skip
    plot.axes()
    for k, series in enumerate(numbers.series):
        plot.line(series["epochs"], series["values"], k)
    plot.key([s["name"] for s in numbers.series])
    return figure.svg()
