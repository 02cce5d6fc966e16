"""Optimisers: how a gradient becomes a step.

The update rules are PyTorch's, operation for operation, so a run here follows the same
trajectory as `torch.optim` from the same start. They work on Tensor parameters (updated
in place, keeping their dtype) and on the scalar engine's Value parameters alike: a list
of Values is gathered into one float64 array per step, so the arithmetic is identical to
a float64 Tensor's.
"""

import numpy as np

from nncli.autograd import Value


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = lr
        self.scalar = isinstance(self.params[0], Value)
        self.state = {}  # per-parameter buffers (momentum, Adam's moments), keyed by position

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0 if self.scalar else None

    def step(self):
        if self.scalar:
            data = np.array([p.data for p in self.params])
            self.update(0, data, np.array([p.grad for p in self.params]))
            for p, value in zip(self.params, data.tolist()):
                p.data = value
            return
        for index, p in enumerate(self.params):
            if p.grad is not None:  # a parameter the loss did not reach is left alone
                self.update(index, p.data, p.grad)

    def update(self, index, data, grad):
        """Change `data` in place given its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent: p ← p − lr·g, where with momentum g is a running sum of gradients
    (v ← μ·v + g) that keeps rolling through flat stretches and damps zig-zags."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.scratch = {}  # by position, a buffer for lr·g

    def update(self, index, data, grad):
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            velocity = self.state.get(index)
            if velocity is None:
                velocity = self.state[index] = grad.copy()
            else:
                velocity *= self.momentum
                velocity += grad
            grad = velocity
        # lr·g into a buffer kept from step to step: for a wide layer, a fresh array of that
        # size every step costs more (the memory is new to the process each time) than the
        # arithmetic
        scaled = self.scratch.get(index)
        if scaled is None or scaled.shape != grad.shape:
            scaled = self.scratch[index] = np.empty_like(data)
        np.multiply(grad, self.lr, out=scaled)
        data -= scaled


class Adam(Optimizer):
    """Adam: each parameter's step is its gradient's running mean over the square root of
    its running mean square, so every weight moves at a similar pace whatever its scale."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    def update(self, index, data, grad):
        beta1, beta2 = self.betas
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if index not in self.state:
            self.state[index] = {"steps": 0, "mean": np.zeros_like(data), "mean_square": np.zeros_like(data)}
        state = self.state[index]
        state["steps"] += 1
        mean, mean_square = state["mean"], state["mean_square"]
        mean *= beta1
        mean += (1 - beta1) * grad
        mean_square *= beta2
        mean_square += (1 - beta2) * grad * grad
        # Python floats, not NumPy float64 scalars, so float32 parameters stay float32.
        correction1 = 1.0 - beta1 ** state["steps"]
        correction2 = 1.0 - beta2 ** state["steps"]
        denominator = np.sqrt(mean_square) / correction2**0.5 + self.eps
        data -= (self.lr / correction1) * mean / denominator
