"""Lesson 6: why hidden layers — XOR, which one neuron cannot learn and four hidden
neurons can, and the neurons' tiles that show how."""

import functools

from nncli.lessons import Screen
from nncli.lessons.scenes import config, picture, snapshots, train, view
from nncli.render.explain import num
from nncli.tasks import defaults

NAME = "hidden-layers"
TITLE = "Why hidden layers"
SUMMARY = "XOR: one neuron draws one line and fails; four hidden neurons bend it"

EPOCHS, QUICK_EPOCHS = 2000, 600


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


def one_neuron(settings):
    task, outcome, run_config = xor((), settings.quick)
    state = outcome.network.state_dict()
    (w1, w2), b = state["0.weight"][0].tolist(), float(state["0.bias"][0])
    accuracy = outcome.summary["accuracy"]
    text = (
        "XOR is 1 when exactly one input is 1. A network with no hidden layer is one neuron, "
        "a = σ(w₁·x₁ + w₂·x₂ + b); it says 1 on one side of the line w₁·x₁ + w₂·x₂ + b = 0 and 0 on the "
        f"other. Trained for {outcome.result.epochs_run:,} epochs, it learned\n\n"
        f"    a = σ({num(w1)}·x₁ {signed(w2)}·x₂ {signed(b)})\n\n"
        f"{truth(outcome)}\n\n"
        f"Accuracy {accuracy:.0%}. No straight line puts (0, 1) and (1, 0) on one side and (0, 0) and (1, 1) "
        "on the other, so one neuron gets at most 3 of the 4 right (75 %)."
        + (
            " This one found that any line costs more squared error than none: its weights shrank to almost 0 "
            "and it answers 0.5 to everything, sitting on the fence."
            if max(abs(w1), abs(w2)) < 1e-3
            else ""
        )
    )
    return Screen(
        "One neuron draws one line",
        text,
        [picture(task, outcome, run_config, "boundary", settings)],
        {"accuracy": accuracy, "loss": outcome.summary["loss"]},
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


SCREENS = (one_neuron, four_neurons, the_tiles)
TRY = (
    ("nncli train xor --hidden 0", "no hidden layer: at most 75 %"),
    ("nncli train circle --hidden 0 --features x1^2,x2^2", "one neuron solves the circle, given the right inputs"),
    ("nncli train xor --hidden 2", "two hidden neurons: enough, most of the time"),
    ("nncli visualize xor --view neurons", "the hidden neurons' tiles"),
    ("nncli replay xor", "the boundary bending, epoch by epoch"),
)
