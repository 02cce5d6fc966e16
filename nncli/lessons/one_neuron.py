"""Lesson 1: one neuron — a weighted sum plus a bias, through an activation."""

import numpy as np

from nncli.activations import REGISTRY
from nncli.autograd import Tensor
from nncli.lessons import Screen
from nncli.lessons.scenes import chart, hand_made
from nncli.render.explain import num

NAME = "one-neuron"
TITLE = "One neuron"
SUMMARY = "a = σ(w·x + b): what w and b do to the curve; four activations"

ACTIVATIONS = ("step", "sigmoid", "tanh", "relu")
X = np.linspace(-5, 5, 201)
W_STEP = B_STEP = 0.5
Y_RANGES = {"step": (-0.1, 1.1), "sigmoid": (-0.1, 1.1), "tanh": (-1.1, 1.1), "relu": (-0.5, 10.0)}


def neuron(w, b, activation):
    """The neuron as a network of one Linear layer and its activation."""
    spec = [{"type": "linear", "in": 1, "out": 1, "bias": True}, {"type": activation}]
    return hand_made(spec, {"0.weight": [[w]], "0.bias": [b]})


def outputs(w, b, activation, x):
    return neuron(w, b, activation).predict(np.asarray(x, dtype=float)[:, None])[:, 0]


def slope(w, b, activation, x):
    """da/dx at x, by the engine's backward pass."""
    model = neuron(w, b, activation).model
    point = Tensor(np.array([[float(x)]]), requires_grad=True)
    model(point).sum().backward()
    return float(point.grad[0, 0])


def written(w, b):
    """w·x + b with its numbers: "2·x − 1"."""
    return f"{num(w)}·x {'−' if b < 0 else '+'} {num(abs(b))}"


# --- the screens -------------------------------------------------------------------------


def a_neuron(settings, w=1.0, b=0.0, activation="sigmoid"):
    z = w * 1 + b
    a = float(outputs(w, b, activation, [1.0])[0])
    switch = -b / w if w != 0 else None
    function = REGISTRY[activation].formula
    where = (
        f"It switches where w·x + b = 0, at x = −b/w = {num(switch)}."
        if switch is not None
        else "With w = 0 the input does not matter: the output is the same everywhere."
    )
    text = (
        "A neuron takes an input x, multiplies it by a weight w, adds a bias b and passes the sum z "
        "through an activation function:\n\n"
        f"    a = {activation}(w·x + b) = {activation}({written(w, b)})        {function}\n\n"
        f"At x = 1:  z = {num(w)}·1 {'−' if b < 0 else '+'} {num(abs(b))} = {num(z)},   "
        f"a = {activation}({num(z)}) = {num(a)}\n"
        f"{where}\n\n"
        "Press the keys: ↑ ↓ change w, + − change b, a switches the activation."
    )
    curve = outputs(w, b, activation, X)
    picture = chart(
        [(f"a = {activation}({written(w, b)})", X, curve, "cyan")],
        settings,
        x_label="x",
        y_range=_y_range(activation, curve),
        points=[(1.0, a, "yellow")],
        title=f"w = {num(w)}   b = {num(b)}   {activation}",
    )

    def again(**change):
        state = {"w": w, "b": b, "activation": activation, **change}
        return lambda: a_neuron(settings, **state)

    following = ACTIVATIONS[(ACTIVATIONS.index(activation) + 1) % len(ACTIVATIONS)]
    keys = {
        "up": ("↑ ↓ w ± 0.5", again(w=round(w + W_STEP, 6))),
        "down": ("↑ ↓ w ± 0.5", again(w=round(w - W_STEP, 6))),
        "+": ("+ − b ± 0.5", again(b=round(b + B_STEP, 6))),
        "=": ("+ − b ± 0.5", again(b=round(b + B_STEP, 6))),  # + without shift, on most keyboards
        "-": ("+ − b ± 0.5", again(b=round(b - B_STEP, 6))),
        "a": (f"a → {following}", again(activation=following)),
    }
    numbers = {"w": w, "b": b, "activation": activation, "z_at_1": z, "a_at_1": a, "switch": switch}
    return Screen("σ(w·x + b)", text, [picture], numbers, keys=keys)


def _y_range(activation, curve):
    low, high = Y_RANGES[activation]
    return (low, max(high, float(np.max(curve)) + 0.5)) if activation == "relu" else (low, high)


def what_w_does(settings):
    weights = (0.5, 1.0, 2.0, 8.0, -2.0)
    slopes = [slope(w, 0.0, "sigmoid", 0.0) for w in weights]
    styles = ("blue", "cyan", "green", "yellow", "magenta")
    lines = "\n".join(f"    w = {num(w):>4}:  slope at x = 0 is {num(s)}" for w, s in zip(weights, slopes))
    text = (
        "w sets how steep the neuron switches, and which way. With b = 0 every sigmoid neuron "
        "switches at x = 0, where its slope is w/4 (the engine's backward pass measures it):\n\n"
        f"{lines}\n\n"
        "w = 8 is almost a step. A negative w turns the curve round: the neuron switches off as x grows."
    )
    series = [(f"w = {num(w)}", X, outputs(w, 0.0, "sigmoid", X), style) for w, style in zip(weights, styles)]
    picture = chart(series, settings, x_label="x", y_range=(-0.1, 1.1), title="sigmoid(w·x), five weights")
    return Screen("What w does", text, [picture], {"slopes": dict(zip(map(str, weights), slopes))})


def what_b_does(settings):
    w, biases = 2.0, (-4.0, 0.0, 4.0)
    measured = [_crossing(outputs(w, b, "sigmoid", X), 0.5) for b in biases]
    lines = "\n".join(
        f"    b = {num(b):>2}:  −b/w = {num(-b / w):>2},  the curve crosses 0.5 at x = {num(m)}"
        for b, m in zip(biases, measured)
    )
    text = (
        "b moves the curve sideways without changing its shape: the neuron switches where "
        "w·x + b = 0, at x = −b/w. With w = 2:\n\n"
        f"{lines}\n\n"
        "So w says how sharply, b says where. Every curve a network draws is built from such pieces."
    )
    series = [
        (f"b = {num(b)}", X, outputs(w, b, "sigmoid", X), style) for b, style in zip(biases, ("blue", "green", "red"))
    ]
    picture = chart(series, settings, x_label="x", y_range=(-0.1, 1.1), title="sigmoid(2·x + b), three biases")
    return Screen("What b does", text, [picture], {"switch_points": dict(zip(map(str, biases), measured))})


def _crossing(curve, level):
    """The x where a rising curve first reaches `level`, interpolated between grid points."""
    k = int(np.argmax(curve >= level))
    x0, x1, y0, y1 = X[k - 1], X[k], curve[k - 1], curve[k]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))


def four_activations(settings):
    w, b = 2.0, -2.0
    inputs = (0.0, 1.0, 2.0)
    table = {activation: outputs(w, b, activation, inputs).tolist() for activation in ACTIVATIONS}
    header = "    x:        " + "".join(f"{num(x):>8}" for x in inputs)
    rows = "\n".join(
        f"    {activation:<10}" + "".join(f"{num(v):>8}" for v in table[activation]) for activation in table
    )
    text = (
        f"The same sum z = {written(w, b)} through four activations. They all switch at x = 1, "
        "but differently:\n\n"
        f"{header}\n{rows}\n\n"
        "step jumps from 0 to 1; sigmoid rises smoothly from 0 to 1; tanh from −1 to 1; relu is 0, "
        "then grows like z itself. Smooth ones have a slope gradient descent can follow; step has none."
    )
    styles = ("white", "cyan", "green", "yellow")
    series = [(a, X, np.clip(outputs(w, b, a, X), -1.2, 3.2), s) for a, s in zip(ACTIVATIONS, styles)]
    picture = chart(series, settings, x_label="x", y_range=(-1.2, 3.2), title=f"activation({written(w, b)})")
    return Screen("Four activations", text, [picture], {"outputs": table})


SCREENS = (a_neuron, what_w_does, what_b_does, four_activations)
TRY = (
    ("nncli learn 1", "this lesson on a terminal: change w and b with the keys"),
    ("nncli approx relu --hidden 1", "one trained neuron fitting relu(x)"),
    ('nncli inspect graph "sigmoid(2*x - 1)" x=1', "the neuron at x = 1 as a graph, with its gradients"),
)
