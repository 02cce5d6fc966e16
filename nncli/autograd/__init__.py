"""The autograd engine: a scalar Value and a NumPy-backed Tensor. Knows nothing about networks."""

from nncli.autograd.tensor import Tensor, no_grad
from nncli.autograd.value import Value

__all__ = ["Value", "Tensor", "no_grad"]
