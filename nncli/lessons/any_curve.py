"""Lesson 3: enough neurons trace anything — staircases of steps and ramps of ReLUs built
by hand, the error shrinking as the neurons double, then a network that learns it."""

import numpy as np

from nncli.lessons import Screen
from nncli.lessons.scenes import chart, config, snapshots, view
from nncli.render.explain import num
from nncli.session.runner import train_task
from nncli.tasks import get_task
from nncli.tasks.approx import resolve_target
from nncli.tasks.catalog import defaults

NAME = "any-curve"
TITLE = "Enough neurons trace anything"
SUMMARY = "sin(x) from steps and ReLUs: double the neurons, the error shrinks"

COUNTS = (4, 8, 16, 32, 64)
SHOWN = 8  # the approximation drawn on a screen
CHART_POINTS = 400
EPOCHS, QUICK_EPOCHS = 3000, 1500


def approximation(activation, neurons, method="construct", epochs=None):
    """(task, outcome, config) of `nncli approx sin --method … --activation … --hidden N`."""
    target = resolve_target("sin")
    settings = dict(
        target=target.name,
        formula=target.formula,
        domain=(target.lo, target.hi),
        method=method,
        activation=activation,
        hidden=(neurons,),
    )
    if epochs is not None:
        settings["epochs"] = epochs
    run_config = config(defaults("approx"), **settings)
    task = get_task("approx")
    return task, train_task(task, run_config, None, lambda event: None), run_config


def fit_chart(settings, task, outcome, run_config, title):
    """The target and the network's curve, from the approximation's own fit view."""
    fit = view(task, outcome, run_config, "fit")
    keep = np.linspace(0, len(fit.x) - 1, CHART_POINTS).round().astype(int)
    x, target, output = (np.asarray(values)[keep] for values in (fit.x, fit.target, fit.output))
    return chart(
        [("sin(x)", x, target, "white"), ("network", x, output, "cyan")],
        settings,
        x_label="x",
        title=title,
        y_range=(-1.25, 1.25),
    )


def errors(activation):
    return [approximation(activation, n)[1].summary["max_abs_error"] for n in COUNTS]


def error_lines(counts, values):
    lines = [f"    {counts[0]:>3} neurons:  largest error {num(values[0])}"]
    for k in range(1, len(counts)):
        lines.append(
            f"    {counts[k]:>3} neurons:  largest error {num(values[k])}   ({num(values[k - 1] / values[k])}× smaller)"
        )
    return "\n".join(lines)


def shrink(values):
    """The typical factor the error shrinks by when the neurons double."""
    return float(np.exp(np.mean(np.log(np.asarray(values[:-1]) / np.asarray(values[1:])))))


# --- the screens -------------------------------------------------------------------------


def staircase(settings):
    values = errors("step")
    factor = shrink(values)
    task, outcome, run_config = approximation("step", SHOWN)
    frames = (fit_chart(settings, *approximation("step", n), f"{n} step neurons") for n in (1, 2, 4, 8, 16, 32, 64))
    text = (
        "Lesson 2 built a bump from two steps. Put many side by side and the output can follow any "
        "curve. Here sin(x) on [−π, π] is built by hand from N step neurons: each steps up or down by "
        "how much sin changes there (no training at all).\n\n"
        f"{error_lines(COUNTS, values)}\n\n"
        f"Each doubling divides the largest error by about {num(factor)}: twice the neurons, steps half "
        "as wide and half as high."
    )
    picture = fit_chart(settings, task, outcome, run_config, f"{SHOWN} step neurons, built by hand")
    return Screen("A staircase of steps", text, [picture], {"max_abs_error": dict(zip(COUNTS, values))}, frames=frames)


def ramps(settings):
    values = errors("relu")
    factor = shrink(values)
    task, outcome, run_config = approximation("relu", SHOWN)
    text = (
        "A ReLU neuron is a ramp: 0, then a straight line. Each one bends the sum at its switch point, "
        "so N ReLUs draw straight pieces from point to point of sin(x):\n\n"
        f"{error_lines(COUNTS, values)}\n\n"
        f"Each doubling divides the largest error by about {num(factor)} — faster than steps, because a "
        "straight piece hugs a curve more closely than a flat one."
    )
    picture = fit_chart(settings, task, outcome, run_config, f"{SHOWN} ReLU neurons, built by hand")
    return Screen("Ramps of ReLUs", text, [picture], {"max_abs_error": dict(zip(COUNTS, values))})


def trained(settings):
    epochs = QUICK_EPOCHS if settings.quick else EPOCHS
    task, outcome, run_config = approximation("tanh", 8, "train", epochs)
    built = approximation("relu", 8)[1].summary["max_abs_error"]
    error = outcome.summary["max_abs_error"]
    frames = (
        fit_chart(settings, task, snapshot, run_config, f"8 tanh neurons after {epoch:,} epochs")
        for epoch, snapshot in snapshots(outcome)
    )
    text = (
        "Nobody has to place the neurons by hand: gradient descent finds the weights itself. Eight "
        f"tanh neurons, trained for {outcome.result.epochs_run:,} epochs (Adam, learning rate "
        f"{num(run_config.lr)}) on 256 samples of sin(x):\n\n"
        f"    largest error {num(error)}   (8 ReLUs placed by hand: {num(built)})\n\n"
        + (
            f"{num(built / error)}× closer than the hand-built ramps: training puts each curve where it helps most. "
            if error < built
            else "Not yet as close as the hand-built ramps: more epochs would bring it closer. "
        )
        + "That is the universal approximation theorem at work: one hidden layer of enough neurons "
        "can follow any continuous curve."
    )
    picture = fit_chart(
        settings, task, outcome, run_config, f"8 tanh neurons after {outcome.result.epochs_run:,} epochs"
    )
    return Screen("Learned, not built", text, [picture], {"max_abs_error": error, "built": built}, frames=frames)


SCREENS = (staircase, ramps, trained)
TRY = (
    ("nncli approx sin --method construct --activation step --hidden 50 --neurons", "50 steps, neuron by neuron"),
    ("nncli approx sin --method construct --activation relu --hidden 8", "eight ramps"),
    ('nncli approx --expr "exp(-x**2)*sin(5*x)" --hidden 64', "a harder curve, trained"),
)
