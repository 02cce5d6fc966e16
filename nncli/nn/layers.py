"""Layers: Linear, the activations, Dropout and Sequential.

Each layer can describe itself as a small dict (`spec()`), and `from_spec` builds a network
back from a list of them: that list is what a model file stores next to the weights.
"""

import numpy as np

from nncli.autograd import Tensor
from nncli.nn import init
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
        if weight.requires_grad:  # for one row, Gᵀ x is an outer product: broadcasting beats BLAS at it
            weight._accumulate(g.T * x.data if len(g) == 1 else g.T @ x.data, fresh=True)
        if bias is not None and bias.requires_grad:
            bias._accumulate(g.sum(axis=0), fresh=True)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor._from_op(out, parents, backward)


class Linear(Module):
    """y = x @ weight.T + bias: each of the `out_features` rows of weight is one neuron."""

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
        return {"type": "linear", "in": self.in_features, "out": self.out_features, "bias": self.bias is not None}

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None})"


class Activation(Module):
    """A parameter-free layer applying one Tensor method elementwise."""

    name = ""

    def forward(self, x):
        return getattr(x, self.name)()

    def spec(self):
        return {"type": self.name}

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(Activation):
    name = "relu"


class Tanh(Activation):
    name = "tanh"


class Sigmoid(Activation):
    name = "sigmoid"


class Identity(Activation):
    name = "identity"

    def forward(self, x):
        return x


class LeakyReLU(Activation):
    name = "leaky_relu"

    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, x):
        return x.leaky_relu(self.slope)

    def spec(self):
        return {"type": self.name, "slope": self.slope}


class Softmax(Activation):
    name = "softmax"

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        return x.softmax(self.axis)


class Step(Activation):
    """The Heaviside step: 1 where x > 0, else 0. Its slope is zero wherever it is defined,
    so gradient descent cannot train it — networks of steps are built by hand instead."""

    name = "step"

    def forward(self, x):
        return Tensor((x.data > 0).astype(x.dtype))


class Dropout(Module):
    """While training, zero each input with probability p and scale the rest by 1/(1-p), so
    the expected activation is unchanged; at evaluation, pass everything through."""

    def __init__(self, p=0.5, rng=None):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        return x * (keep / (1.0 - self.p)).astype(x.dtype)

    def spec(self):
        return {"type": "dropout", "p": self.p}

    def __repr__(self):
        return f"Dropout(p={self.p})"


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
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


ACTIVATIONS = {cls.name: cls for cls in (ReLU, Tanh, Sigmoid, Identity, LeakyReLU, Softmax, Step)}


def from_spec(spec, dtype=np.float32, rng=None, init_scheme="pytorch"):
    """Build a Sequential from a list of layer specs (the inverse of Sequential.spec())."""
    rng = rng if rng is not None else np.random.default_rng()
    layers = []
    for entry in spec:
        kind = entry["type"]
        if kind == "linear":
            layers.append(Linear(entry["in"], entry["out"], entry.get("bias", True), dtype, rng, init_scheme))
        elif kind == "dropout":
            layers.append(Dropout(entry["p"], rng))
        elif kind == "leaky_relu":
            layers.append(LeakyReLU(entry.get("slope", 0.01)))
        elif kind in ACTIVATIONS:
            layers.append(ACTIVATIONS[kind]())
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    return Sequential(*layers)


def mlp_spec(sizes, activation, final_activation="identity", dropout=0.0):
    """Layer specs for a multilayer perceptron: Linear → activation (→ Dropout) per hidden
    layer, then a last Linear and its own activation ("identity" adds no layer)."""
    spec = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        spec.append({"type": "linear", "in": fan_in, "out": fan_out, "bias": True})
        last = index == len(sizes) - 2
        act = final_activation if last else activation
        if act != "identity":
            spec.append({"type": act, "slope": 0.01} if act == "leaky_relu" else {"type": act})
        if not last and dropout > 0:
            spec.append({"type": "dropout", "p": dropout})
    return spec
