"""The two lessons every course ends on, as numbers: one gradient-descent step on a line,
and one forward and backward pass through a trained network.

Each number is computed twice: once by hand, as a lesson writes the formula (NumPy, float64),
and once by nncli's own autograd engine. `backprop_pass` raises `ExplainMismatch` if the two
disagree, so what is printed is what the engine does — a mismatch would be a bug.
"""

from dataclasses import dataclass

import numpy as np

from nncli import nn
from nncli.autograd import Tensor, Value
from nncli.errors import NncliError
from nncli.nn.layers import ACTIVATIONS, activation_of
from nncli.views import Numbers

MAX_POINTS = 20  # a descent step is for reading: a table of at most this many points
RTOL, ATOL = 1e-9, 1e-12  # hand-derived vs engine, both in float64: only rounding may differ


class ExplainMismatch(NncliError):
    """The hand-derived chain rule and the engine's backward pass disagree: a bug."""


# --- gradient descent on y = m·x + c -----------------------------------------------------


@dataclass
class DescentStep:
    """One step of gradient descent on L(m, c) = mean((y − (m·x + c))²)."""

    step: int
    m: float
    c: float
    x: np.ndarray
    y: np.ndarray
    y_hat: np.ndarray  # m·x + c
    error: np.ndarray  # y − ŷ
    loss: float
    grad_m: float  # −2/n · Σ x(y − ŷ), by hand
    grad_c: float  # −2/n · Σ (y − ŷ), by hand
    engine_grad_m: float  # the same two, from the scalar engine's backward pass
    engine_grad_c: float
    lr: float
    new_m: float
    new_c: float
    new_loss: float

    def as_dict(self):
        return {
            "step": self.step,
            "m": self.m,
            "c": self.c,
            "points": [
                {"x": float(x), "y": float(y), "y_hat": float(p), "error": float(e)}
                for x, y, p, e in zip(self.x, self.y, self.y_hat, self.error)
            ],
            "loss": self.loss,
            "grad_m": self.grad_m,
            "grad_c": self.grad_c,
            "engine_grad_m": self.engine_grad_m,
            "engine_grad_c": self.engine_grad_c,
            "lr": self.lr,
            "new_m": self.new_m,
            "new_c": self.new_c,
            "new_loss": self.new_loss,
        }


@dataclass
class DescentLesson(Numbers):
    """`nncli explain descent`: the steps taken, the first of them written out in full, on
    points from `source` ("near y = 2x + 1, seed 0", "from points.csv")."""

    source: str
    steps: list  # of DescentStep

    def to_json(self):
        return {"steps": [step.as_dict() for step in self.steps]}


def lesson_points(n, seed):
    """n readable points near y = 2x + 1: x in [0, 4] to one decimal, y to two."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(0, 4, n), 1)
    y = np.round(2 * x + 1 + rng.normal(0, 0.5, n), 2)
    return x, y


def lesson_start(seed):
    """A starting (m, c), to one decimal, drawn from the seed."""
    rng = np.random.default_rng([seed, 1])
    return float(np.round(rng.uniform(-1, 1), 1)), float(np.round(rng.uniform(-1, 1), 1))


def descent_steps(x, y, m, c, lr, steps=1):
    """`steps` steps of gradient descent from (m, c), each a DescentStep."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = len(x)
    out = []
    for step in range(1, steps + 1):
        y_hat = m * x + c
        error = y - y_hat
        loss = float(np.mean(error**2))
        grad_m = float(-2 / n * np.sum(x * error))
        grad_c = float(-2 / n * np.sum(error))
        engine_m, engine_c = _engine_line_gradients(x, y, m, c)
        _check("∂L/∂m", grad_m, engine_m)
        _check("∂L/∂c", grad_c, engine_c)
        new_m, new_c = m - lr * grad_m, c - lr * grad_c
        new_loss = float(np.mean((y - (new_m * x + new_c)) ** 2))
        out.append(
            DescentStep(
                step, m, c, x, y, y_hat, error, loss, grad_m, grad_c, engine_m, engine_c, lr, new_m, new_c, new_loss
            )
        )
        m, c = new_m, new_c
    return out


def _engine_line_gradients(x, y, m, c):
    """∂L/∂m and ∂L/∂c from the scalar Value engine: build L, call backward()."""
    m_value, c_value = Value(m, label="m"), Value(c, label="c")
    total = Value(0.0)
    for xi, yi in zip(x.tolist(), y.tolist()):
        total = total + (yi - (m_value * xi + c_value)) ** 2
    loss = total / len(x)
    loss.backward()
    return m_value.grad, c_value.grad


# --- backpropagation through a network ---------------------------------------------------


@dataclass
class NormPass:
    """A BatchNorm1d between a Linear and its activation, in evaluation mode: a per-neuron
    affine map on the running statistics of training, ẑ = γ·(z − μ)/√(σ² + ε) + β."""

    key: str  # its state-dict prefix ("1", or "3.module.1" inside a residual block)
    eps: float
    mean: np.ndarray  # μ: the running mean of z over training
    var: np.ndarray  # σ²: the running variance
    gamma: np.ndarray  # γ (the layer's weight), learned
    beta: np.ndarray  # β (the layer's bias), learned
    std: np.ndarray  # √(σ² + ε)
    normalised: np.ndarray  # x̂ = (z − μ)/√(σ² + ε)
    scale: np.ndarray  # γ/√(σ² + ε) = ∂ẑ/∂z: each ẑⱼ depends on zⱼ alone, with this slope
    z_hat: np.ndarray  # ẑ = γ·x̂ + β, what the activation is given
    dL_dz_hat: np.ndarray  # ∂L/∂ẑ = ∂L/∂a · σ'(ẑ)
    gamma_grad: np.ndarray  # ∂L/∂γ = ∂L/∂ẑ · x̂
    beta_grad: np.ndarray  # ∂L/∂β = ∂L/∂ẑ

    def as_dict(self):
        return {
            "key": self.key,
            "eps": self.eps,
            "running_mean": self.mean.tolist(),
            "running_var": self.var.tolist(),
            "gamma": self.gamma.tolist(),
            "beta": self.beta.tolist(),
            "normalised": self.normalised.tolist(),
            "scale": self.scale.tolist(),
            "z_hat": self.z_hat.tolist(),
            "dL_dz_hat": self.dL_dz_hat.tolist(),
            "gamma_grad": self.gamma_grad.tolist(),
            "beta_grad": self.beta_grad.tolist(),
        }


@dataclass
class LayerPass:
    """One Linear layer and what follows it (a batch norm, an activation), forwards and
    backwards, on one example."""

    index: int  # the position in the layer list of the Linear (or of the residual block holding it)
    key: str  # the Linear's state-dict prefix: "0", or "3.module.0" inside a residual block
    block: str | None  # the prefix of the residual block it is inside ("3"), if it is
    activation: str
    dropout: float | None  # p of a dropout after it: off while explaining (evaluation mode)
    weight: np.ndarray  # (out, in), rows are neurons
    bias: np.ndarray | None  # (out,); None for a Linear without one (a batch norm's β takes its place)
    inputs: np.ndarray  # a_prev, what the layer is given
    z: np.ndarray  # W·a_prev + b
    norm: NormPass | None  # the batch norm between z and the activation, if there is one
    a: np.ndarray  # σ(z), or σ(ẑ) after a batch norm
    derivative: np.ndarray  # σ' at the activation's input (for softmax: the diagonal a(1 − a) only)
    dL_da: np.ndarray  # ∂L/∂a: from the loss, or Σ_k W_next[k, j] δ_k
    delta: np.ndarray  # ∂L/∂z
    weight_grad: np.ndarray  # δ ⊗ a_prev, (out, in)
    bias_grad: np.ndarray | None  # δ; None without a bias

    def as_dict(self):
        return {
            "index": self.index,
            "key": self.key,
            "block": self.block,
            "activation": self.activation,
            "dropout": self.dropout,
            "input": self.inputs.tolist(),
            "weight": self.weight.tolist(),
            "bias": None if self.bias is None else self.bias.tolist(),
            "z": self.z.tolist(),
            "batchnorm": None if self.norm is None else self.norm.as_dict(),
            "a": self.a.tolist(),
            "dL_da": self.dL_da.tolist(),
            "delta": self.delta.tolist(),
            "weight_grad": self.weight_grad.tolist(),
            "bias_grad": None if self.bias_grad is None else self.bias_grad.tolist(),
        }


@dataclass
class SkipPass:
    """A residual block on the example: out = x + block(x). Backwards, the gradient reaching
    its input x comes along two paths: ∂L/∂out straight along the skip, plus what flows
    back through the block's layers — so even when the block's share fades, the layers
    before it still get the whole of ∂L/∂out."""

    key: str  # the block's state-dict prefix ("3")
    first: int  # positions in BackpropPass.layers of the block's first and last Linear
    last: int
    inputs: np.ndarray  # x, what the block is given
    block: np.ndarray  # block(x): the a of its last layer
    out: np.ndarray  # x + block(x), what the next layer is given
    dL_dout: np.ndarray  # ∂L/∂out, carried back to x unchanged by the skip
    through_block: np.ndarray  # what reaches x back through the block: Wᵀδ of its first layer
    dL_dx: np.ndarray  # ∂L/∂x = dL_dout + through_block

    def as_dict(self):
        return {
            "key": self.key,
            "first": self.first,
            "last": self.last,
            "input": self.inputs.tolist(),
            "block": self.block.tolist(),
            "out": self.out.tolist(),
            "dL_dout": self.dL_dout.tolist(),
            "through_block": self.through_block.tolist(),
            "dL_dx": self.dL_dx.tolist(),
        }


@dataclass
class BackpropPass:
    """A forward and a backward pass of one example, every number checked by the engine."""

    input: np.ndarray  # what the first layer sees (after the model's input scaling)
    loss_name: str  # "mse", "bce" or "cross_entropy"
    target: np.ndarray  # per output (mse, bce), or [class index] (cross-entropy)
    output: np.ndarray  # the last layer's a; softmax(z) for cross-entropy
    loss: float
    lr: float
    layers: list  # of LayerPass, first to last (those inside residual blocks among them)
    skips: list  # of SkipPass, one per residual block

    def skip_starting_at(self, position):
        """The residual block whose first layer is layers[position], or None."""
        return next((skip for skip in self.skips if skip.first == position), None)

    def skip_ending_at(self, position):
        """The residual block whose last layer is layers[position], or None."""
        return next((skip for skip in self.skips if skip.last == position), None)

    def as_dict(self):
        return {
            "input": self.input.tolist(),
            "loss_name": self.loss_name,
            "target": self.target.tolist(),
            "output": self.output.tolist(),
            "loss": self.loss,
            "lr": self.lr,
            "layers": [
                {"name": layer_name(number, len(self.layers)), **layer.as_dict()}
                for number, layer in enumerate(self.layers, start=1)
            ],
            "residual_blocks": [skip.as_dict() for skip in self.skips],
        }


@dataclass
class Backprop(Numbers):
    """`nncli explain backprop`: one pass through a model (`heading` says which, on what),
    and the optimizer it was trained with (the updates shown are plain SGD's)."""

    heading: str
    optimizer: str
    result: BackpropPass

    def to_json(self):
        return self.result.as_dict()


def layer_name(number, count):
    """Linear layer `number` of `count`, counted from 1 as a student counts them: "hidden
    layer 1", "hidden layer 2", …, "output layer" (state-dict keys count every layer from 0)."""
    return "output layer" if number == count else f"hidden layer {number}"


@dataclass
class Group:
    """Where one Linear and what follows it sit in the layer list, as state-dict prefixes."""

    index: int  # position in the layer list
    linear: str  # prefix of the Linear
    norm: str | None  # of the BatchNorm1d after it
    eps: float | None  # that batch norm's ε
    activation: dict  # the activation's entry ({"type": "identity"} for none)
    output: str  # where a is read: the activation, else the batch norm, else the Linear
    dropout: float | None
    block: str | None  # the prefix of the residual block it is inside, if it is


def layer_groups(spec, prefix="", index=None):
    """[Group] — each Linear with what follows it: a batch norm, an activation, a dropout;
    those inside a residual block (`prefix` "3.module.", the block at `index`) in order.

    NncliError for a layer list the lesson cannot write out neuron by neuron.
    """
    block = prefix.removesuffix(".module.") or None
    groups = []
    for i, entry in enumerate(spec):
        kind, key = entry["type"], f"{prefix}{i}"
        if kind == "linear":
            position = i if index is None else index
            groups.append(Group(position, key, None, None, {"type": "identity"}, key, None, block))
        elif not groups:
            where = "a residual block" if block else "this network"
            raise NncliError(f"explain needs a linear layer first; {where} starts with {kind}")
        elif kind == "residual":
            if block is not None:
                raise NncliError("explain writes out residual blocks one level deep; this one holds another")
            if i == len(spec) - 1:
                raise NncliError("explain needs a linear layer after a residual block; this network ends with one")
            groups += layer_groups(entry["layers"], f"{key}.module.", i)
        elif kind == "dropout":
            groups[-1].dropout = entry["p"]
        elif kind == "batchnorm":
            if groups[-1].output != groups[-1].linear:
                raise NncliError("explain writes out batch norm only straight after a linear layer")
            groups[-1].norm, groups[-1].eps, groups[-1].output = key, float(entry.get("eps", 1e-5)), key
        elif kind in ACTIVATIONS:
            if groups[-1].activation["type"] != "identity":
                raise NncliError("explain writes out one activation per linear layer; this network has two in a row")
            if kind == "softmax" and (block or i != len(spec) - 1):
                raise NncliError("explain writes out softmax only as the last layer")
            groups[-1].activation, groups[-1].output = entry, key
        else:
            raise NncliError(f"explain cannot write out {kind} layers neuron by neuron yet")
    return groups


def opens_block(groups, position):
    """Whether groups[position] is the first layer of a residual block."""
    block = groups[position].block
    return block is not None and (position == 0 or groups[position - 1].block != block)


def closes_block(groups, position):
    """Whether groups[position] is the last layer of a residual block."""
    block = groups[position].block
    return block is not None and (position == len(groups) - 1 or groups[position + 1].block != block)


def backprop_pass(spec, state, loss_name, x, target, lr):
    """The forward and backward pass of input `x` (already scaled as the network sees it)
    with `target` (per output, or a class index for cross-entropy), by hand, checked
    against the Tensor engine's backward pass (ExplainMismatch if they differ)."""
    groups = layer_groups(spec)
    x = np.asarray(x, dtype=np.float64)
    target = np.atleast_1d(np.asarray(target, dtype=np.float64))
    layers, skips = [], []
    inputs = x
    for position, group in enumerate(groups):
        if opens_block(groups, position):
            empty = np.zeros_like(inputs)
            skips.append(SkipPass(group.block, position, position, inputs, empty, empty, empty, empty, empty))
        layers.append(_forward(group, state, inputs))
        inputs = layers[-1].a
        if closes_block(groups, position):
            skip = skips[-1]
            skip.last, skip.block, skip.out = position, inputs, skip.inputs + inputs  # out = x + block(x)
            inputs = skip.out
    result = BackpropPass(x, loss_name, target, None, 0.0, float(lr), layers, skips)

    result.output, result.loss, dL_da = _loss(loss_name, layers[-1].a, target)
    # Backwards: δ = ∂L/∂a · σ'(z); then the layer before gets ∂L/∂a = Wᵀ δ. A residual
    # block's out = x + block(x) hands ∂L/∂out to its last layer unchanged, and to x too.
    for position in reversed(range(len(layers))):
        ending = result.skip_ending_at(position)
        if ending is not None:
            ending.dL_dout = dL_da
        dL_da = _backward(layers[position], groups[position], dL_da)
        starting = result.skip_starting_at(position)
        if starting is not None:
            starting.through_block = dL_da
            starting.dL_dx = starting.dL_dout + dL_da  # both paths' gradients add
            dL_da = starting.dL_dx

    check_against_engine(spec, state, result, groups)
    return result


def _forward(group, state, inputs):
    """z = W·a_prev + b, then (with a batch norm) ẑ, then a = σ(z or ẑ)."""
    weight = np.asarray(state[f"{group.linear}.weight"], dtype=np.float64)
    bias = state.get(f"{group.linear}.bias")
    bias = None if bias is None else np.asarray(bias, dtype=np.float64)
    z = weight @ inputs if bias is None else weight @ inputs + bias
    norm, pre = None, z
    if group.norm is not None:
        mean, var, gamma, beta = (
            np.asarray(state[f"{group.norm}.{name}"], dtype=np.float64)
            for name in ("running_mean", "running_var", "weight", "bias")
        )
        std = np.sqrt(var + group.eps)
        normalised = (z - mean) / std  # in evaluation mode μ and σ² are constants
        pre = normalised * gamma + beta
        empty = np.zeros_like(z)
        norm = NormPass(
            group.norm, group.eps, mean, var, gamma, beta, std, normalised, gamma / std, pre, empty, empty, empty
        )
    a = activation_of(group.activation).on_array(pre)
    empty = np.zeros_like(z)
    return LayerPass(
        group.index, group.linear, group.block, group.activation["type"], group.dropout, weight, bias, inputs, z,
        norm, a, empty, empty, empty, empty, None if bias is None else empty,
    )  # fmt: skip


def _backward(layer, group, dL_da):
    """Fill in the layer's backward numbers from ∂L/∂a; return ∂L/∂a of the layer before."""
    layer.dL_da = dL_da
    pre = layer.z if layer.norm is None else layer.norm.z_hat  # what the activation was given
    if layer.activation == "softmax":
        layer.derivative = layer.a * (1 - layer.a)
        dL_dpre = layer.a * (dL_da - np.dot(dL_da, layer.a))  # the softmax's Jacobian applied
    else:
        layer.derivative = activation_of(group.activation).derivative(pre, layer.a)
        dL_dpre = dL_da * layer.derivative
    if layer.norm is None:
        layer.delta = dL_dpre
    else:  # ẑ = γ·(z − μ)/√(σ² + ε) + β, so ∂ẑ/∂z = γ/√(σ² + ε), ∂ẑ/∂γ = x̂, ∂ẑ/∂β = 1
        norm = layer.norm
        norm.dL_dz_hat = dL_dpre
        norm.gamma_grad = dL_dpre * norm.normalised
        norm.beta_grad = dL_dpre.copy()
        layer.delta = dL_dpre * norm.scale
    layer.weight_grad = np.outer(layer.delta, layer.inputs)
    if layer.bias is not None:
        layer.bias_grad = layer.delta.copy()
    return layer.weight.T @ layer.delta


def _loss(loss_name, a, target):
    """(what the network answers, L, ∂L/∂a) for the last layer's activations `a`."""
    if loss_name == "cross_entropy":  # a are the logits; the loss applies the softmax
        probabilities = nn.Softmax().on_array(a)
        label = int(target[0])
        one_hot = np.eye(len(a))[label]
        return probabilities, float(-np.log(probabilities[label])), probabilities - one_hot
    n = len(a)
    if loss_name == "bce":
        with np.errstate(divide="ignore"):
            terms = -(target * np.maximum(np.log(a), -100) + (1 - target) * np.maximum(np.log1p(-a), -100))
        return a, float(terms.mean()), (a - target) / np.maximum(a * (1 - a), 1e-12) / n
    return a, float(np.mean((a - target) ** 2)), 2 * (a - target) / n


def check_against_engine(spec, state, result, groups):
    """Run the same example through the Tensor engine (float64, evaluation mode) and compare
    every z, ẑ, a, ∂L/∂a, δ and gradient: ExplainMismatch names the first that differs."""
    model = nn.from_spec(spec, np.float64, np.random.default_rng(0))
    model.load_state_dict({k: np.asarray(v, dtype=np.float64) for k, v in state.items()})
    model.eval()
    probes = {}  # zero leaves added after each layer's output: their gradients are ∂L/∂z, ∂L/∂a …
    h = _probed_forward(model, spec, "", Tensor(result.input[None, :]), probes)
    loss = _engine_loss(result.loss_name, h, result.target)
    loss.backward()

    _check("the loss", result.loss, float(loss.item()))
    parameters = dict(model.named_parameters())
    for layer, group in zip(result.layers, groups):
        where = f"layer {layer.key}"
        z_out, z_probe = probes[group.linear]
        a_out, a_probe = probes[group.output]
        _check(f"z of {where}", layer.z, z_out.data[0])
        _check(f"a of {where}", layer.a, a_out.data[0])
        _check(f"δ = ∂L/∂z of {where}", layer.delta, _gradient(z_probe)[0])
        _check(f"∂L/∂a of {where}", layer.dL_da, _gradient(a_probe)[0])
        _check(f"∂L/∂W of {where}", layer.weight_grad, _gradient(parameters[f"{layer.key}.weight"]))
        if layer.bias is not None:
            _check(f"∂L/∂b of {where}", layer.bias_grad, _gradient(parameters[f"{layer.key}.bias"]))
        if layer.norm is not None:
            norm, where = layer.norm, f"batch norm {layer.norm.key}"
            z_hat_out, z_hat_probe = probes[norm.key]
            _check(f"ẑ of {where}", norm.z_hat, z_hat_out.data[0])
            _check(f"∂L/∂ẑ of {where}", norm.dL_dz_hat, _gradient(z_hat_probe)[0])
            _check(f"∂L/∂γ of {where}", norm.gamma_grad, _gradient(parameters[f"{norm.key}.weight"]))
            _check(f"∂L/∂β of {where}", norm.beta_grad, _gradient(parameters[f"{norm.key}.bias"]))
    for skip in result.skips:
        where = f"residual block {skip.key}"
        x_out, x_probe = probes[f"{skip.key}.x"]
        out, out_probe = probes[skip.key]
        _check(f"x of {where}", skip.inputs, x_out.data[0])
        _check(f"out = x + block(x) of {where}", skip.out, out.data[0])
        _check(f"∂L/∂out of {where}", skip.dL_dout, _gradient(out_probe)[0])
        _check(f"the gradient back through {where}", skip.through_block, _gradient(probes[f"{skip.key}.branch"][1])[0])
        _check(f"∂L/∂x of {where}", skip.dL_dx, _gradient(x_probe)[0])


def _probed_forward(model, spec, prefix, h, probes):
    """The engine's forward pass, layer by layer, with a probe after every layer but a
    dropout (which passes its input through in evaluation mode), under its state-dict prefix.

    A residual block runs as its forward does, x + block(x), with its layers one by one so
    that probes sit inside it too, and two on its input: one on x itself (both paths'
    gradients reach it) and one on the block's own copy (only the gradient through the block)."""
    for i, (layer, entry) in enumerate(zip(model.layers, spec)):
        key = f"{prefix}{i}"
        if entry["type"] == "residual":
            h = _probe(h, probes, f"{key}.x")
            branch = _probe(h, probes, f"{key}.branch")
            h = _probe(
                h + _probed_forward(layer.module, entry["layers"], f"{key}.module.", branch, probes), probes, key
            )
        elif entry["type"] != "dropout":
            h = _probe(layer(h), probes, key)
    return h


def _probe(h, probes, key):
    """h plus a zero leaf, kept under `key`: the leaf's gradient is ∂L/∂h."""
    probe = Tensor(np.zeros(h.shape), requires_grad=True)
    h = h + probe
    probes[key] = (h, probe)
    return h


def _gradient(tensor):
    """A leaf's gradient; zeros if none reached it (nothing flows back through a step)."""
    return np.zeros(tensor.shape) if tensor.grad is None else tensor.grad


def _engine_loss(loss_name, output, target):
    if loss_name == "cross_entropy":
        return nn.cross_entropy(output, np.array([int(target[0])]))
    if loss_name == "bce":
        return nn.binary_cross_entropy(output, target[None, :])
    return nn.mse_loss(output, target[None, :])


def _check(what, hand, engine):
    hand, engine = np.asarray(hand, dtype=np.float64), np.asarray(engine, dtype=np.float64)
    if hand.shape != engine.shape or not np.allclose(hand, engine, rtol=RTOL, atol=ATOL):
        worst = np.max(np.abs(hand - engine)) if hand.shape == engine.shape else float("nan")
        raise ExplainMismatch(
            f"internal check failed: {what} written out by hand differs from the autograd engine's "
            f"(by {worst:.3g})\nthis is a bug in nncli: please report it with the model file"
        )


# --- the whole network as one scalar graph -----------------------------------------------


def scalar_graph(spec, state, loss_name, x, target):
    """The loss of one example built from single Values — every weight, input and target a
    labelled leaf ("0.weight[1][0]", "x[0]") — after `backward()`: the graph
    `nncli inspect graph --model` draws."""
    h = [Value(float(v), label=f"x[{i}]") for i, v in enumerate(x)]
    groups = layer_groups(spec)
    for position, group in enumerate(groups):
        if opens_block(groups, position):
            block_input = h  # added back at the end of the block
        h = activation_of(group.activation).on_values(_value_layer(group, state, h))
        if closes_block(groups, position):
            h = [x + b for x, b in zip(block_input, h)]
    return _value_loss(loss_name, h, target)


def _value_layer(group, state, h):
    """z = w·x + b of each neuron as Values, then the batch norm's ẑ if there is one."""
    key = group.linear
    weight = np.asarray(state[f"{key}.weight"], dtype=np.float64)
    bias = state.get(f"{key}.bias")
    z = []
    for j, row in enumerate(weight):
        terms = [Value(float(w), label=f"{key}.weight[{j}][{i}]") * inp for i, (w, inp) in enumerate(zip(row, h))]
        total = sum(terms[1:], terms[0])  # w·x, then + b: the order a lesson writes
        if bias is not None:
            total = total + Value(float(bias[j]), label=f"{key}.bias[{j}]")
        z.append(total)
    if group.norm is None:
        return z
    key = group.norm
    mean, var, gamma, beta = (state[f"{key}.{name}"] for name in ("running_mean", "running_var", "weight", "bias"))
    return [
        (v - float(mean[j]))
        / float(np.sqrt(float(var[j]) + group.eps))
        * Value(float(gamma[j]), label=f"{key}.weight[{j}]")
        + Value(float(beta[j]), label=f"{key}.bias[{j}]")
        for j, v in enumerate(z)
    ]


def _value_loss(loss_name, outputs, target):
    target = np.atleast_1d(np.asarray(target, dtype=np.float64))
    if loss_name == "cross_entropy":
        label = int(target[0])
        exps = [v.exp() for v in outputs]
        loss = sum(exps[1:], exps[0]).log() - outputs[label]
    else:
        terms = []
        for out, t in zip(outputs, target.tolist()):
            t_value = Value(t, label="t")
            if loss_name == "bce":
                terms.append(-(t_value * out.log() + (1 - t_value) * (1 - out).log()))
            else:
                terms.append((out - t_value) ** 2)
        loss = sum(terms[1:], terms[0]) / len(terms)
    loss.backward()
    return loss
