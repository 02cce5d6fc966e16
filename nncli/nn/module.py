"""Module: the base of every layer and network, as in PyTorch.

A module's parameters are the Tensors with `requires_grad=True` among its attributes; its
children are the Modules among them. Walking attributes in the order they were set gives
PyTorch's parameter order and state-dict names ("weight", "bias", "0.weight", ...).
Buffers are state that is saved but not trained (batch norm's running statistics): plain
arrays, named in the class's `buffers`, updated in place.
"""

import numpy as np

from nncli.autograd import Tensor


class Module:
    training = True
    buffers = ()  # names of the attributes holding buffers (np.ndarrays)

    def __call__(self, *args):
        return self.forward(*args)

    def forward(self, *args):
        raise NotImplementedError

    def named_children(self):
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(self, prefix=""):
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child.named_parameters(f"{prefix}{name}.")

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def train(self, mode=True):
        """Switch training-only behaviour (dropout) on or off, here and in every child."""
        self.training = mode
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def named_state(self, prefix=""):
        """Every array of the state dict, in PyTorch's order: a module's parameters, then its
        buffers, then its children's."""
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value.data
        for name in self.buffers:
            yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child.named_state(f"{prefix}{name}.")

    def state_dict(self):
        return {name: array.copy() for name, array in self.named_state()}

    def load_state_dict(self, state):
        """Copy `state` into the parameters and buffers, strictly: every key present, no
        extras, same shapes."""
        own = dict(self.named_state())
        missing = sorted(own.keys() - state.keys())
        unexpected = sorted(state.keys() - own.keys())
        if missing or unexpected:
            raise KeyError(f"state dict does not fit this model: missing {missing}, unexpected {unexpected}")
        for name, array in own.items():
            value = np.asarray(state[name])
            if value.shape != array.shape:
                raise ValueError(f"state dict entry {name!r} has shape {value.shape}, the model needs {array.shape}")
            array[...] = value.astype(array.dtype, copy=False)

    def num_parameters(self):
        return sum(p.data.size for p in self.parameters())
