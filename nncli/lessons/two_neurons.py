"""Lesson 2: two neurons add up — the output neuron weighs and sums the hidden neurons'
curves (superposition)."""

from types import SimpleNamespace

import numpy as np
from rich.console import Group

from nncli import nn
from nncli.lessons import Screen
from nncli.lessons.scenes import chart, hand_made
from nncli.render.explain import num
from nncli.tasks.approx import neurons

NAME = "two-neurons"
TITLE = "Two neurons add up"
SUMMARY = "two step neurons: output weights add, invert and scale their curves"

X = np.linspace(-3, 3, 241)
SAMPLES = (-2.0, 0.0, 2.0)  # one x left of both switches, one between them, one right of both
UNSCALED = SimpleNamespace(input_scaling={"x_mean": [0.0], "x_std": [1.0], "y_mean": [0.0], "y_std": [1.0]})


def network(v1, v2, activation="step", steepness=1.0):
    """1 input → 2 hidden neurons switching at x = −1 and x = +1 → 1 output, weights v1, v2."""
    spec = nn.mlp_spec([1, 2, 1], activation, "identity")
    state = {
        "0.weight": [[steepness], [steepness]],
        "0.bias": [steepness, -steepness],
        "2.weight": [[v1, v2]],
        "2.bias": [0.0],
    }
    return hand_made(spec, state)


def superposition(settings, v1, v2, activation="step", steepness=1.0):
    """(the picture, the output at SAMPLES, the neurons' table) of one pair of weights, read
    off the network neuron by neuron as `nncli approx --neurons` does."""
    net = network(v1, v2, activation, steepness)
    base, parts, table = neurons(net, UNSCALED, X)
    total = base + parts.sum(axis=0)
    at = net.predict(np.array(SAMPLES)[:, None])[:, 0]
    assert np.allclose(total, net.predict(X[:, None])[:, 0])  # the output is exactly the sum of the parts
    low, high = min(-1.2, total.min() - 0.2), max(2.2, total.max() + 0.2)
    hidden = chart(
        [(f"v₁·h₁ = {num(v1)}·h₁", X, parts[0], "blue"), (f"v₂·h₂ = {num(v2)}·h₂", X, parts[1], "magenta")],
        settings,
        height=6,
        y_range=(low, high),
        title=f"the hidden neurons, weighted: v₁ = {num(v1)}, v₂ = {num(v2)}",
    )
    output = chart(
        [("y = v₁·h₁ + v₂·h₂", X, total, "cyan")],
        settings,
        height=6,
        x_label="x",
        y_range=(low, high),
        title="their sum",
    )
    picture = Group(hidden, output)
    return picture, at.tolist(), table


def sampled(v1, v2, at):
    return "\n".join(
        f"    x = {num(x):>2}:  y = {num(v1)}·{h1} + {factor(v2)}·{h2} = {num(y)}"
        for x, y, (h1, h2) in zip(SAMPLES, at, ((0, 0), (1, 0), (1, 1)))
    )


def factor(v):
    return f"({num(v)})" if v < 0 else num(v)


# --- the screens -------------------------------------------------------------------------


def two_steps(settings):
    picture, at, table = superposition(settings, 1.0, 1.0)
    switches = [row["switch"] for row in table]
    text = (
        "Two hidden neurons, each a step: h₁ = step(x + 1) switches on at x = "
        f"{num(switches[0])}, h₂ = step(x − 1) at x = {num(switches[1])}. "
        "The output neuron adds them up, each times its weight:\n\n"
        "    y = v₁·h₁ + v₂·h₂        with v₁ = 1, v₂ = 1\n\n"
        f"{sampled(1.0, 1.0, at)}\n\n"
        "Two steps up: a staircase. The output's curve is the sum of the hidden neurons' curves."
    )
    return Screen("Adding two steps", text, [picture], {"y": at, "switches": switches})


def a_bump(settings):
    picture, at, _ = superposition(settings, 1.0, -1.0)
    frames = (superposition(settings, 1.0, round(v2, 2))[0] for v2 in np.linspace(1.0, -1.0, 21))
    text = (
        "Now give the second neuron the weight v₂ = −1. Its step points down, and cancels the "
        "first one's step to the right of x = 1:\n\n"
        f"{sampled(1.0, -1.0, at)}\n\n"
        "Up, then down: a bump between x = −1 and x = 1. One neuron switches on, the other switches "
        "it off again. Bumps like this, side by side, can build any shape (lesson 3)."
    )
    return Screen("Subtracting: a bump", text, [picture], {"y": at}, frames=frames)


def scaled(settings, v1=1.5, v2=-0.5):
    picture, at, _ = superposition(settings, v1, v2)
    text = (
        f"The weights also say how high each step is. With v₁ = {num(v1)} and v₂ = {num(v2)}:\n\n"
        f"{sampled(v1, v2, at)}\n\n"
        "Every output weight scales its neuron's curve, and a negative one turns it upside down; the "
        "output neuron's own bias (0 here) would lift the whole sum. Try other weights: + − change v₁, "
        "↑ ↓ change v₂."
    )

    def again(**change):
        weights = {"v1": v1, "v2": v2, **change}
        return lambda: scaled(settings, **weights)

    keys = {
        "+": ("+ − v₁ ± 0.5", again(v1=v1 + 0.5)),
        "=": ("+ − v₁ ± 0.5", again(v1=v1 + 0.5)),
        "-": ("+ − v₁ ± 0.5", again(v1=v1 - 0.5)),
        "up": ("↑ ↓ v₂ ± 0.5", again(v2=v2 + 0.5)),
        "down": ("↑ ↓ v₂ ± 0.5", again(v2=v2 - 0.5)),
    }
    return Screen("Weights set the heights", text, [picture], {"v1": v1, "v2": v2, "y": at}, keys=keys)


def smooth(settings):
    picture, at, _ = superposition(settings, 1.0, -1.0, "sigmoid", 10.0)
    text = (
        "Swap each step for a steep sigmoid, σ(10·x + 10) and σ(10·x − 10), and the bump is the "
        "same, with soft edges:\n\n"
        + "\n".join(f"    x = {num(x):>2}:  y = {num(y)}" for x, y in zip(SAMPLES, at))
        + "\n\nSigmoids have a slope everywhere, so gradient descent can move their switch points "
        "and heights: that is what training does."
    )
    return Screen("Smooth steps", text, [picture], {"y": at})


SCREENS = (two_steps, a_bump, scaled, smooth)
TRY = (
    (
        "nncli approx step --method construct --hidden 2 --neurons",
        "two step neurons built by hand, and their table",
    ),
    ("nncli approx gaussian --method construct --hidden 8 --neurons", "a bump of eight steps"),
    ("nncli learn 3", "next: enough neurons trace anything"),
)
