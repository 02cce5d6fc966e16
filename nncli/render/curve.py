"""Pictures of a function approximation: the target against the network, the error, and
— with the neurons shown — each neuron's own curve, the curve being built neuron by
neuron, and a table of every neuron's weights and switch point."""

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.charts import Series, format_number, line_chart
from nncli.views.curve import ORDER_WORDS, CurveFit, NeuronCurves

WIDTH, HEIGHT = 64, 16
MAX_TABLE_ROWS = 100


@draws(CurveFit, smallest=(40, 12), preferred=(76, 30))
def draw_fit(numbers, width, height=None):
    """The target and the network's curve, the error between them, and its size; `height`
    given, the curve fitted into width × height (and the error's chart too, if there is
    room for both)."""
    x, target, output = (np.asarray(values) for values in (numbers.x, numbers.target, numbers.output))
    title = f"{numbers.formula} and a network of {numbers.description}"
    plot_width = WIDTH if height is None else max(20, min(WIDTH, width - 10))
    with_error = height is None or height >= 3 * ERROR_LINES  # else the curve itself would be squeezed
    fit = line_chart(
        [Series(f"target {numbers.formula}", x, target, "white"), Series("network", x, output, "cyan")],
        width=plot_width,
        height=HEIGHT,
        lines=None if height is None else height - 1 - ERROR_LINES * with_error,
        title=title,
        x_label="x",
        y_range=y_range(target, output),
    )
    pictures = [fit, error_line(numbers, x, output - target)]
    if with_error:
        pictures.insert(1, error_chart(x, output - target, plot_width))
    if numbers.discontinuous:
        pictures.append(
            Text(
                f"{numbers.formula} jumps: no sum of continuous neurons can follow a jump exactly, so the "
                "largest error stays near half the jump while the mean squared error keeps shrinking.",
                style="dim",
            )
        )
    return Group(*pictures)


@draws(NeuronCurves, smallest=(40, 10), preferred=(76, 16))
def draw_neurons(numbers, width, height=None):
    """Each neuron's curve, the sum built neuron by neuron, and the table of neurons; or,
    `height` given, the neurons' curves fitted into width × height."""
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


ERROR_LINES = 9  # the error's chart: 5 rows, its axis, ticks, name and legend


def error_chart(x, error, width=WIDTH):
    largest = float(np.max(np.abs(error))) or 1.0
    return line_chart(
        [Series("error = network − target", x, error, "red")],
        width=width,
        height=ERROR_LINES - 4,
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


STAGE_WIDTH, STAGE_HEIGHT = 52, 5
TARGET_MARK_EVERY = 4  # cells between the target's "·" marks, which stay visible over any curve


def neuron_chart(x, numbers, width=WIDTH, lines=None):
    """The shown neurons' own weighted curves on one chart (NaN gaps keep them apart)."""
    n, shown = numbers.count, numbers.shown
    curve = "v·σ(w·x + b)" if numbers.one_layer else "v·h(x)"
    which = f"each neuron's curve {curve}" if len(shown) == n else f"the {len(shown)} that swing most, of {n}"
    gap = np.full(1, np.nan)
    xs = np.concatenate([np.concatenate([x, gap]) for _ in shown])
    ys = np.concatenate([np.concatenate([np.asarray(c, dtype=float), gap]) for c in numbers.curves])
    largest = float(np.nanmax(np.abs(ys))) or 1.0
    return line_chart(
        [zero_line(x), Series(which, xs, ys, "magenta")],
        width=width,
        height=10,
        lines=lines,
        title=f"the neurons, one by one: {which}",
        x_label="x",
        y_range=(-largest, largest),
        legend=False,
    )


def zero_line(x):
    return Series("0", [x[0], x[-1]], [0.0, 0.0], "dim")


def partial_sums_chart(x, numbers):
    """Small multiples: the output bias plus the first k neurons, k = 1, 2, 4, … all, each
    over the target (marked "·", drawn last so it stays visible) with its max |error|."""
    n, target = numbers.count, np.asarray(numbers.target)
    sums = [np.asarray(values) for values in numbers.sums]
    lo, hi = y_range(target, *sums)
    marks = [
        (x[i], target[i], "·", "bold yellow")
        for i in range(0, len(x), max(1, len(x) * TARGET_MARK_EVERY // STAGE_WIDTH))
    ]
    pictures = [
        Text(f"the sum, neuron by neuron: {ORDER_WORDS[numbers.order]}", style="bold"),
        Text("bias + the first k neurons (━, cyan) over the target (·, yellow)", style="dim"),
    ]
    for k, values, error in zip(numbers.stages, sums, numbers.errors):
        label = f"all {n}" if k == n else f"first {k}"
        chart = line_chart(
            [zero_line(x), Series("target", x, target, "yellow"), Series(label, x, values, "cyan")],
            width=STAGE_WIDTH,
            height=STAGE_HEIGHT,
            y_range=(lo, hi),
            marks=marks,
            legend=False,
        )
        # as text with its colours (the target's "·" marks tell it apart without them)
        lines = chart.text().split("\n")[:STAGE_HEIGHT]  # the plot rows; the x axis once, at the end
        lines[0] = lines[0] + Text(f"  {label}", style="bold")
        lines[1] = lines[1] + Text(f"  max |error| {error:.3g}")
        pictures.extend(lines)
    pictures.extend(chart.text().split("\n")[STAGE_HEIGHT:])
    for line in pictures:
        line.no_wrap, line.overflow = True, "crop"
    return Group(*pictures)


def neuron_table(table, one_layer):
    title = "hidden neurons v·σ(w·x + b)" if one_layer else "outgoing weights v"
    view = Table(title=title)
    view.add_column("neuron", justify="right")
    columns = ("switch", "w", "b", "v") if one_layer else ("v",)
    for name in columns:
        view.add_column("switch −b/w" if name == "switch" else name, justify="right")
    for row in table[:MAX_TABLE_ROWS]:
        view.add_row(str(row["neuron"] + 1), *(_number(row[name]) for name in columns))  # counted from 1
    if len(table) > MAX_TABLE_ROWS:
        view.caption = f"… and {len(table) - MAX_TABLE_ROWS} more (all of them in --json)"
    return view


def _number(value):
    return "—" if value is None else f"{value:.4g}"
