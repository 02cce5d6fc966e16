"""Networks over the scalar Value engine, micrograd-style: every weight is one Value.

Slow, but nothing is hidden: a neuron is literally w · x + b through an activation — one
`dot` node (the weighted sum w1*x1 + w2*x2 + ..., whose backward hands each weight its
input times the gradient, and each input its weight times the gradient), one `+` for the
bias, and the activation's node. Three nodes a neuron instead of two per input keeps the
graph small enough for the scalar engine to train at a useful speed.

An MLP here starts from the same weights as the Tensor network built from the same seed
(see nn.init) and exports the same PyTorch-style state dict ("0.weight", ...).
"""

import numpy as np

from nncli.activations import ACTIVATIONS  # each acts on one number, so a neuron can have it (not softmax)
from nncli.autograd import Value
from nncli.nn import init
from nncli.nn.layers import activation_of, mlp_spec


class Neuron:
    """One neuron: activation(w · x + b)."""

    def __init__(self, weights, bias, activation="relu"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"the scalar engine supports {', '.join(ACTIVATIONS)}; got {activation!r}")
        self.w = [Value(float(w)) for w in weights]
        self.b = Value(float(bias))
        self.activation = activation
        self._activation = activation_of({"type": activation})

    def __call__(self, x):
        return self._activation.on_values([Value.dot(self.w, x) + self.b])[0]

    def parameters(self):
        return self.w + [self.b]


class Layer:
    """A row of neurons that all see the same inputs."""

    def __init__(self, weight, bias, activation="relu"):
        self.neurons = [Neuron(row, b, activation) for row, b in zip(weight, bias)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    """A multilayer perceptron: `MLP(3, [4, 4, 1])` has 3 inputs and layers of 4, 4 and 1.

    Hidden layers use `activation`, the last layer `final_activation`. Called on a list of
    numbers (or Values), it returns a list of Values — or one Value for a one-output net.
    """

    def __init__(self, nin, nouts, activation="relu", final_activation="identity", rng=None, init_scheme="pytorch"):
        rng = rng if rng is not None else np.random.default_rng()
        self.sizes = [nin] + list(nouts)
        self.activation, self.final_activation = activation, final_activation
        self.layers = []
        for index, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            weight, bias = init.linear_weights(rng, fan_in, fan_out, init_scheme)
            last = index == len(nouts) - 1
            self.layers.append(Layer(weight, bias, final_activation if last else activation))

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode=True):
        return self

    def eval(self):
        return self

    def spec(self):
        return mlp_spec(self.sizes, self.activation, self.final_activation)

    def _linear_names(self):
        """The state-dict prefix of each layer: its position in the equivalent Sequential."""
        return [str(i) for i, entry in enumerate(self.spec()) if entry["type"] == "linear"]

    def state_dict(self):
        state = {}
        for prefix, layer in zip(self._linear_names(), self.layers):
            state[f"{prefix}.weight"] = np.array([[w.data for w in n.w] for n in layer.neurons])
            state[f"{prefix}.bias"] = np.array([n.b.data for n in layer.neurons])
        return state

    def load_state_dict(self, state):
        expected = self.state_dict()
        missing = sorted(expected.keys() - state.keys())
        unexpected = sorted(state.keys() - expected.keys())
        if missing or unexpected:
            raise KeyError(f"state dict does not fit this model: missing {missing}, unexpected {unexpected}")
        for name, value in expected.items():
            if np.shape(state[name]) != value.shape:
                raise ValueError(
                    f"state dict entry {name!r} has shape {np.shape(state[name])}, the model needs {value.shape}"
                )
        for prefix, layer in zip(self._linear_names(), self.layers):
            weight, bias = state[f"{prefix}.weight"], state[f"{prefix}.bias"]
            for neuron, row, b in zip(layer.neurons, weight, bias):
                for w, value in zip(neuron.w, row):
                    w.data = float(value)
                neuron.b.data = float(b)

    def num_parameters(self):
        return len(self.parameters())

    def __repr__(self):
        return f"MLP({' → '.join(map(str, self.sizes))}, {self.activation}, last {self.final_activation})"


def mse_loss(predictions, targets):
    """Mean squared error over a list of Value predictions and numeric targets."""
    return Value.sum([(p - float(t)) ** 2 for p, t in zip(predictions, targets)]) / len(predictions)
