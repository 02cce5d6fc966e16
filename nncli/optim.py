"""Optimisers: how a gradient becomes a step.

The update rules are PyTorch's, operation for operation, so a run here follows the same
trajectory as `torch.optim` from the same start. They work on Tensor parameters (updated
in place, keeping their dtype) and on the scalar engine's Value parameters alike: a list
of Values is gathered into one float64 array per step, so the arithmetic is identical to
a float64 Tensor's.

Small Tensor parameters of one dtype are updated together, as PyTorch's "foreach"
optimisers do: their `.data` are views into one flat array, their gradients are gathered
into another, and the update is a handful of NumPy calls a step instead of a handful per
parameter. For a small network those calls are most of the optimiser's time (about 30 µs
each for a 32-wide layer, whatever the arithmetic), and the numbers are the same to the
bit: the update works element by element, and an element's arithmetic does not depend on
the length of the array it is in.
"""

import numpy as np

from nncli.autograd import Value

# Parameters with fewer numbers than this are packed together. A bigger one keeps its own
# array: for it the calls cost little next to the arithmetic, and gathering its gradient
# would be one more pass over memory the size of the layer.
PACKED = 1 << 16


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = lr
        self.scalar = isinstance(self.params[0], Value)
        if self.scalar:  # the Values' numbers are gathered into one float64 array each step
            self.state, self.steps = self.new_state(np.zeros(len(self.params))), 0
        else:
            self.packs = _packs(self, self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0 if self.scalar else None

    def step(self):
        if self.scalar:
            data = np.array([p.data for p in self.params])
            self.update(self.state, self.steps, data, np.array([p.grad for p in self.params]))
            self.steps += 1
            for p, value in zip(self.params, data.tolist()):
                p.data = value
            return
        for pack in self.packs:
            pack.step()

    def new_state(self, data):
        """The buffers this optimiser keeps for `data` (a dict of arrays shaped like it)."""
        return {}

    def update(self, state, steps, data, grad):
        """Change `data` in place given its gradient; `state` holds its buffers (from
        `new_state`) and `steps` counts the updates made to it before this one."""
        raise NotImplementedError


class Pack:
    """Parameters of one dtype whose `.data` are views into one flat array (a single
    parameter keeps its own array), with the optimiser's state for them."""

    def __init__(self, optimizer, params, data):
        self.optimizer, self.params, self.data = optimizer, params, data
        self.state = optimizer.new_state(data)
        self.steps = [0] * len(params)  # updates made to each parameter
        if len(params) == 1:
            self.views, self.states = [data], [self.state]
            return
        self.views, self.states, start = [], [], 0
        for p in params:
            end = start + p.data.size
            self.views.append(data[start:end].reshape(p.data.shape))
            self.states.append({name: buffer[start:end].reshape(p.data.shape) for name, buffer in self.state.items()})
            p.data, start = self.views[-1], end

    def step(self):
        """Update the parameters that have a gradient: together when all have one and all
        have been updated as often, else one by one."""
        self._keep_views()
        dtype = self.data.dtype
        grads = [p.grad for p in self.params]
        if self.steps.count(self.steps[0]) == len(self.steps) and all(
            g is not None and g.dtype == dtype for g in grads
        ):
            grad = grads[0] if len(grads) == 1 else np.concatenate(grads, axis=None)
            self.optimizer.update(self.state, self.steps[0], self.data, grad)
            self.steps = [steps + 1 for steps in self.steps]
            return
        for index, grad in enumerate(grads):
            if grad is not None:  # a parameter the loss did not reach is left alone
                self.optimizer.update(self.states[index], self.steps[index], self.views[index], grad)
                self.steps[index] += 1

    def _keep_views(self):
        """A parameter whose `.data` was replaced by a new array (of the same shape and dtype)
        has its numbers copied into the pack, and its view back."""
        for p, view in zip(self.params, self.views):
            if p.data is view:
                continue
            if p.data.shape != view.shape or p.data.dtype != view.dtype:
                raise ValueError(
                    f"a parameter changed from {view.dtype} {view.shape} to {p.data.dtype} {p.data.shape} "
                    "after its optimizer was made"
                )
            if len(self.params) == 1:  # its own array: use the new one
                self.data = self.views[0] = p.data
            else:
                view[...] = p.data
                p.data = view


def _packs(optimizer, params):
    """The Packs of Tensor parameters: the small ones of each dtype together, every other
    one alone."""
    small, packs = {}, []
    for p in params:
        if p.data.size < PACKED:
            small.setdefault(p.data.dtype, []).append(p)
        else:
            packs.append(Pack(optimizer, [p], p.data))
    for group in small.values():
        data = group[0].data if len(group) == 1 else np.concatenate([p.data for p in group], axis=None)
        packs.append(Pack(optimizer, group, data))
    return packs


class SGD(Optimizer):
    """Gradient descent: p ← p − lr·g, where with momentum g is a running sum of gradients
    (v ← μ·v + g) that keeps rolling through flat stretches and damps zig-zags."""

    # lr·g is made a block of this many numbers at a time, in a buffer small enough to stay
    # in the cache while it is subtracted (256 KB in float32)
    block = 1 << 16

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        self.momentum, self.weight_decay = momentum, weight_decay
        self.scratch = None  # the block-sized buffer for lr·g
        super().__init__(params, lr)

    def new_state(self, data):
        return {"velocity": np.empty_like(data)} if self.momentum else {}

    def update(self, state, steps, data, grad):
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            velocity = state["velocity"]
            if steps == 0:  # the first step's velocity is the gradient itself
                velocity[...] = grad
            else:
                velocity *= self.momentum
                velocity += grad
            grad = velocity
        if not data.flags.c_contiguous:  # no flat view of it to walk through
            data -= self.lr * grad
            return
        if self.scratch is None or self.scratch.dtype != data.dtype:
            self.scratch = np.empty(self.block, data.dtype)
        # data −= lr·g, a block at a time. In one go, lr·g for a wide layer would be a
        # second array as big as the layer: a new one each step is memory new to the
        # process, a kept one crowds the weights and gradients out of the cache (a
        # 1024-1024-1024-10 step at batch 1: 1.39 ms with a kept buffer, 0.98 ms in blocks).
        flat_data, flat_grad = data.reshape(-1), grad.reshape(-1)
        for start in range(0, flat_data.size, self.block):
            block = slice(start, start + self.block)
            scaled = self.scratch[: len(flat_grad[block])]  # the last block may be shorter
            np.multiply(flat_grad[block], self.lr, out=scaled)
            flat_data[block] -= scaled


class Adam(Optimizer):
    """Adam: each parameter's step is its gradient's running mean over the square root of
    its running mean square, so every weight moves at a similar pace whatever its scale."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        super().__init__(params, lr)

    def new_state(self, data):
        return {"mean": np.zeros_like(data), "mean_square": np.zeros_like(data)}

    def update(self, state, steps, data, grad):
        beta1, beta2 = self.betas
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        steps += 1  # this one included
        mean, mean_square = state["mean"], state["mean_square"]
        mean *= beta1
        mean += (1 - beta1) * grad
        mean_square *= beta2
        mean_square += (1 - beta2) * grad * grad
        # Python floats, not NumPy float64 scalars, so float32 parameters stay float32.
        correction1 = 1.0 - beta1**steps
        correction2 = 1.0 - beta2**steps
        denominator = np.sqrt(mean_square) / correction2**0.5 + self.eps
        data -= (self.lr / correction1) * mean / denominator
