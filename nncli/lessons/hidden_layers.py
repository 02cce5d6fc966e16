"""Lesson 6: why hidden layers — one neuron draws one straight line (two clouds of points,
and the binary cross-entropy that measures its yes/no answers), XOR, which no line can
split and four hidden neurons can, and the neurons' tiles that show how."""

import functools

import numpy as np

from nncli import nn
from nncli.autograd import Tensor, no_grad
from nncli.lessons import Screen
from nncli.lessons.scenes import chart, config, picture, snapshots, train, view
from nncli.nn.network import build_network
from nncli.render.explain import num
from nncli.tasks import defaults
from nncli.views.layers import weighted_sums

NAME = "hidden-layers"
TITLE = "Why hidden layers"
SUMMARY = "one neuron draws one line; XOR needs more: four hidden neurons bend it"

EPOCHS, QUICK_EPOCHS = 2000, 600
CLOUD_EPOCHS, CLOUD_QUICK_EPOCHS = 200, 60


@functools.cache
def clouds(quick):
    """(task, outcome, config) of `nncli train gauss --hidden 0`: one neuron, two clouds."""
    run_config = config(defaults.GAUSS, hidden=(), epochs=CLOUD_QUICK_EPOCHS if quick else CLOUD_EPOCHS)
    task, outcome = train("gauss", run_config)
    return task, outcome, run_config


def line_in_the_plane(outcome):
    """(w₁, w₂, b) of the neuron's sum z = w₁·x₁ + w₂·x₂ + b in the plane's own units: its
    inputs are scaled first, so z is read off the network at (0, 0), (1, 0) and (0, 1)."""
    corners = outcome.dataset.extra["encode"](np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    with no_grad():
        z = outcome.network.model.layers[0](Tensor(corners.astype(outcome.network.dtype))).data[:, 0]
    z = z.astype(np.float64)
    return float(z[1] - z[0]), float(z[2] - z[0]), float(z[0])


@functools.cache
def xor(hidden, quick):
    """(task, outcome, config) of `nncli train xor --hidden …`."""
    run_config = config(defaults.XOR, hidden=hidden, epochs=QUICK_EPOCHS if quick else EPOCHS)
    task, outcome = train("xor", run_config)
    return task, outcome, run_config


def signed(value):
    return f"{'−' if value < 0 else '+'} {num(abs(value))}"


def truth(outcome):
    """The four inputs with the network's output, as lines of text."""
    rows = []
    for (x1, x2), target, out in zip(
        outcome.dataset.X_test.tolist(), outcome.dataset.y_test[:, 0], outcome.network.predict(outcome.dataset.X_test)
    ):
        right = "right" if (out[0] > 0.5) == (target > 0.5) else "wrong"
        rows.append(f"    {num(x1)} xor {num(x2)} = {num(target)}:   the network says {out[0]:.3f}   {right}")
    return "\n".join(rows)


# --- the screens -------------------------------------------------------------------------


def one_line(settings):
    task, outcome, run_config = clouds(settings.quick)
    w1, w2, b = line_in_the_plane(outcome)
    boundary = view(task, outcome, run_config, "boundary")
    accuracy = outcome.summary["accuracy"]
    text = (
        "One neuron with two inputs computes a = σ(w₁·x₁ + w₂·x₂ + b). Trained on two clouds of points, one of "
        f"class 0 and one of class 1 (`nncli train gauss --hidden 0`, {outcome.result.epochs_run} epochs), it "
        f"learned, in the plane's own units,\n\n    a = σ({num(w1)}·x₁ {signed(w2)}·x₂ {signed(b)})\n\n"
        "It says 1 (a > 0.5) on one side of the line where the sum is 0, and 0 on the other:\n\n"
        f"    {num(w1)}·x₁ {signed(w2)}·x₂ {signed(b)} = 0\n\n"
        "In the picture that line is where one colour turns into the other (a = 0.5): one straight line, the "
        f"only boundary one neuron can draw. Here it is all it takes: held-out accuracy {accuracy:.1%}."
    )
    numbers = {
        "line": [w1, w2, b],
        "accuracy": accuracy,
        "boundary": {"x": boundary.x, "y": boundary.y, "z": boundary.z},
    }
    return Screen(
        "One neuron draws one line", text, [picture(task, outcome, run_config, "boundary", settings)], numbers
    )


def cross_entropy(settings):
    """Binary cross-entropy, written out for four of the neuron's training points."""
    task, outcome, run_config = clouds(settings.quick)
    twin = build_network(outcome.network.spec(), outcome.network.loss_name, "tensor", "float64")
    twin.load_state_dict(outcome.network.state_dict())
    X, t = outcome.dataset.X_train.astype(np.float64), outcome.dataset.y_train[:, 0].astype(np.float64)
    a = twin.predict(X)[:, 0]
    losses = -(t * np.log(a) + (1 - t) * np.log(1 - a))
    order = np.argsort(losses)
    shown = [order[0], order[len(order) // 2], order[-2], order[-1]]  # surest right, typical, the two worst
    engine = [float(nn.binary_cross_entropy(Tensor(a[[k]]), t[[k]]).item()) for k in shown]
    rows = "\n".join(
        f"    t = {t[k]:.0f}, a = {a[k]:.4f}:   −{'log(a)' if t[k] else 'log(1 − a)'} = "
        f"−log({a[k] if t[k] else 1 - a[k]:.4f}) = {losses[k]:.4f}"
        for k in shown
    )
    mean = float(losses.mean())
    whole = float(twin.loss(X, outcome.dataset.y_train.astype(np.float64)).item())
    text = (
        "How wrong is a yes/no answer a (the probability of class 1) for a point of class t? The loss of every "
        "2-D task is the binary cross-entropy: −log of the probability it gave the right class,\n\n"
        "    L = −[t·log(a) + (1 − t)·log(1 − a)]\n\n"
        "Four of this neuron's training points — its surest right answer, a typical one, and its two worst:\n\n"
        f"{rows}\n\n"
        f"The mean over all {len(t)} training points, {mean:.6f}, is the loss training went down (the engine's "
        f"binary_cross_entropy: {whole:.6f}). Sure and right costs almost 0; sure and wrong grows without limit, "
        "where the squared error (a − t)² could never pass 1 — so the worst mistakes pull hardest on the weights."
    )
    p = np.linspace(0.005, 0.995, 199)
    curves = chart(
        [("t = 1: −log(a)", p, -np.log(p), "magenta"), ("t = 0: −log(1 − a)", p, -np.log(1 - p), "cyan")],
        settings,
        x_label="a, the neuron's answer",
        points=[(a[k], losses[k], "yellow") for k in shown],
        title="the loss of one point (dots: the four above)",
    )
    numbers = {
        "points": [
            {"t": float(t[k]), "a": float(a[k]), "loss": float(losses[k]), "engine": e} for k, e in zip(shown, engine)
        ],
        "mean": mean,
        "engine_mean": whole,
    }
    return Screen("Binary cross-entropy", text, [curves], numbers)


def no_line_for_xor(settings):
    task, outcome, run_config = xor((), settings.quick)
    state = outcome.network.state_dict()
    (w1, w2), b = state["0.weight"][0].tolist(), float(state["0.bias"][0])
    accuracy = outcome.summary["accuracy"]
    text = (
        "XOR is 1 when exactly one input is 1: its four points sit at the corners of a square, the 1s on one "
        "diagonal and the 0s on the other. The same one neuron (`nncli train xor --hidden 0`), trained for "
        f"{outcome.result.epochs_run:,} epochs on them, learned\n\n"
        f"    a = σ({num(w1)}·x₁ {signed(w2)}·x₂ {signed(b)})\n\n"
        f"{truth(outcome)}\n\n"
        f"Accuracy {accuracy:.0%}. No straight line puts (0, 1) and (1, 0) on one side and (0, 0) and (1, 1) "
        "on the other, so one neuron gets at most 3 of the 4 right (75 %)."
        + (
            " This one found that any line costs more squared error than none: its weights shrank to almost 0 "
            "and it answers 0.5 to everything, sitting on the fence — the picture is one flat colour, no line "
            "at all."
            if max(abs(w1), abs(w2)) < 1e-3
            else ""
        )
    )
    z = np.asarray(view(task, outcome, run_config, "boundary").z)
    return Screen(
        "XOR: no line will do",
        text,
        [picture(task, outcome, run_config, "boundary", settings)],
        {"accuracy": accuracy, "loss": outcome.summary["loss"], "output_range": [float(z.min()), float(z.max())]},
    )


def four_neurons(settings):
    task, outcome, run_config = xor((4,), settings.quick)
    accuracy = outcome.summary["accuracy"]
    frames = (picture(task, then, run_config, "boundary", settings) for _, then in snapshots(outcome))
    text = (
        "Now four hidden neurons between the inputs and the output (the 2-4-1 network of "
        f"`nncli train xor`), trained the same way for {outcome.result.epochs_run:,} epochs:\n\n"
        f"{truth(outcome)}\n\n"
        f"Accuracy {accuracy:.0%}. The boundary is no longer one straight line: it bends around the corners."
    )
    return Screen(
        "Four hidden neurons bend it",
        text,
        [picture(task, outcome, run_config, "boundary", settings)],
        {"accuracy": accuracy, "loss": outcome.summary["loss"]},
        frames=frames,
    )


def the_tiles(settings):
    task, outcome, run_config = xor((4,), settings.quick)
    tiles = view(task, outcome, run_config, "neurons")
    output = outcome.network.state_dict()["2.weight"][0].tolist()
    weights = ", ".join(num(v) for v in output)
    text = (
        "How? Each hidden neuron draws its own straight line across the plane (its tile below: where it "
        "says 1 and where 0). The output neuron adds the four tiles up, with the weights "
        f"({weights}), and switches where the sum crosses its threshold. Lines combined make a shape no "
        "single line can: that is what a hidden layer is for."
    )
    return Screen(
        "What each hidden neuron does",
        text,
        [picture(task, outcome, run_config, "neurons", settings)],
        {"output_weights": output, "tiles": len(tiles.neurons)},
    )


def the_hidden_space(settings):
    task, outcome, run_config = xor((4,), settings.quick)
    space = view(task, outcome, run_config, "hidden")
    network, X, y = outcome.network, outcome.dataset.X_test, outcome.dataset.y_test[:, 0]
    with no_grad():  # the output neuron's weighted sum z = w·h + b, for each input
        z = weighted_sums(network.model, Tensor(X.astype(network.dtype)), 2).data[:, 0].astype(float)
    rows = "\n".join(
        f"    {num(x1)} xor {num(x2)} = {num(t)}:   z = {num(v):>7}   {'above' if v > 0 else 'below'} the line"
        for (x1, x2), t, v in zip(X.tolist(), y.tolist(), z)
    )
    text = (
        "Seen from the output neuron, the plane has changed. Below, the four inputs and a grid of straight lines "
        "over the input plane are carried into the hidden layer: its four outputs, drawn along their first two "
        f"principal components ({space.explained:.1%} of their spread). The grid bends and folds; the output "
        "neuron's boundary, z = w·h + b = 0, is still one straight line, and now it separates the classes:\n\n"
        f"{rows}"
    )
    return Screen(
        "In the hidden space, XOR is a line",
        text,
        [picture(task, outcome, run_config, "hidden", settings)],
        {"z": z.tolist(), "targets": y.tolist(), "explained": space.explained},
    )


SCREENS = (one_line, cross_entropy, no_line_for_xor, four_neurons, the_tiles, the_hidden_space)
TRY = (
    ("nncli train gauss --hidden 0", "one neuron, one straight line between two clouds"),
    ("nncli train xor --hidden 0", "no hidden layer: at most 75 %"),
    ("nncli train circle --hidden 0 --features x1^2,x2^2", "one neuron solves the circle, given the right inputs"),
    ("nncli train xor --hidden 2", "two hidden neurons: enough, most of the time"),
    ("nncli visualize xor --view neurons", "the hidden neurons' tiles"),
    ("nncli replay xor", "the boundary bending, epoch by epoch"),
)
