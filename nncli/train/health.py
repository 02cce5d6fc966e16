"""Network health: what happens inside a network while it trains, and what it means.

Per linear layer (named by its weight, "0.weight", "2.weight", …), on one fixed batch:

- act_mean, act_std: the layer's outputs after its activation. Shrinking layer by layer,
  the signal fades; growing, it blows up.
- saturated: the share of sigmoid/tanh outputs within 0.03 of their limits, where their
  slope is nearly zero — or, for ReLU, the share of units that are zero ("dead") for the
  whole batch, which pass back no gradient at all. None for a layer with no activation.
- grad_std: the std of the loss's gradient with respect to the weight. If the first
  layers' are orders of magnitude below the last's, the gradient vanishes on its way back.
- update_ratio: log10(std(update) / std(weight)) for the step the optimiser actually took
  (for plain SGD, update = lr · grad). About −3 is healthy: each step changes the weights
  by a thousandth of their size.

These are the statistics of Karpathy's makemore lectures. `verdict` turns a run's history
of them into one plain sentence when a pathology is clear.
"""

import math
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from nncli import nn, store
from nncli.autograd import Tensor
from nncli.errors import ModelFileError

SAMPLE_ROWS = 256  # the fixed batch: the first rows of the training data
SATURATION_MARGIN = 0.03
SATURATING = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
RECTIFIERS = ("relu",)  # a leaky ReLU never dies: its slope is 0.01 where a ReLU's is 0


# --- measuring ---------------------------------------------------------------------------


class HealthMonitor:
    """Measures a Tensor network's layers on one fixed batch, at the epochs asked for.

    The training loop calls `before_step()` just before the last optimiser step of an
    epoch it will log, then `measure(epoch)` after it: the weights' change between the two
    is the update the optimiser really made.
    """

    def __init__(self, network, X, y, rows=SAMPLE_ROWS):
        self.network = network
        self.X, self.y = X[:rows], y[:rows]
        self.weights = [(name, layer.weight) for name, layer in linear_layers(network.model)]
        self.before = None
        self.history = []  # every layer_stats event measured

    def before_step(self):
        self.before = [weight.data.copy() for _, weight in self.weights]

    def measure(self, epoch):
        """The layer_stats event for `epoch` (also kept in `history`)."""
        layers = measure_layers(self.network, self.X, self.y)
        for stats, (_, weight), before in zip(layers, self.weights, self.before or [None] * len(layers)):
            stats["update_ratio"] = None if before is None else update_ratio(weight.data - before, weight.data)
        self.before = None
        event = {"event": "layer_stats", "epoch": epoch, "layers": layers}
        self.history.append(event)
        return event


def linear_layers(model, prefix=""):
    """(state-dict prefix, Linear) for every linear layer, residual blocks included, in order."""
    for index, layer in enumerate(model.layers):
        if isinstance(layer, nn.Linear):
            yield f"{prefix}{index}", layer
        elif isinstance(layer, nn.Residual):
            yield from linear_layers(layer.module, f"{prefix}{index}.module.")


def measure_layers(network, X, y):
    """Per linear layer: name, activation, act_mean, act_std, saturated, grad_std — from one
    forward and backward pass over (X, y), leaving no trace on the network."""
    records = []
    with _measuring(network.model):
        output = _forward(network.model, Tensor(X.astype(network.dtype, copy=False)), "", records)
        network.output_loss(output, y).backward()
        stats = [_layer_stats(*record) for record in records]
    return stats


def _forward(sequential, x, prefix, records):
    """Run the layers, recording for each Linear [name, Linear, its output after any batch
    norm and activation, that activation's name]."""
    for index, layer in enumerate(sequential.layers):
        if isinstance(layer, nn.Residual):
            x = x + _forward(layer.module, x, f"{prefix}{index}.module.", records)
            continue
        x = layer(x)
        if isinstance(layer, nn.Linear):
            records.append([f"{prefix}{index}.weight", layer, x, None])
        elif records and isinstance(layer, nn.layers.Activation):
            records[-1][2:] = [x, layer.name]
        elif records and isinstance(layer, nn.BatchNorm1d):
            records[-1][2] = x
    return x


def _layer_stats(name, linear, output, activation):
    values = output.data.astype(np.float64)
    act_mean, act_std = mean_and_std(values)
    return {
        "name": name,
        "activation": activation or "identity",
        "act_mean": act_mean,
        "act_std": act_std,
        "saturated": saturated_share(values, activation),
        "grad_std": mean_and_std(linear.weight.grad)[1] if linear.weight.grad is not None else 0.0,
    }


def mean_and_std(values):
    """float(values.mean()) and float(values.std()), to the bit, in less time.

    These are the NumPy operations, on the same operands, that `np.std` makes
    (numpy/_core/_methods.py, `_var`), without the checks and dispatch around them, which
    on a layer-sized array take longer than the arithmetic; and the sum for the mean is
    made once for both (tests/test_health.py compares them with NumPy's on random arrays).
    """
    count = np.intp(values.size)
    mean = np.add.reduce(values, axis=None, keepdims=True)
    np.true_divide(mean, count, out=mean, casting="unsafe")
    deviations = np.subtract(values, mean)
    np.square(deviations, out=deviations)
    total = np.add.reduce(deviations, axis=None)
    return float(mean.reshape(())), float(np.sqrt(total.dtype.type(total / count)))


def saturated_share(values, activation):
    """The share of saturated outputs (sigmoid, tanh) or dead units (ReLU) in a batch of a
    layer's outputs (rows: examples); None for other activations."""
    if activation in SATURATING:
        low, high = SATURATING[activation]
        return _share((values < low + SATURATION_MARGIN) | (values > high - SATURATION_MARGIN))
    if activation in RECTIFIERS:
        return _share((values <= 0).all(axis=0))
    return None


def _share(mask):
    """The share of True in a boolean array: its mean, as one exact division."""
    return np.count_nonzero(mask) / mask.size


def update_ratio(update, weight):
    """log10(std(update) / std(weight)); −inf for no update, None for a constant weight."""
    spread = mean_and_std(weight)[1]
    if spread == 0 or not math.isfinite(spread):
        return None
    step = mean_and_std(update)[1]
    return math.log10(step / spread) if step > 0 else -math.inf


@contextmanager
def _measuring(model):
    """Measure as in training (batch norm on the batch's statistics) but without dropout,
    whose random draws belong to the training, and leave every running statistic and
    gradient as it was."""
    modules = list(_modules(model))
    buffers = [(m, name, getattr(m, name).copy()) for m in modules for name in m.buffers]
    dropouts = [m for m in modules if isinstance(m, nn.Dropout) and m.training]
    grads = [(p, p.grad) for p in model.parameters()]
    for p, _ in grads:
        p.grad = None
    for m in dropouts:
        m.training = False
    try:
        yield
    finally:
        for m, name, saved in buffers:
            getattr(m, name)[...] = saved
        for m in dropouts:
            m.training = True
        for p, grad in grads:
            p.grad = grad


def _modules(module):
    yield module
    for _, child in module.named_children():
        yield from _modules(child)


# --- judging -----------------------------------------------------------------------------

VANISHING = 1e-2  # the weakest hidden layer's gradient std below this share of the last's
EXPLODING = 1e2  # the strongest's above this multiple
SATURATED = 0.5  # share of a hidden layer's units saturated or dead
TOO_LARGE = -1.0  # update ratio (log10) above this: a step changes weights by over a tenth
TOO_SMALL = -6.0  # ... below this: by under a millionth


def verdict(history, lr, learned_well):
    """One plain sentence naming the clearest pathology in a run's layer_stats history, and
    what to try — or None when nothing is clearly wrong.

    `learned_well`: whether the run learned (its loss fell well below its start). Half-
    saturated layers, weak early gradients and tiny steps can belong to a network that
    learns, or that has converged; only in a run that did not learn are they the cause.
    """
    if not history:
        return None
    last = history[-1]["layers"]
    steps = [s["update_ratio"] for e in history for s in e["layers"] if _finite(s["update_ratio"])]
    biggest_step = max(steps, default=None)
    too_fast = biggest_step is not None and biggest_step > TOO_LARGE
    # A vanishing gradient shows at the start: once the early layers escape (if they do),
    # their gradient recovers, but the run has lost those epochs. So judge the first half.
    first_half = history[: max(1, len(history) // 2)]
    weakest = _median([_relative_gradient(e["layers"], min) for e in first_half])
    strongest = _median([_relative_gradient(e["layers"], max) for e in history])

    saturated = [(i, s) for i, s in enumerate(last[:-1], 1) if _finite(s["saturated"]) and s["saturated"] > SATURATED]
    share = float(np.mean([s["saturated"] for _, s in saturated])) if saturated else 0.0
    if saturated and (share > 0.9 or not learned_well):
        where = _hidden_layers([i for i, _ in saturated])
        kind = saturated[0][1]["activation"]
        if kind in RECTIFIERS:
            what = (
                f"{share:.0%} of the ReLU units in {where} are dead (zero for every example): no gradient reaches them"
            )
            cure = "a smaller --lr" if too_fast else "--init he, --batchnorm or --activation leaky_relu"
        else:
            what = (
                f"The neurons saturated: {share:.0%} of the {kind} outputs in {where} sit at their limits, "
                "where their slope is almost zero, so they stopped learning"
            )
            cure = "a smaller --lr" if too_fast else "--init xavier or --batchnorm"
        if too_fast:
            cure += f" than {lr:g} (its steps changed the weights by up to {10**biggest_step:.2g}× their size)"
        return f"{what}; try {cure}."
    if weakest is not None and weakest < VANISHING and (weakest < VANISHING**2 or not learned_well):
        return (
            f"The gradient vanishes on its way back: in the first half of training the weakest hidden layer's "
            f"was typically {weakest:.1e} times the last layer's, so the early layers barely learned; try "
            "--activation relu --init he, --residual or --batchnorm."
        )
    if strongest is not None and strongest > EXPLODING:
        return (
            f"The gradient explodes on its way back: the early layers' is typically {strongest:.1e} times the last "
            "layer's; try a smaller --lr, --batchnorm or --init xavier."
        )
    if too_fast:
        return (
            f"The updates are far too large: a step changed the weights by up to {10**biggest_step:.2g}× their "
            f"size (about 0.001× is healthy); try a smaller --lr than {lr:g}."
        )
    last_steps = [s["update_ratio"] for s in last if s["update_ratio"] is not None]
    if last_steps and not learned_well and max(last_steps) < TOO_SMALL:
        return (
            f"The updates are far too small: each step changes the weights by less than {10**TOO_SMALL:.0e} of "
            f"their size (about 0.001 is healthy); try a larger --lr than {lr:g}."
        )
    return None


def gradient_ratio(layers):
    """The first linear layer's gradient std over the last's (None if undefined)."""
    if len(layers) < 2 or not _finite(layers[-1]["grad_std"]) or not layers[-1]["grad_std"] > 0:
        return None
    return layers[0]["grad_std"] / layers[-1]["grad_std"] if _finite(layers[0]["grad_std"]) else None


def _relative_gradient(layers, pick):
    """The weakest (pick=min) or strongest (max) hidden layer's gradient std over the last's."""
    if len(layers) < 2 or not _finite(layers[-1]["grad_std"]) or not layers[-1]["grad_std"] > 0:
        return None
    hidden = [s["grad_std"] for s in layers[:-1]]
    return pick(hidden) / layers[-1]["grad_std"] if all(_finite(g) for g in hidden) else None


def _median(values):
    values = [v for v in values if v is not None]
    return float(np.median(values)) if values else None


def _hidden_layers(numbers):
    """ "hidden layer 3" or "hidden layers 8, 9, 10": counted from the input, from 1."""
    listed = ", ".join(map(str, numbers))
    return f"hidden layer {listed}" if len(numbers) == 1 else f"hidden layers {listed}"


def _finite(x):
    return x is not None and math.isfinite(x)


# --- a run that learned nothing ----------------------------------------------------------

CHANCE_MARGIN = 0.1  # within a tenth of the way from chance to perfect: no better than chance


def chance_accuracy(labels):
    """What always answering the most common class scores on these labels."""
    labels = np.asarray(labels)
    labels = (labels.ravel() > 0.5).astype(int) if labels.dtype.kind == "f" else labels.ravel()
    return float(np.bincount(labels).max() / len(labels)) if len(labels) else 0.0


def failure(start_loss, metrics, chance=None):
    """A sentence saying that a finished run learned nothing — its loss ended above where it
    started, or its accuracy is at chance — or None if it learned something."""
    loss = metrics["loss"]
    if _finite(start_loss) and _finite(loss) and loss > start_loss:
        return f"this run learned nothing: its loss rose from {start_loss:.4g} at the start to {loss:.4g}"
    accuracy = metrics.get("accuracy")
    if chance is not None and accuracy is not None and accuracy < chance + CHANCE_MARGIN * (1 - chance):
        return (
            f"this run learned nothing: its accuracy, {accuracy:.1%}, is close to chance "
            f"({chance:.1%}, always answering the most common class)"
        )
    return None


def better_model_at(path, metrics, task):
    """A sentence describing the model already at `path` if it must not be replaced by one
    with these metrics — it is better, or not a readable model of this task — else None."""
    path = Path(path)
    try:
        meta = store.read_meta(path)
    except ModelFileError:
        return None if not path.exists() else f"{path} holds a file that is not a model nncli can read"
    old = meta["metrics"]
    if meta["task"] != task:
        return f"{path} holds a {meta['task']} model"
    if _finite(old.get("accuracy")) and _finite(metrics.get("accuracy")):
        if old["accuracy"] > metrics["accuracy"]:
            scores = f"accuracy {old['accuracy']:.1%}, this run {metrics['accuracy']:.1%}"
            return f"{path} holds a better {task} model ({scores})"
        return None
    key = "test_loss" if "test_loss" in old and "test_loss" in metrics else "loss"
    if _finite(old.get(key)) and _finite(metrics.get(key)) and old[key] < metrics[key]:
        return (
            f"{path} holds a better {task} model ({key.replace('_', ' ')} {old[key]:.4g}, this run {metrics[key]:.4g})"
        )
    return None
