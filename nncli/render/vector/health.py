"""The health view in vector: each layer's gradient std over the epochs, one line per layer
on a log scale, and the layers' profile at the last epoch — the update ratio placed on its
scale beside the healthy 10⁻³."""

import math

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot, series_key, tick_label
from nncli.views.health import HEALTHY_RATIO, HealthView

RATIO_SCALE = (-7.0, 1.0)  # the update ratio's bar, in powers of ten


@draws(HealthView)
def draw_health(view):
    title = "Gradient std per layer, over training"
    if not view.epochs:
        figure = Figure(900, 120, title)
        figure.text(450, 26, title, 22, "middle")
        note = "this model has no layer statistics (the scalar engine, or an older nncli, measured none)"
        figure.text(450, 80, note, 18, "middle", "faint")
        return figure.svg()
    names = [f"hidden {i}" for i in range(1, len(view.layers))] + ["output"]
    rows = len(view.layers)
    key_rows = math.ceil(rows / 3)
    table_top = 560 + 26 * key_rows
    figure = Figure(1000, table_top + 40 + 30 * rows + 80, title)
    figure.text(500, 26, title + " (log scale)", 22, "middle")
    low, high = view.log_range
    if high - low < 1:  # at least one power of ten, so the ticks have a decade to mark
        low, high = (low + high) / 2 - 0.5, (low + high) / 2 + 0.5
    plot = Plot(figure, (150, 50, 800, 400), (view.epochs[0], max(view.epochs[-1], view.epochs[0] + 1)),
                (10**low, 10**high), "epoch", "gradient std", log_y=True)  # fmt: skip
    plot.axes()
    for k, line in enumerate(view.grad_std):
        plot.line(view.epochs, line, k)
    series_key(figure, [f"{n} ({a})" for n, a in zip(names, view.activations)], 120, 530, key_rows, 300)
    profile(figure, view, names, table_top)
    return figure.svg()


COLUMNS = (("layer", 20, "start"), ("activation", 150, "start"), ("mean ± std", 400, "end"),
           ("saturated", 520, "end"), ("grad std", 640, "end"), ("update ratio (log₁₀)", 680, "start"))  # fmt: skip


def profile(figure, view, names, top):
    """The layers at the last epoch, one row each."""
    figure.text(20, top, f"The layers at epoch {view.epochs[-1]:,}", 19)
    for heading, x, anchor in COLUMNS:
        figure.text(x, top + 30, heading, 17, anchor, "faint")
    for k, (name, activation, stats) in enumerate(zip(names, view.activations, view.final)):
        y = top + 60 + 30 * k
        mean, std = stats["act_mean"], stats["act_std"]
        cells = [
            name,
            activation,
            "–" if mean is None else f"{tick_label(mean)} ± {tick_label(std)}",
            "–" if stats["saturated"] is None else f"{stats['saturated']:.0%}",
            "–" if stats["grad_std"] is None else tick_label(stats["grad_std"]),
        ]
        for text, (_, x, anchor) in zip(cells, COLUMNS):
            figure.text(x, y, text, 17, anchor)
        ratio_bar(figure, stats["update_ratio"], 680, y)
    notes = ["update ratio: the size of a step over the size of the weights; | marks a healthy 10⁻³"]
    if view.gradient_ratio is not None:
        notes.append(f"first layer's gradient std / last layer's: {tick_label(view.gradient_ratio)}")
    for k, note in enumerate(notes):
        figure.text(20, top + 60 + 30 * len(names) + 24 * k, note, 16, cls="faint")


def ratio_bar(figure, ratio, x, y, width=200):
    """Where the ratio lies on RATIO_SCALE, the healthy −3 marked; the value written after."""
    low, high = RATIO_SCALE
    figure.add(f'<path class="tick" d="M{x},{y - 5} h{width}"/>')
    healthy = x + (HEALTHY_RATIO - low) / (high - low) * width
    figure.add(f'<path class="axis" d="M{healthy:.1f},{y - 13} v16"/>')
    if ratio is None or not math.isfinite(ratio):
        return
    at = x + (min(max(ratio, low), high) - low) / (high - low) * width
    figure.add(f'<circle cx="{at:.1f}" cy="{y - 5}" r="6" class="mark" fill="var(--s1)"/>')
    figure.text(x + width + 14, y, f"{ratio:+.1f}", 17)
