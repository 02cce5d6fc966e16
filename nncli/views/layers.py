"""A network cut into its layers, for the views that look inside it (the hidden space, the
probes): where each layer ends, and a layer's outputs for some inputs.

A layer is a Linear (or a residual block) with everything after it up to the next one —
its batch norm, its activation, its dropout — so "the output of hidden layer 2" is what
the third Linear receives, and the last layer's output is the network's output.
"""

from contextlib import contextmanager

import numpy as np

from nncli import nn
from nncli.autograd import Tensor, no_grad


def layer_starts(model):
    """For each layer, 1 to L, the index in `model.layers` of its Linear (or residual block)."""
    return [i for i, layer in enumerate(model.layers) if isinstance(layer, (nn.Linear, nn.Residual))]


def layer_ends(model):
    """For each layer, 1 to L (the last is the output layer), the number of the model's
    modules that compute its output: `model.layers[:end]`."""
    return [*layer_starts(model)[1:], len(model.layers)]


@contextmanager
def evaluating(model):
    """The model as in evaluation (dropout off, batch norm on its running statistics), put
    back in training mode afterwards — as `Network.predict` does."""
    model.eval()
    try:
        yield model
    finally:
        model.train()


def layer_output(model, inputs, layer):
    """The output Tensor of `layer` (1-based) for `inputs`, a Tensor of network inputs —
    recorded for backpropagation unless the caller is inside `no_grad()`."""
    return _through(model, inputs, layer_ends(model)[layer - 1])


def weighted_sums(model, inputs, layer):
    """The Tensor of `layer`'s weighted sums z = W·a + b, before its activation (a residual
    block's output, which has no single z)."""
    return _through(model, inputs, layer_starts(model)[layer - 1] + 1)


def _through(model, inputs, end):
    with evaluating(model):
        return nn.Sequential(*model.layers[:end])(inputs)


def layer_widths(network):
    """Each layer's output width, 1 to L, measured on one input of zeros."""
    zeros = np.zeros((1, network.spec()[0]["in"]))
    with no_grad():
        return [
            layer_output(network.model, as_tensor(network, zeros), k).shape[1]
            for k in range(1, len(layer_ends(network.model)) + 1)
        ]


def as_tensor(network, X, requires_grad=False):
    """Network inputs X (n, inputs) as a Tensor of the network's dtype."""
    return Tensor(X.astype(network.dtype), requires_grad=requires_grad)
