"""Pictures of a function approximation: the target against the network, the error, and
— with the neurons shown — each neuron's own curve, the curve being built neuron by
neuron, and a table of every neuron's weights and switch point."""

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.charts import Series, line_chart
from nncli.render.numbers import format_number
from nncli.views.curve import CurveFit, NeuronCurves

WIDTH, HEIGHT = 64, 16
STAGE_STYLES = ("blue", "magenta", "yellow", "cyan")
MAX_TABLE_ROWS = 100


@draws(CurveFit)
def draw_fit(numbers, width, height=None):
    """The target and the network's curve, the error between them, and its size (compact,
    for the live panel: the two curves and the error's size)."""
    x, target, output = (np.asarray(values) for values in (numbers.x, numbers.target, numbers.output))
    title = f"{numbers.formula} and a network of {numbers.description}"
    fit = line_chart(
        [Series(f"target {numbers.formula}", x, target, "white"), Series("network", x, output, "cyan")],
        width=WIDTH if height is None else max(20, min(WIDTH, width - 10)),
        height=height or HEIGHT,
        title=title if height is None else f"{numbers.formula}: the target and the network",
        x_label="x",
        y_range=y_range(target, output),
    )
    if height is not None:
        return Group(fit, error_line(numbers, x, output - target))
    pictures = [fit, error_chart(x, output - target), error_line(numbers, x, output - target)]
    if numbers.discontinuous:
        pictures.append(
            Text(
                f"{numbers.formula} jumps: no sum of continuous neurons can follow a jump exactly, so the "
                "largest error stays near half the jump while the mean squared error keeps shrinking.",
                style="dim",
            )
        )
    return Group(*pictures)


@draws(NeuronCurves)
def draw_neurons(numbers, width, height=None):
    """Each neuron's curve, the sum built neuron by neuron, and the table of neurons (compact,
    for the live panel: the neurons' curves alone)."""
    x = np.asarray(numbers.x)
    if height is not None:
        return neuron_chart(x, numbers, max(20, min(WIDTH, width - 10)), height)
    return Group(
        neuron_chart(x, numbers),
        partial_sums_chart(x, numbers),
        neuron_table(numbers.table, numbers.one_layer),
    )


def y_range(target, *others):
    """The target's range with a margin, widened for any other curve that leaves it: so a
    good fit is drawn on the target's own scale, and the middle tick of sin is 0."""
    lo, hi = float(np.min(target)), float(np.max(target))
    margin = 0.1 * (hi - lo) or 0.5
    lo, hi = lo - margin, hi + margin
    for values in others:
        finite = np.asarray(values)[np.isfinite(values)]
        if len(finite):
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    return lo, hi


def error_chart(x, error):
    largest = float(np.max(np.abs(error))) or 1.0
    return line_chart(
        [Series("error = network − target", x, error, "red")],
        width=WIDTH,
        height=5,
        x_label="x",
        y_range=(-largest, largest),
    )


def error_line(numbers, x, error):
    worst = int(np.argmax(np.abs(error)))
    return Text.assemble(
        ("max |error| ", "bold"),
        f"{numbers.max_abs_error:.4g}",
        (f" at x = {format_number(x[worst])}", "dim"),
        " · ",
        ("mse ", "bold"),
        f"{numbers.mse:.4g}",
        (f"   (over {len(x):,} points)", "dim"),
    )


def neuron_chart(x, numbers, width=WIDTH, height=10):
    """Each shown neuron's own weighted curve on one chart (NaN gaps keep them apart)."""
    n, shown = numbers.count, numbers.shown
    curve = "v·σ(w·x + b)" if numbers.one_layer else "v·h(x)"
    name = f"each neuron's curve {curve}" if len(shown) == n else f"{len(shown)} of the {n} neurons' curves {curve}"
    title = "the neurons, one by one" + (" (left to right)" if numbers.one_layer and len(shown) < n else "")
    gap = np.full(1, np.nan)
    xs = np.concatenate([np.concatenate([x, gap]) for _ in shown])
    ys = np.concatenate([np.concatenate([np.asarray(c, dtype=float), gap]) for c in numbers.curves])
    largest = float(np.nanmax(np.abs(ys))) or 1.0
    return line_chart(
        [Series(name, xs, ys, "magenta")],
        width=width,
        height=height,
        title=title,
        x_label="x",
        y_range=(-largest, largest),
    )


def partial_sums_chart(x, numbers):
    """The output built up neuron by neuron: the bias plus the first k neurons, for a few k."""
    n, target = numbers.count, np.asarray(numbers.target)
    errors = numbers.errors or [None] * len(numbers.stages)
    stages = list(zip(numbers.stages, numbers.sums, errors))[-len(STAGE_STYLES) :]
    series = []
    for (k, values, error), style in zip(stages, STAGE_STYLES[-len(stages) :]):
        name = f"all {n}" if k == n else f"first {k}"
        series.append(Series(name if error is None else f"{name} ±{error:.2g}", x, np.asarray(values), style))
    series.append(Series("target", x, target, "white"))  # drawn last, so no sum hides it
    order = {"switch point": " (left to right)" * numbers.one_layer, "closest to the target": " (closest first)"}
    return line_chart(
        series,
        width=WIDTH,
        height=HEIGHT,
        title="the sum, neuron by neuron (± its largest error)" + order.get(numbers.order, ""),
        x_label="x",
        y_range=y_range(target, *(np.asarray(values) for _, values, _ in stages)),
    )


def neuron_table(table, one_layer):
    title = "hidden neurons v·σ(w·x + b)" if one_layer else "outgoing weights v"
    view = Table(title=title)
    view.add_column("#", justify="right")
    columns = ("switch", "w", "b", "v") if one_layer else ("v",)
    for name in columns:
        view.add_column("switch −b/w" if name == "switch" else name, justify="right")
    for row in table[:MAX_TABLE_ROWS]:
        view.add_row(str(row["neuron"]), *(_number(row[name]) for name in columns))
    if len(table) > MAX_TABLE_ROWS:
        view.caption = f"… and {len(table) - MAX_TABLE_ROWS} more (all of them in --json)"
    return view


def _number(value):
    return "—" if value is None else f"{value:.4g}"
