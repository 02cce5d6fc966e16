"""Layers: Linear, the activations, Dropout, BatchNorm1d, Residual and Sequential (and,
from nncli.nn.conv, the image layers Conv2d, MaxPool2d, Flatten and Unflatten).

Each layer can describe itself as a small dict (`spec()`), and `from_spec` builds a network
back from a list of them: that list is what a model file stores next to the weights.
"""

import math
from itertools import groupby

import numpy as np

from nncli.activations import REGISTRY
from nncli.autograd import Tensor
from nncli.layer_types import REGISTRY as LAYER_TYPES
from nncli.layer_types import every_layer
from nncli.nn import init
from nncli.nn.conv import Conv2d, Flatten, MaxPool2d, Unflatten
from nncli.nn.module import Module


def linear(x, weight, bias=None):
    """x @ weight.T + bias as one graph node (instead of three) for a batch x of shape (N, in).

    Backward, by the chain rule on out = x Wᵀ + b with upstream gradient G (N, out):
    dx = G W,  dW = Gᵀ x,  db = Σ_rows G.
    """
    out = x.data @ weight.data.T
    if bias is not None:
        out += bias.data

    def backward(g):  # each contribution is a new array: fresh, so it needn't be copied
        if x.requires_grad:
            x._accumulate(g @ weight.data, fresh=True)
        if weight.requires_grad:
            weight._accumulate(_weight_gradient(g, x.data), fresh=True)
        if bias is not None and bias.requires_grad:
            bias._accumulate(g.sum(axis=0), fresh=True)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor._from_op(out, parents, backward)


def _weight_gradient(g, x):
    """Gᵀ x, the weight gradient of a linear layer, for G (N, out) and x (N, in).

    For one row (N = 1) it is an outer product, one multiplication per entry, and BLAS is
    at its worst there (a matrix product with an inner dimension of 1 took 6.6 times as
    long as einsum for a 1024-wide layer, and broadcasting 1.5 times as long). The
    entries are the same products, bit for bit, whichever way they are made.
    """
    return np.einsum("ni,nj->ij", g, x) if len(g) == 1 else g.T @ x


class Linear(Module):
    """y = x @ weight.T + bias: each of the `out_features` rows of weight is one neuron."""

    name = "linear"

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        return cls(entry["in"], entry["out"], entry.get("bias", True), dtype, rng, init_scheme)

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32, rng=None, init_scheme="pytorch"):
        rng = rng if rng is not None else np.random.default_rng()
        weight, bias_values = init.linear_weights(rng, in_features, out_features, init_scheme)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Tensor(weight.astype(dtype), requires_grad=True)
        self.bias = Tensor(bias_values.astype(dtype), requires_grad=True) if bias else None

    def forward(self, x):
        if x.ndim == 2:
            return linear(x, self.weight, self.bias)
        out = x @ self.weight.T  # any other shape: the general ops handle it
        return out + self.bias if self.bias is not None else out

    def spec(self):
        return {"type": self.name, "in": self.in_features, "out": self.out_features, "bias": self.bias is not None}

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None})"


class Activation(Module):
    """A parameter-free layer applying one Tensor method elementwise.

    For the lessons that write a network out number by number, each also says what it
    computes on a NumPy array (`on_array`), its slope σ'(z) from z and a = σ(z), worked out
    by hand (`derivative`: the lessons check it against the engine's backward pass), and
    how it is built from single Values (`on_values`: the graph `inspect graph` draws).
    What nncli writes about an activation is its record in nncli.activations.
    """

    name = ""

    @classmethod
    def build(cls, entry, dtype=None, rng=None, init_scheme=None):
        """The activation of a spec entry, with its parameters (a leaky relu's slope) or
        their defaults."""
        return cls(**{name: entry.get(name, value) for name, value in REGISTRY[cls.name].parameters.items()})

    def forward(self, x):
        return getattr(x, self.name)()

    def on_values(self, values):
        return [getattr(v, self.name)() for v in values]

    def spec(self):
        return {"type": self.name}

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(Activation):
    name = "relu"

    def on_array(self, z):
        return np.maximum(z, 0)

    def derivative(self, z, a):
        return (z > 0).astype(np.float64)


class Tanh(Activation):
    name = "tanh"

    def on_array(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1 - a**2


class Sigmoid(Activation):
    name = "sigmoid"

    def on_array(self, z):
        return 1 / (1 + np.exp(-z))

    def derivative(self, z, a):
        return a * (1 - a)


class Identity(Activation):
    name = "identity"

    def forward(self, x):
        return x

    def on_array(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)

    def on_values(self, values):
        return values


class LeakyReLU(Activation):
    name = "leaky_relu"

    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, x):
        return x.leaky_relu(self.slope)

    def on_array(self, z):
        return np.where(z > 0, z, self.slope * z)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.slope)

    def on_values(self, values):  # z times 1 or the slope: at z = 0 the slope, as the Tensor engine and PyTorch
        return [v * (1.0 if v.data > 0 else self.slope) for v in values]

    def spec(self):
        return {"type": self.name, "slope": self.slope}


class Softmax(Activation):
    """Not elementwise: each output depends on every input, so it has no `derivative` (its
    Jacobian is applied where it is needed)."""

    name = "softmax"

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        return x.softmax(self.axis)

    def on_array(self, z):
        shifted = np.exp(z - z.max(axis=self.axis, keepdims=True))
        return shifted / shifted.sum(axis=self.axis, keepdims=True)

    def on_values(self, values):
        exps = [v.exp() for v in values]
        total = sum(exps[1:], exps[0])
        return [e / total for e in exps]


class Step(Activation):
    """The Heaviside step: 1 where x > 0, else 0. Its slope is zero wherever it is defined,
    so gradient descent cannot train it — networks of steps are built by hand instead."""

    name = "step"

    def forward(self, x):
        return Tensor((x.data > 0).astype(x.dtype))

    def on_array(self, z):
        return (z > 0).astype(np.float64)

    def derivative(self, z, a):
        return np.zeros_like(z)

    def on_values(self, values):  # flat wherever it is defined: 0·z keeps z in the graph, with slope 0
        return [v * 0.0 + float(v.data > 0) for v in values]


class Dropout(Module):
    """While training, zero each input with probability p and scale the rest by 1/(1-p), so
    the expected activation is unchanged; at evaluation, pass everything through."""

    name = "dropout"

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        return cls(entry["p"], rng)

    def __init__(self, p=0.5, rng=None):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        # 1/(1-p) where kept, 0 elsewhere: the scale rounded to x's dtype once, then
        # multiplied by the 1s and 0s of the mask (exactly), rather than a float64 array
        # of quotients made and converted at every step
        mask = keep * x.dtype.type(1.0 / (1.0 - self.p))
        return Tensor._from_op(x.data * mask, (x,), lambda g: x._accumulate(g * mask, fresh=True))

    def spec(self):
        return {"type": self.name, "p": self.p}

    def __repr__(self):
        return f"Dropout(p={self.p})"


def batch_norm(x, weight, bias, eps, running=None):
    """Normalise each feature (column) of a batch x (N, F), then scale and shift it:
    out = weight · x̂ + bias, with x̂ = (x − μ) / σ and σ = sqrt(var + eps). One graph node.

    Training (`running` None): μ and var are the batch's own mean and biased variance, so
    they depend on x and the gradient flows through them too. Evaluation (`running` =
    (mean, var), batch norm's running statistics): μ and var are constants.
    Returns (out, μ, var).

    Backward, with upstream gradient G and d = G · weight:
        d weight = Σ_rows G · x̂,   d bias = Σ_rows G,
        dx = (d − mean_rows(d) − x̂ · mean_rows(d · x̂)) / σ    in training,
        dx = d / σ                                            in evaluation.
    """
    if running is None:
        mean = x.data.mean(axis=0)
        centred = x.data - mean
        var = (centred * centred).mean(axis=0)
    else:
        mean, var = running
        centred = x.data - mean
    sigma = np.sqrt(var + eps)
    normalised = centred / sigma
    out = normalised * weight.data + bias.data

    def backward(g):
        if weight.requires_grad:
            weight._accumulate((g * normalised).sum(axis=0), fresh=True)
        if bias.requires_grad:
            bias._accumulate(g.sum(axis=0), fresh=True)
        if x.requires_grad:
            d = g * weight.data
            if running is None:
                d = d - d.mean(axis=0) - normalised * (d * normalised).mean(axis=0)
            x._accumulate(d / sigma, fresh=True)

    return Tensor._from_op(out, (x, weight, bias), backward), mean, var


class BatchNorm1d(Module):
    """Batch normalisation of each of `num_features` features, as torch.nn.BatchNorm1d.

    Training: each feature is normalised with the batch's own mean and (biased) variance,
    then scaled by `weight` and shifted by `bias` (both learned); the running statistics
    follow the batches, running ← (1 − momentum) · running + momentum · batch, with the
    unbiased variance. Evaluation: the running statistics normalise instead, so a
    prediction does not depend on the rest of its batch. Whatever the layers before do to
    the scale of their outputs, the next layer sees inputs of mean 0 and std 1 at first:
    this is what keeps a deep network's signal — and its gradient — from fading.
    """

    name = "batchnorm"
    buffers = ("running_mean", "running_var", "num_batches_tracked")

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        return cls(entry["features"], entry.get("eps", 1e-5), entry.get("momentum", 0.1), dtype)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=np.float32):
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"batch norm momentum must be in [0, 1], got {momentum}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Tensor(np.ones(num_features, dtype=dtype), requires_grad=True)
        self.bias = Tensor(np.zeros(num_features, dtype=dtype), requires_grad=True)
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.num_batches_tracked = np.zeros((), dtype=np.int64)

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d({self.num_features}) takes batches shaped (N, {self.num_features}), not {x.shape}"
            )
        if not self.training:
            return batch_norm(x, self.weight, self.bias, self.eps, (self.running_mean, self.running_var))[0]
        n = x.shape[0]
        if n < 2:
            raise ValueError("batch norm needs at least 2 examples per batch in training: one has no variance")
        out, mean, var = batch_norm(x, self.weight, self.bias, self.eps)
        m = self.momentum
        self.running_mean[...] = (1 - m) * self.running_mean + m * mean
        self.running_var[...] = (1 - m) * self.running_var + m * (var * (n / (n - 1)))
        self.num_batches_tracked += 1
        return out

    def spec(self):
        return {"type": self.name, "features": self.num_features, "eps": self.eps, "momentum": self.momentum}

    def __repr__(self):
        return f"BatchNorm1d({self.num_features}, eps={self.eps}, momentum={self.momentum})"


class Residual(Module):
    """A skip connection: x + module(x), for a module whose output is as wide as its input.

    The gradient reaches x along two paths, through the module and straight past it, so
    even when the module's own gradient fades, the layers before it still hear the loss.
    """

    name = "residual"

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        return cls(from_spec(entry["layers"], dtype, rng, init_scheme))

    def __init__(self, module):
        self.module = module

    def forward(self, x):
        return x + self.module(x)

    def spec(self):
        inner = self.module.spec()
        if not isinstance(inner, list):
            raise TypeError("a residual block is described by its layers: build it around an nn.Sequential")
        return {"type": self.name, "layers": inner}

    def __repr__(self):
        inner = repr(self.module).replace("\n", "\n  ")
        return f"Residual(\n  (module): {inner}\n)"


class Sequential(Module):
    """Layers applied one after another; children are named by position, as in PyTorch."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def named_children(self):
        for index, layer in enumerate(self.layers):
            yield str(index), layer

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def spec(self):
        return [layer.spec() for layer in self.layers]

    def __repr__(self):
        inner = "\n".join(f"  ({i}): " + repr(layer).replace("\n", "\n  ") for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


ACTIVATIONS = {cls.name: cls for cls in (ReLU, Tanh, Sigmoid, Identity, LeakyReLU, Softmax, Step)}

# Each layer type's class, under its name in nncli.layer_types: the layer a spec entry builds.
LAYERS = {
    **{cls.name: cls for cls in (Linear, BatchNorm1d, Residual, Dropout, Unflatten, Conv2d, MaxPool2d, Flatten)},
    **ACTIVATIONS,
}


def activation_of(entry):
    """The activation layer of a spec entry, with its parameters (a leaky relu's slope) or
    their defaults."""
    return ACTIVATIONS[entry["type"]].build(entry)


def from_spec(spec, dtype=np.float32, rng=None, init_scheme="pytorch"):
    """Build a Sequential from a list of layer specs (the inverse of Sequential.spec())."""
    rng = rng if rng is not None else np.random.default_rng()
    layers = []
    for entry in spec:
        if entry["type"] not in LAYERS:
            raise ValueError(f"unknown layer type {entry['type']!r}")
        layers.append(LAYERS[entry["type"]].build(entry, dtype, rng, init_scheme))
    return Sequential(*layers)


def mlp_spec(sizes, activation, final_activation="identity", dropout=0.0, batchnorm=False, residual=False):
    """Layer specs for a multilayer perceptron: per hidden layer Linear (→ BatchNorm1d) →
    activation (→ Dropout), then a last Linear and its own activation ("identity" adds no
    layer).

    `batchnorm` normalises each hidden layer between its Linear and its activation; that
    Linear then has no bias, as batch norm's own bias takes its place (a bias added before
    normalising is subtracted again with the mean: its gradient is zero).
    `residual` wraps each hidden layer after the first whose output is as wide as its
    input in a skip connection, x + layer(x). The first hidden layer never gets one: it
    turns the raw inputs into the network's first features, and a model's first entry
    stays its input layer.
    """
    spec = []
    hidden_layers = len(sizes) - 2
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if index == hidden_layers:  # the output layer
            spec += [{"type": "linear", "in": fan_in, "out": fan_out, "bias": True}]
            spec += _activation_entries(final_activation)
            break
        block = [{"type": "linear", "in": fan_in, "out": fan_out, "bias": not batchnorm}]
        if batchnorm:
            block.append({"type": "batchnorm", "features": fan_out, "eps": 1e-5, "momentum": 0.1})
        block += _activation_entries(activation)
        if dropout > 0:
            block.append({"type": "dropout", "p": dropout})
        if residual and index > 0 and fan_in == fan_out:
            spec.append({"type": "residual", "layers": block})
        else:
            spec += block
    return spec


def cnn_spec(side, channels, sizes, activation, dropout=0.0, batchnorm=False):
    """Layer specs for a small convolutional network on side × side one-channel images
    given as rows of side² pixels: Unflatten, then per entry of `channels` a 3×3
    convolution with that many kernels (padded by 1, so it keeps the image's size) → the
    activation → a 2×2 max-pool (which halves it), then Flatten and the dense layers of
    `mlp_spec` with hidden sizes `sizes[:-1]` and `sizes[-1]` outputs. `batchnorm` and
    `dropout` apply to the dense hidden layers.

    Raises ValueError if the pools would shrink the image to nothing.
    """
    spec = [{"type": "unflatten", "in": side * side, "shape": [1, side, side]}]
    fan_in = 1
    for done, count in enumerate(channels):
        if side < 2:
            raise ValueError(f"{len(channels)} convolutions: the image is 1×1 after {done}, too small to pool again")
        spec.append(
            {"type": "conv2d", "in": fan_in, "out": count, "kernel": 3, "stride": 1, "padding": 1, "bias": True}
        )
        spec += _activation_entries(activation)
        spec.append({"type": "maxpool2d", "kernel": 2, "stride": 2})
        fan_in, side = count, side // 2
    spec.append({"type": "flatten"})
    return spec + mlp_spec([fan_in * side * side, *sizes], activation, "identity", dropout, batchnorm)


def _activation_entries(name):
    if name == "identity":
        return []
    return [{"type": name, **REGISTRY[name].parameters}]


def describe(spec):
    """The network of `spec` in a few words, as its header names it: "2-8-8-1 sigmoid",
    "64-32×10-10 relu with batch norm and skip connections" (a width repeated three times
    or more written once, with a count)."""
    sizes, activation = [], None
    for entry in every_layer(spec):
        if entry["type"] == "linear":
            sizes += [entry["in"]] if not sizes else []
            sizes.append(entry["out"])
        elif entry["type"] in ACTIVATIONS and activation is None and entry is not spec[-1]:
            activation = entry["type"]
    first, *hidden, last = sizes if len(sizes) > 1 else sizes * 2
    parts = [str(first)]
    for width, run in groupby(hidden):
        count = len(list(run))
        parts += [f"{width}×{count}"] if count >= 3 else [str(width)] * count
    text = "-".join([*parts, str(last)])
    if hidden and activation:
        text += f" {activation}"
    kinds = set(layer_types(spec))
    extras = [name for kind, name in (("batchnorm", "batch norm"), ("residual", "skip connections")) if kind in kinds]
    return text + (" with " + " and ".join(extras) if extras else "")


def layer_types(spec):
    """Every layer type in a list of layer specs, those inside residual blocks included."""
    return (entry["type"] for entry in every_layer(spec))


def output_shapes(spec, shape=None):
    """The shape of each layer's output for one example, in order: a whole number for a
    row of numbers, (channels, height, width) for an image — what each layer's record in
    nncli.layer_types says it gives for the shape before it (`shape`: the input's, None
    if not known), checking a (checked) entry again on the way."""
    shapes = []
    for entry in spec:
        shape = LAYER_TYPES[entry["type"]].check(entry, shape, f"layer ({entry['type']})", _block_output)
        shapes.append(shape)
    return shapes


def _block_output(layers, shape):
    return output_shapes(layers, shape)[-1]


def spec_widths(spec):
    """(inputs, outputs) of a list of layer specs: the numbers one example holds going in
    (an image's pixels for a network that starts by unflattening them) and coming out."""
    inputs = None
    for entry in spec:
        if entry["type"] == "unflatten":
            inputs = math.prod(entry["shape"])
        elif entry["type"] == "residual":
            inputs = spec_widths(entry["layers"])[0]
        else:
            inputs = entry.get("in", entry.get("features"))
        if inputs is not None:
            break
    outputs = next((shape for shape in reversed(output_shapes(spec)) if shape is not None), None)
    return inputs, outputs


def parameter_count(spec):
    """How many numbers a network of these layer specs learns (buffers not counted)."""
    total = 0
    for entry in spec:
        layer = LAYER_TYPES[entry["type"]]
        total += sum(math.prod(shape) for shape in layer.parameters(entry).values())
        if layer.block:
            total += parameter_count(entry["layers"])
    return total
