"""Lesson 9: deep networks — ten sigmoid layers stall because the gradient vanishes on
its way back (the health view shows it), and ReLU with He initialisation, skip connections
and batch norm each make the same depth learn.

"Held-out" here is the digits' validation part, measured every epoch: the same digits in
the chart and the tables."""

import functools

import numpy as np

from nncli.lessons import Screen
from nncli.lessons.scenes import chart, config, picture, train
from nncli.tasks.catalog import defaults

NAME = "deep"
TITLE = "Deep networks"
SUMMARY = "ten sigmoid layers stall; ReLU + He init, skip connections, batch norm"

DEPTH, WIDTH = 10, 32
EPOCHS, QUICK_EPOCHS = 10, 4
PLAIN = {"activation": "sigmoid", "init": "pytorch"}
CURES = (
    ("ReLU, He init", {"activation": "relu", "init": "he"}),
    ("skip connections", {**PLAIN, "residual": True}),
    ("batch norm", {**PLAIN, "batchnorm": True}),
)
SHORT = {
    "ten sigmoid layers": "sigmoid",
    "ReLU, He init": "ReLU+He",
    "skip connections": "skip",
    "batch norm": "batch norm",
}


@functools.cache
def deep(quick, **settings):
    """(task, outcome, config) of `nncli train digits --hidden 32x10 …` without early stopping."""
    epochs = QUICK_EPOCHS if quick else EPOCHS
    run_config = config(
        defaults("digits"), **{"hidden": (WIDTH,) * DEPTH, "epochs": epochs, "patience": 0, "dropout": 0.0, **settings}
    )
    task, outcome = train("digits", run_config)
    return task, outcome, run_config


def gradients(outcome):
    """Each linear layer's weight-gradient std at the last measured epoch, input side first."""
    return [layer["grad_std"] for layer in outcome.result.layer_stats[-1]["layers"]]


def ratio(outcome):
    """The first layer's gradient std over the last layer's."""
    first, *_, last = gradients(outcome)
    return first / last if last else None


# --- the screens -------------------------------------------------------------------------


def stalls(settings):
    task, outcome, run_config = deep(settings.quick, **PLAIN)
    summary = outcome.summary
    stds = gradients(outcome)
    text = (
        f"Stack ten hidden layers of {WIDTH} sigmoid neurons (64-{WIDTH}×{DEPTH}-10) and train it on the digits "
        f"for {outcome.result.epochs_run} epochs. Held-out accuracy: {summary['val_accuracy']:.1%} — about what "
        "guessing gets (10 %). Below, each layer's gradient size (std, on a fixed batch): the first layer's is "
        f"{ratio(outcome):.1e} times the last one's. Going back through a sigmoid multiplies the gradient by "
        "σ'(z), at most 0.25; ten of them make it vanish, and the early layers do not learn.\n\n"
        "nncli's verdict: " + (summary.get("verdict") or "none (no pathology was clear)")
    )
    numbers = {"accuracy": summary["val_accuracy"], "gradient_ratio": ratio(outcome), "grad_std": stds}
    numbers["verdict"] = summary.get("verdict")
    return Screen("Ten sigmoid layers stall", text, [picture(task, outcome, run_config, "health", settings)], numbers)


def cures(settings):
    runs = [("ten sigmoid layers", deep(settings.quick, **PLAIN))]
    runs += [(name, deep(settings.quick, **change)) for name, change in CURES]
    rows = "\n".join(
        f"    {name:<20} {o.summary['val_accuracy']:>8.1%}   {ratio(o):>10.1e}" for name, (_, o, _) in runs
    )
    text = (
        "Three cures, the same ten layers and epochs each:\n\n"
        f"    {'':<20} {'held-out':>8}   {'first/last gradient':>10}\n{rows}\n\n"
        "ReLU's slope is 1 wherever it is on, so the gradient passes back undiminished; He initialisation sizes "
        "the weights so the signal neither fades nor grows layer by layer. Skip connections add each layer's "
        "input to its output (x + f(x)), a path the gradient takes straight back. Batch norm rescales each "
        "layer's sums to mean 0 and std 1, keeping the sigmoids out of their flat ends."
    )

    def curves(upto):
        styles = ("red", "green", "cyan", "yellow")
        series = [
            (SHORT[name], np.arange(1, upto + 1), o.result.history["val_loss"][:upto], style)
            for (name, (_, o, _)), style in zip(runs, styles)
        ]
        title = "held-out loss per epoch (log scale)"
        options = {"x_range": (1, epochs), "x_integer": True, "log_y": True}
        return chart(series, settings, x_label="epoch", title=title, height=10, **options)

    epochs = runs[0][1][1].result.epochs_run
    frames = (curves(upto) for upto in range(2, epochs))
    numbers = {name: {"accuracy": o.summary["val_accuracy"], "gradient_ratio": ratio(o)} for name, (_, o, _) in runs}
    return Screen("Three cures", text, [curves(epochs)], numbers, frames=frames)


SCREENS = (stalls, cures)
TRY = (
    ("nncli train digits --hidden 32x10 --activation sigmoid --patience 0", "the stall, with the verdict"),
    ("nncli visualize --view health", "the health view of the model trained last"),
    (
        "nncli compare digits --hidden 32x10 --activation sigmoid --patience 0 --epochs 10 "
        "--vary batchnorm=false,true --vary residual=false,true",
        "both cures, alone and together, side by side",
    ),
    ("nncli train xor --hidden 3x3 --residual --batchnorm --lr 0.5", "a small deep network with both cures"),
    ("nncli explain backprop --input 1,0", "its every number: the skip carries ∂L/∂out back whole"),
)
