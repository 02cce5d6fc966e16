"""Probes: a trained network looked at through the gradient with respect to its input.

Backpropagation computes how the loss changes with every weight; the same chain rule, run
one step further, gives how an output changes with every *input*. Every probe here makes
the input a Tensor with `requires_grad=True`, runs the network forward and calls the
engine's own `backward()`:

- saliency: |∂score/∂input| for one example — which inputs decided;
- neuron: gradient ascent on the input, from a grey start, to what one neuron (or one
  class's score) responds to most;
- fool: the fast gradient sign method — the input moved by ε·sign(∂loss/∂input), and the
  smallest ε that changes the answer.

Gradients are with respect to the network's own inputs: the raw input after the model's
preprocessing (features, then scaling), e.g. a digit's pixels scaled to 0–1. A "score" is
an output of the network: with K outputs, class k's score before the softmax; with one
sigmoid output, the probability of class 1 (and 1 minus it for class 0).
"""

from dataclasses import dataclass

import numpy as np

from nncli.autograd import no_grad
from nncli.data import features
from nncli.errors import DivergedError, OptionError
from nncli.tasks.base import preprocessing
from nncli.views import Numbers
from nncli.views.digits import image_side
from nncli.views.layers import as_tensor, layer_ends, layer_output, weighted_sums
from nncli.views.plane import plane_data, plane_grid

IMAGE_EPS_LIMIT = 1.0  # an image's ε is a share of full brightness: beyond 1 every pixel is clipped
EPS_LIMIT = 3.0  # other inputs: ε in the network's (standardised) units
SEARCH_STEPS = 400  # ε values tried, evenly up to the limit, before bisecting to the flip
BISECTIONS = 40
GREY = 0.5  # an image probe's start: every pixel half bright
IMAGE_PENALTY, PENALTY = 0.01, 0.5  # neuron's L2 penalty, by default
PLANE_PIXELS = 24  # grid points across the plane behind a 2-D point's gradient arrow


@dataclass
class Probed:
    """One input, as the probes need it (not a view: what a view is computed from)."""

    x: np.ndarray  # the network's inputs (after the model's preprocessing)
    raw: list  # the input as given (a point's x₁, x₂; a digit's pixels as the network sees them)
    kind: str  # "image", "plane" (a 2-D point) or "table"
    names: list  # one name per network input
    side: int | None  # an image's side
    source: str  # where it came from, in words


def model_inputs(task, meta, raw):
    """The network's inputs for raw rows (n, width), as `predict` makes them: the model's
    one preprocessing path (features, then scaling)."""
    return preprocessing(meta).inputs(raw)


def input_kind(task):
    """ "image" for a task of pixels, "plane" for a 2-D point task (one that draws its input
    plane), "table" for anything else."""
    if getattr(task, "pixel_max", None):
        return "image"
    return "plane" if "boundary" in task.views else "table"


def input_names(task, meta, kind):
    """A name for each of the network's inputs."""
    width = meta["layers"][0]["in"]
    if kind == "image":
        return pixel_names(image_side(width))
    if kind == "plane":
        return (meta["config"].get("features") or ",".join(features.DEFAULT)).split(",")
    table = getattr(task, "table", None)
    if table:
        return list(table["inputs"])
    return ["x"] if width == 1 else [f"x{i + 1}" for i in range(width)]


def example_input(task, meta, dataset, index):
    """Held-out example `index` (the training data where nothing is held out: XOR) as a
    Probed; OptionError (exit 2) past the last one."""
    plane = input_kind(task) == "plane"
    if plane:  # the raw points, to go through the model's preprocessing
        P_train, y_train, P_test, y_test, _ = plane_data(dataset)
        held_out = len(P_test) > 0
        raw, labels = (P_test, y_test) if held_out else (P_train, y_train)
    else:  # the task's data are already the network's inputs
        held_out, raw = True, dataset.X_test
        labels = dataset.y_test[:, 0] if dataset.y_test.ndim == 2 else dataset.y_test
    if index >= len(raw):
        raise OptionError(
            f"--example: the model's data hold {len(raw)} examples to probe (0 to {len(raw) - 1}); got {index}"
        )
    x = model_inputs(task, meta, raw[index : index + 1])[0] if plane else raw[index]
    where = f"held-out example {index}" if held_out else f"training example {index}"
    return probed(task, meta, x, raw[index].tolist(), f"{where} (label {labels[index].item():g})")


def given_input(task, meta, values):
    """The user's raw input (a tuple of numbers) as a Probed, through the model's preprocessing."""
    width = task.input_width(meta)
    if len(values) != width:
        raise OptionError(f"--input: the model takes {width} number{'s' if width != 1 else ''}; got {len(values)}")
    raw = np.array([values], dtype=np.float64)
    if not np.isfinite(model_inputs(task, meta, raw)).all():
        raise OptionError("--input: the model's scaling takes it beyond the largest number; give a smaller input")
    return probed(
        task, meta, model_inputs(task, meta, raw)[0], list(values), f"input ({', '.join(f'{v:g}' for v in values)})"
    )


def probed(task, meta, x, raw, source):
    kind = input_kind(task)
    if kind == "image":
        return image_input(x, source)
    return Probed(np.asarray(x, dtype=np.float64), raw, kind, input_names(task, meta, kind), None, source)


def image_input(pixels, source):
    """A square image's pixels, as the network sees them (scaled to 0–1), as a Probed."""
    pixels = np.asarray(pixels, dtype=np.float64)
    side = image_side(len(pixels))
    return Probed(pixels, pixels.tolist(), "image", pixel_names(side), side, source)


def pixel_names(side):
    """Each pixel by its row and column, counted from 1 as inputs are (x₁ … x₆₄)."""
    return [f"pixel {r},{c}" for r in range(1, side + 1) for c in range(1, side + 1)]


# --- what the network says ----------------------------------------------------------------


def output_width(network):
    """The network's outputs: the width of its last Linear."""
    return [entry for entry in network.spec() if entry["type"] == "linear"][-1]["out"]


def classes_of(network, classifier):
    """How many classes the network tells apart (2 for one output), or None (regression)."""
    if not classifier:
        return None
    return 2 if output_width(network) == 1 else output_width(network)


def network_output(model, inputs):
    """The network's outputs for an input Tensor, recorded for backpropagation."""
    return layer_output(model, inputs, len(layer_ends(model)))


def probabilities(outputs, classes):
    """(n, classes) class probabilities from the network's outputs (n, outputs)."""
    if classes == 2 and outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def answer(network, X, classes):
    """(predicted classes, their probabilities) for network inputs X (n, inputs)."""
    p = probabilities(network.predict(X), classes)
    return p.argmax(axis=1), p.max(axis=1)


def score(outputs, k, classes):
    """The Tensor of class k's score from the network's outputs (1, outputs); for one sigmoid
    output, class 1's probability or class 0's (1 − it); without classes, the output."""
    if classes == 2 and outputs.shape[1] == 1:
        return outputs[0, 0] if k == 1 else 1.0 - outputs[0, 0]
    return outputs[0, k]


def score_name(k, classes, outputs):
    if classes is None:
        return "the network's output"
    if outputs == 1:
        return f"class {k}'s probability" + (" (1 minus the output)" if k == 0 else " (the output)")
    return f"class {k}'s score (its output before the softmax)"


def input_gradient(network, x, objective):
    """(value, ∂value/∂x): the engine's own backward pass through the network from the
    input x (network inputs, 1-D) to the scalar Tensor `objective(input Tensor)` gives."""
    inputs = as_tensor(network, x[None, :], requires_grad=True)
    value = objective(inputs)
    value.backward()
    return float(value.item()), inputs.grad[0].astype(np.float64)


def finite(value, gradient, what):
    """DivergedError (exit 3) unless `value` and `gradient` are finite numbers."""
    if not (np.isfinite(value) and np.isfinite(gradient).all()):
        raise DivergedError(f"{what} is not a number: the network's numbers overflowed on this input")


# --- saliency ----------------------------------------------------------------------------


@dataclass
class Saliency(Numbers):
    """∂score/∂input for one example. `gradient[i]` is for the network input `names[i]`;
    for a 2-D point, `arrow` is the gradient with respect to the point (x₁, x₂) itself
    (through the features and scaling), drawn over `plane` — class `output`'s probability
    on a grid (`plane["z"][i][j]` at (x[j], y[i]), top row first)."""

    kind: str
    source: str
    names: list
    side: int | None
    input: list  # the network's inputs
    raw: list
    output: int  # the class whose score is differentiated
    score_name: str
    score: float
    prediction: int | None
    confidence: float | None
    gradient: list
    arrow: list | None
    plane: dict | None


def saliency(network, probed, classes, chosen=None, plane=None):
    """The saliency of `probed` for class `chosen` (default: the predicted one); `plane`
    (a 2-D task's (xs, ys, encode)) adds the arrow's backdrop."""
    model = network.model
    prediction, confidence = (None, None)
    if classes is not None:
        predicted, sure = answer(network, probed.x[None, :], classes)
        prediction, confidence = int(predicted[0]), float(sure[0])
    k = prediction if chosen is None else chosen
    k = 0 if k is None else k
    value, gradient = input_gradient(network, probed.x, lambda t: score(network_output(model, t), k, classes))
    finite(value, gradient, "the score's gradient")
    arrow = backdrop = None
    if plane is not None:
        xs, ys, encode = plane
        arrow = chain_to_raw(gradient, encode, np.asarray(probed.raw, dtype=np.float64)).tolist()
        grid = np.array([[a, b] for b in ys for a in xs])
        p = probabilities(network.predict(encode(grid)), classes or 2)[:, k if classes else 0]
        backdrop = {"x": list(map(float, xs)), "y": list(map(float, ys)), "z": p.reshape(len(ys), len(xs)).tolist()}
    return Saliency(
        probed.kind,
        probed.source,
        probed.names,
        probed.side,
        probed.x.tolist(),
        list(probed.raw),
        k,
        score_name(k, classes, output_width(network)),
        value,
        prediction,
        confidence,
        gradient.tolist(),
        arrow,
        backdrop,
    )


def plane_backdrop(task, meta, dataset):
    """(xs, ys, encode): the grid over a 2-D task's plane behind a point's gradient arrow,
    and the model's preprocessing of raw points."""
    P_train, _, P_test, _, _ = plane_data(dataset)
    xs, ys, _ = plane_grid(P_train, P_test, PLANE_PIXELS)
    return xs, ys, lambda P: model_inputs(task, meta, P)


def chain_to_raw(gradient, encode, point, step=1e-5):
    """∂score/∂(x₁, x₂) from ∂score/∂(network inputs): the chain rule through the
    preprocessing, whose Jacobian is measured by central differences (exact, to rounding,
    for the default features and their scaling, which are linear)."""
    columns = []
    for axis in range(2):
        nudge = np.zeros(2)
        nudge[axis] = step
        columns.append((encode((point + nudge)[None, :])[0] - encode((point - nudge)[None, :])[0]) / (2 * step))
    return np.column_stack(columns).T @ gradient


# --- what a neuron responds to -------------------------------------------------------------


@dataclass
class NeuronProbe(Numbers):
    """The input that gradient ascent found for one neuron. Each step, from `start`, adds
    rate · ∂(z − penalty·‖input − start‖²)/∂input, where z is the neuron's weighted sum
    (its activation rises with z, and z has a gradient even where a ReLU is flat at 0);
    images stay within 0–1. `sums[s]` and `activations[s]` are the neuron's z and output
    after s steps (0: at the start)."""

    kind: str
    names: list
    side: int | None
    layer: int
    neuron_name: str  # in words: "neuron 3 of hidden layer 1", "output 4: class 3's score"
    neuron: int
    steps: int
    rate: float
    penalty: float
    start: list
    input: list
    sums: list
    activations: list


def neuron(network, kind, names, start, layer, unit, classes, steps, rate, penalty):
    """Gradient ascent on the input for neuron `unit` (1-based) of `layer` (1-based; the
    last is the output layer) of a network telling `classes` classes apart (None: a
    regression). DivergedError (exit 3) if the input or the neuron stops
    being finite."""
    model = network.model
    start = np.asarray(start, dtype=np.float64)
    side = image_side(len(start)) if kind == "image" else None
    x, sums, activations = start.copy(), [], []

    def objective(inputs):
        z = weighted_sums(model, inputs, layer)[0, unit - 1]
        return z - penalty * ((inputs - start) ** 2).sum()

    for step in range(steps + 1):
        _, gradient = input_gradient(network, x, objective)
        with no_grad():
            inputs = as_tensor(network, x[None, :])
            sums.append(float(weighted_sums(model, inputs, layer).data[0, unit - 1]))
            activations.append(float(layer_output(model, inputs, layer).data[0, unit - 1]))
        if not (np.isfinite(sums[-1]) and np.isfinite(activations[-1]) and np.isfinite(gradient).all()):
            raise DivergedError(
                f"the probe diverged at step {step}: the neuron's output is no longer a number; "
                "try a smaller --rate or a larger --penalty"
            )
        if step == steps:
            break
        x = x + rate * gradient
        if kind == "image":
            x = np.clip(x, 0.0, 1.0)
    return NeuronProbe(
        kind,
        names,
        side,
        layer,
        neuron_name(layer, len(layer_ends(model)), unit, classes, output_width(network)),
        unit,
        steps,
        rate,
        penalty,
        start.tolist(),
        x.tolist(),
        sums,
        activations,
    )


def neuron_name(layer, layers, unit, classes, outputs):
    if layer < layers:
        return f"neuron {unit} of hidden layer {layer}"
    if outputs == 1:
        return "the output: class 1's probability" if classes else "the output"
    return f"output {unit}: class {unit - 1}'s score" if classes else f"output {unit}"


def default_penalty(kind):
    """The L2 penalty that keeps an ascent near its start: pixels are clipped to 0–1 anyway,
    other inputs (in standard deviations) would otherwise wander far from any data."""
    return IMAGE_PENALTY if kind == "image" else PENALTY


def probe_start(kind, X_train):
    """Where gradient ascent starts: a grey image, or the middle of the training inputs."""
    if kind == "image":
        return np.full(X_train.shape[1], GREY)
    return X_train.mean(axis=0).astype(np.float64)


# --- fooling it ------------------------------------------------------------------------------


@dataclass
class Fooled(Numbers):
    """The fast gradient sign method on one example: the input moved by ε·sign(∂loss/∂input),
    where the loss is the model's own, of its own answer (so the step pushes away from it);
    images stay within 0–1. `smallest_eps` is the least ε that changes the answer, searched
    up to `eps_limit` (None: none does)."""

    kind: str
    source: str
    names: list
    side: int | None
    input: list
    loss_gradient: list
    step: list  # sign(∂loss/∂input)
    eps: float
    adversarial: list
    before: dict  # {"prediction", "confidence"}
    after: dict
    smallest_eps: float | None
    eps_limit: float


def eps_limit(kind):
    return IMAGE_EPS_LIMIT if kind == "image" else EPS_LIMIT


def fool(network, probed, classes, eps=None):
    """FGSM on `probed`: at `eps`, or (None) at the smallest ε that flips the answer."""
    predicted, sure = answer(network, probed.x[None, :], classes)
    own = int(predicted[0])
    target = np.array([own]) if network.loss_name == "cross_entropy" else np.array([[float(own)]])
    model = network.model
    loss, gradient = input_gradient(network, probed.x, lambda t: network.output_loss(network_output(model, t), target))
    finite(loss, gradient, "the loss's gradient")
    direction = np.sign(gradient)
    limit = eps_limit(probed.kind)
    smallest = smallest_flip(network, probed, classes, direction, own, limit)
    eps = eps if eps is not None else (smallest if smallest is not None else limit)
    moved = nudged(probed, direction, eps)
    after, after_sure = answer(network, moved[None, :], classes)
    return Fooled(
        probed.kind,
        probed.source,
        probed.names,
        probed.side,
        probed.x.tolist(),
        gradient.tolist(),
        direction.tolist(),
        float(eps),
        moved.tolist(),
        {"prediction": own, "confidence": float(sure[0])},
        {"prediction": int(after[0]), "confidence": float(after_sure[0])},
        smallest,
        limit,
    )


def nudged(probed, direction, eps):
    """The input moved by ε along `direction`; an image's pixels kept within 0–1."""
    moved = probed.x + np.multiply.outer(np.atleast_1d(eps), direction)
    if probed.kind == "image":
        moved = np.clip(moved, 0.0, 1.0)
    return moved if np.ndim(eps) else moved[0]


def smallest_flip(network, probed, classes, direction, own, limit):
    """The least ε in (0, limit] at which the answer is no longer `own`: the first of
    SEARCH_STEPS evenly spaced values that flips it, then bisection between it and the one
    before (the answer need not change only once as ε grows: this is the first change the
    grid sees). None if none of them flips it."""
    grid = np.linspace(0, limit, SEARCH_STEPS + 1)[1:]
    with no_grad():
        flipped = answer(network, nudged(probed, direction, grid), classes)[0] != own
    if not flipped.any():
        return None
    first = int(flipped.argmax())
    low, high = (grid[first - 1] if first else 0.0), grid[first]
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if answer(network, nudged(probed, direction, middle)[None, :], classes)[0][0] != own:
            high = middle
        else:
            low = middle
    return float(high)
