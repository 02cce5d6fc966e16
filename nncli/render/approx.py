"""Pictures of a function approximation: the target against the network, the error, and
— with the neurons shown — each neuron's own curve, the curve being built neuron by
neuron, and a table of every neuron's weights and switch point."""

import numpy as np
from rich.table import Table
from rich.text import Text

from nncli.render.charts import Series, format_number, line_chart
from nncli.tasks.approx import DISCONTINUOUS, curves, neurons

WIDTH, HEIGHT = 64, 16
STAGE_STYLES = ("blue", "magenta", "yellow", "cyan")
MAX_TABLE_ROWS = 100
MAX_CURVES = 12  # neuron curves drawn on one chart


def approx_view(task, outcome, show_neurons=False):
    """The renderables for a finished approximation (`outcome` from run_approx)."""
    summary, dataset, network = outcome.summary, outcome.dataset, outcome.network
    x, target, output = curves(network, dataset)
    views = [
        fit_chart(summary, x, target, output),
        error_chart(x, output - target),
        error_line(summary, x, output - target),
    ]
    if summary.get("target") in DISCONTINUOUS:
        views.append(
            Text(
                f"{summary['formula']} jumps: no sum of continuous neurons can follow a jump exactly, so the "
                "largest error stays near half the jump while the mean squared error keeps shrinking.",
                style="dim",
            )
        )
    if show_neurons:
        x_fine = np.linspace(x[0], x[-1], 4 * WIDTH)
        base, contributions, table = neurons(network, dataset, x_fine)
        order = _by_switch_point(table)
        views += [
            neuron_chart(x_fine, contributions[order], table),
            partial_sums_chart(x_fine, dataset.extra["target"](x_fine), base, contributions[order], "w" in table[0]),
            neuron_table(table, order),
        ]
    return views


def describe(summary):
    """ "32 tanh neurons, trained by adam for 4,000 epochs" and the like."""
    sizes = summary["hidden"]
    count = f"{sizes[0]}" if len(sizes) == 1 else "×".join(map(str, sizes))
    layers = "" if len(sizes) == 1 else f" in {len(sizes)} layers"
    plural = "neuron" if sizes == [1] else "neurons"
    how = "built by hand" if summary["method"] == "construct" else f"trained for {summary['epochs']:,} epochs"
    return f"{count} {summary['activation']} {plural}{layers}, {how}"


def fit_chart(summary, x, target, output):
    title = f"{summary['formula']} and a network of {describe(summary)}"
    return line_chart(
        [Series(f"target {summary['formula']}", x, target, "white"), Series("network", x, output, "cyan")],
        width=WIDTH,
        height=HEIGHT,
        title=title,
        x_label="x",
        y_range=y_range(target, output),
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


def error_line(summary, x, error):
    worst = int(np.argmax(np.abs(error)))
    return Text.assemble(
        ("max |error| ", "bold"),
        f"{summary['max_abs_error']:.4g}",
        (f" at x = {format_number(x[worst])}", "dim"),
        " · ",
        ("mse ", "bold"),
        f"{summary['mse']:.4g}",
        (f"   (over {len(x):,} points)", "dim"),
    )


def neuron_chart(x, ordered, table):
    """Each neuron's own weighted curve on one chart (NaN gaps keep them apart); of many
    neurons, an evenly spaced few, so that the curves can still be told apart."""
    one_layer = "w" in table[0]
    n = len(ordered)
    shown = np.unique(np.linspace(0, n - 1, min(n, MAX_CURVES)).round().astype(int))
    curve = "v·σ(w·x + b)" if one_layer else "v·h(x)"
    name = f"each neuron's curve {curve}" if len(shown) == n else f"{len(shown)} of the {n} neurons' curves {curve}"
    title = "the neurons, one by one" + (" (left to right)" if one_layer and len(shown) < n else "")
    gap = np.full(1, np.nan)
    xs = np.concatenate([np.concatenate([x, gap]) for _ in shown])
    ys = np.concatenate([np.concatenate([ordered[j], gap]) for j in shown])
    largest = float(np.nanmax(np.abs(ys))) or 1.0
    return line_chart(
        [Series(name, xs, ys, "magenta")], width=WIDTH, height=10, title=title, x_label="x", y_range=(-largest, largest)
    )


def partial_sums_chart(x, target, base, ordered, by_switch_point=True):
    """The output built up neuron by neuron: the bias plus the first k neurons, for a few k
    (neurons taken from left to right by switch point, when they have one)."""
    n = len(ordered)
    stages = sorted({max(1, round(n * f)) for f in (1 / 8, 1 / 4, 1 / 2, 1)})[-len(STAGE_STYLES) :]
    running = base + np.cumsum(ordered, axis=0)
    series = [Series("target", x, target, "white")]
    for k, style in zip(stages, STAGE_STYLES[-len(stages) :]):
        series.append(Series(f"all {n}" if k == n else f"first {k}", x, running[k - 1], style))
    return line_chart(
        series,
        width=WIDTH,
        height=HEIGHT,
        title="the sum, neuron by neuron" + " (left to right)" * by_switch_point,
        x_label="x",
        y_range=y_range(target, *running[[k - 1 for k in stages]]),
    )


def neuron_table(table, order):
    one_layer = "w" in table[0]
    title = "hidden neurons v·σ(w·x + b)" if one_layer else "outgoing weights v"
    view = Table(title=title)
    view.add_column("#", justify="right")
    columns = ("switch", "w", "b", "v") if one_layer else ("v",)
    for name in columns:
        view.add_column("switch −b/w" if name == "switch" else name, justify="right")
    for j in order[:MAX_TABLE_ROWS]:
        row = table[j]
        view.add_row(str(row["neuron"]), *(_number(row[name]) for name in columns))
    if len(order) > MAX_TABLE_ROWS:
        view.caption = f"… and {len(order) - MAX_TABLE_ROWS} more (all of them in --json)"
    return view


def _by_switch_point(table):
    """Neuron indices from left to right by switch point (those without one last)."""
    return sorted(range(len(table)), key=lambda j: (table[j].get("switch") is None, table[j].get("switch") or 0.0))


def _number(value):
    return "—" if value is None else f"{value:.4g}"
