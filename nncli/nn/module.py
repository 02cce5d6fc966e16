"""Module: the base of every layer and network, as in PyTorch.

A module's parameters are the Tensors with `requires_grad=True` among its attributes; its
children are the Modules among them. Walking attributes in the order they were set gives
PyTorch's parameter order and state-dict names ("weight", "bias", "0.weight", ...).
"""

import numpy as np

from nncli.autograd import Tensor


class Module:
    training = True

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

    def state_dict(self):
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy `state` into the parameters, strictly: every key present, no extras, same shapes."""
        own = dict(self.named_parameters())
        missing = sorted(own.keys() - state.keys())
        unexpected = sorted(state.keys() - own.keys())
        if missing or unexpected:
            raise KeyError(f"state dict does not fit this model: missing {missing}, unexpected {unexpected}")
        for name, p in own.items():
            value = np.asarray(state[name])
            if value.shape != p.shape:
                raise ValueError(f"state dict entry {name!r} has shape {value.shape}, the model needs {p.shape}")
            p.data[...] = value.astype(p.dtype, copy=False)

    def num_parameters(self):
        return sum(p.data.size for p in self.parameters())
