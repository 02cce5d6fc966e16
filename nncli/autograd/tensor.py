"""A NumPy-backed Tensor with reverse-mode automatic differentiation.

A `Tensor` wraps an `np.ndarray` (`.data`). Every operation on tensors that require grad
records its inputs (`_parents`) and a `_backward` function; `t.backward()` walks that graph
from `t` back to the leaves, in reverse topological order, applying the chain rule.
Gradients land in `.grad` of *leaf* tensors created with `requires_grad=True` and add up
(`+=`) across calls, exactly as in PyTorch; intermediate results keep `.grad = None`.

Dtypes: a floating array keeps its dtype, anything else becomes float64. Python numbers
never change a tensor's dtype (a float32 tensor times 2.5 stays float32); tensors and
arrays combine by NumPy's promotion rules. Gradients always have their tensor's dtype.

Adding an op
------------
Every op takes the same four steps (`__mul__` is the model):

    def __mul__(self, other):
        other = self._lift(other)                      # 1. wrap numbers and arrays
        data = self.data * other.data                  # 2. compute the result with NumPy
        def backward(g):                               # 3. g: gradient w.r.t. the result
            if self.requires_grad:
                self._accumulate(g * other.data)
            if other.requires_grad:
                other._accumulate(g * self.data)
        return Tensor._from_op(data, (self, other), backward)   # 4. link and return

`Tensor._from_op(data, parents, backward)` makes the result of an op: it requires grad
iff a parent does (and grad mode is on); otherwise it is a plain tensor with no graph
links, and `backward` is dropped. `backward(g)` gets an array with the result's shape and
dtype, possibly shared or read-only: never change it in place.
`parent._accumulate(contribution)` adds a contribution to the parent's gradient for the
current backward pass (kept in `_pending`, so intermediates start from zero on every
call); a contribution may keep the broadcast shape of the result, `_accumulate` sums it
back down to the parent's shape (`_unbroadcast`) and casts it to the parent's dtype.
Skip parents that don't require grad, so no work is wasted. `_accumulate(c, fresh=True)`
says that `c` is a new array that nothing else refers to (say, the result of a matmul):
the engine may then keep it as the gradient, or add into it, instead of copying. Fused ops elsewhere in
nncli (e.g. `nn`'s `linear`) are written in exactly the same way, outside this class.
"""

from __future__ import annotations

import functools

import numpy as np

_grad_enabled = True


class no_grad:
    """Context manager (or decorator) under which ops record nothing.

    Results made inside have `requires_grad=False`. Nestable.
    """

    def __enter__(self):
        global _grad_enabled
        self._previous, _grad_enabled = _grad_enabled, False

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        return wrapper


def _unbroadcast(grad, shape):
    """Sum `grad` down to `shape`, undoing NumPy broadcasting.

    Broadcasting prepends axes and stretches size-1 axes; the gradient of a broadcast
    input is the sum of the output gradient over exactly those axes.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    prepended = tuple(range(extra))
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    return np.asarray(grad.sum(axis=prepended + stretched)).reshape(shape)


def _keepdims(grad, axis, keepdims):
    """Give the gradient of a reduction back the reduced axes, as size-1 axes."""
    return grad if keepdims or axis is None else np.expand_dims(grad, axis)


def _is_basic_index(index):
    """True for indices made only of ints, slices, None and Ellipsis (no repeats possible)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


class Tensor:
    """An n-dimensional array that remembers how it was computed."""

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_pending", "_owned")
    __array_ufunc__ = None  # so `ndarray + Tensor` defers to Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        data = np.asarray(data, dtype=dtype)
        if dtype is None and data.dtype.kind != "f":
            data = data.astype(np.float64)
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require grad, not {data.dtype}")
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._backward = None  # None marks a leaf
        self._pending = None  # gradient gathered during one backward pass
        self._owned = False  # whether _pending is an array no one else refers to

    @staticmethod
    def _from_op(data, parents, backward):
        """The result of an op on `parents`, with `backward(g)` to send gradients back."""
        out = Tensor.__new__(Tensor)
        out.data = np.asarray(data)
        out.grad = None
        out._parents = tuple([p for p in parents if p.requires_grad]) if _grad_enabled else ()
        out.requires_grad = bool(out._parents)
        out._backward = backward if out._parents else None
        out._pending = None
        out._owned = False
        return out

    def _lift(self, other):
        """Wrap an operand as a Tensor. Numbers take this tensor's dtype; arrays promote."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, np.generic)):
            return Tensor(np.asarray(other, dtype=self.data.dtype))
        other = np.asarray(other)
        if other.dtype.kind != "f":
            other = other.astype(np.result_type(self.data.dtype, other.dtype))
        return Tensor(other)

    def _accumulate(self, grad, fresh=False):
        """Add a gradient contribution for this tensor during the current backward pass.

        `fresh`: `grad` is a new array that nothing else refers to, ours to keep.
        """
        if not self.requires_grad:
            return
        data = self.data
        if not isinstance(grad, np.ndarray):  # a NumPy scalar, from an op on 0-d arrays
            grad, fresh = np.asarray(grad), True
        if grad.shape != data.shape:
            grad, fresh = _unbroadcast(grad, data.shape), True
        if grad.dtype != data.dtype:
            grad, fresh = grad.astype(data.dtype), True
        if self._pending is None:
            self._pending, self._owned = grad, fresh
        elif self._owned:
            self._pending += grad  # our own buffer: add in place
        else:  # never into an array that may be shared with another tensor
            self._pending, self._owned = np.add(self._pending, grad, out=np.empty_like(grad)), True

    # ---- attributes -------------------------------------------------------------------

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    def item(self):
        return self.data.item()

    def numpy(self):
        return self.data

    def detach(self):
        """A new tensor sharing this one's data, cut off from the graph."""
        return Tensor(self.data)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = [body]
        if self.data.size > np.get_printoptions()["threshold"]:
            extras.append(f"shape={self.shape}")
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        return f"Tensor({', '.join(extras)})"

    # ---- backpropagation --------------------------------------------------------------

    def backward(self, grad=None):
        """Backpropagate from this tensor, adding into `.grad` of every leaf it depends on.

        A one-element tensor seeds the gradient 1; any other needs `grad`, the gradient of
        some scalar with respect to this tensor (broadcast to its shape).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input was created with requires_grad=True"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() needs grad= for a tensor of shape {self.shape}: "
                    "only a one-element output seeds the gradient 1"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            try:
                grad = np.broadcast_to(grad, self.shape)
            except ValueError:
                raise ValueError(f"grad of shape {grad.shape} does not match the output's shape {self.shape}") from None
        ops, leaves = self._graph()
        self._pending, self._owned = grad, False  # the seed may be the caller's array
        try:
            for node in reversed(ops):
                g, node._pending = node._pending, None
                if g is not None:
                    node._backward(g)
        except BaseException:
            for node in ops + leaves:
                node._pending = None
            raise
        # Leaves get their gradient only once the whole pass has succeeded.
        for leaf in leaves:
            g, leaf._pending = leaf._pending, None
            if g is None:
                continue
            if leaf.grad is None:  # keep an array we own, copy any other
                leaf.grad = g if leaf._owned else np.array(g, dtype=leaf.dtype)
            else:
                leaf.grad += g

    def _graph(self):
        """The graph behind this tensor: (ops, leaves), the op results each after all of
        its parents, and the leaves. Iterative, so deep graphs don't hit Python's recursion
        limit; leaves are set apart as they are met, as they have no parents to visit."""
        if self._backward is None:
            return [], [self]
        ops, leaves, seen = [], [], {self}
        stack = [(self, iter(self._parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    if parent._backward is None:
                        leaves.append(parent)
                    else:
                        stack.append((parent, iter(parent._parents)))
                        break
            else:
                stack.pop()
                ops.append(node)
        return ops, leaves

    # ---- arithmetic ---------------------------------------------------------------------

    def __add__(self, other):
        other = self._lift(other)

        def backward(g):
            self._accumulate(g)
            other._accumulate(g)

        return Tensor._from_op(self.data + other.data, (self, other), backward)

    def __sub__(self, other):
        other = self._lift(other)

        def backward(g):
            self._accumulate(g)
            if other.requires_grad:
                other._accumulate(-g)

        return Tensor._from_op(self.data - other.data, (self, other), backward)

    def __mul__(self, other):
        other = self._lift(other)
        data = self.data * other.data

        def backward(g):
            if self.requires_grad:
                self._accumulate(g * other.data)
            if other.requires_grad:
                other._accumulate(g * self.data)

        return Tensor._from_op(data, (self, other), backward)

    def __truediv__(self, other):
        other = self._lift(other)
        data = self.data / other.data

        def backward(g):
            if self.requires_grad:
                self._accumulate(g / other.data)
            if other.requires_grad:
                other._accumulate(-g * (data / other.data))

        return Tensor._from_op(data, (self, other), backward)

    def __pow__(self, exponent):
        exponent = self._lift(exponent)
        base, power = self.data, exponent.data
        data = base**power

        @np.errstate(divide="ignore", invalid="ignore")  # inf and nan as in PyTorch, silently
        def backward(g):
            if self.requires_grad:  # d/dx x**p = p * x**(p-1), taken as 0 where p == 0
                self._accumulate(np.where(power == 0, 0, g * (power * base ** (power - 1))))
            if exponent.requires_grad:  # d/dp x**p = x**p * log(x), taken as 0 where x == 0 <= p
                d = g * (data * np.log(base))
                exponent._accumulate(np.where((base == 0) & (power >= 0), 0, d))

        return Tensor._from_op(data, (self, exponent), backward)

    def __matmul__(self, other):
        other = self._lift(other)
        a, b = self.data, other.data

        def backward(g):
            # View 1-D operands as a row (a) and a column (b), as np.matmul does, and give
            # the gradient back the axes that their product dropped.
            A = a[None, :] if a.ndim == 1 else a
            B = b[:, None] if b.ndim == 1 else b
            g = g[..., None] if b.ndim == 1 else g
            g = g[..., None, :] if a.ndim == 1 else g
            if self.requires_grad:
                ga = g @ np.swapaxes(B, -1, -2)
                self._accumulate(ga[..., 0, :] if a.ndim == 1 else ga)
            if other.requires_grad:
                gb = np.swapaxes(A, -1, -2) @ g
                other._accumulate(gb[..., 0] if b.ndim == 1 else gb)

        return Tensor._from_op(a @ b, (self, other), backward)

    def __neg__(self):
        return Tensor._from_op(-self.data, (self,), lambda g: self._accumulate(-g))

    def __radd__(self, other):
        return self._lift(other) + self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __rpow__(self, other):
        return self._lift(other) ** self

    def __rmatmul__(self, other):
        return self._lift(other) @ self

    # ---- reductions ---------------------------------------------------------------------

    def sum(self, axis=None, keepdims=False):
        def backward(g):
            self._accumulate(np.broadcast_to(_keepdims(g, axis, keepdims), self.shape))

        return Tensor._from_op(self.data.sum(axis=axis, keepdims=keepdims), (self,), backward)

    def mean(self, axis=None, keepdims=False):
        data = self.data.mean(axis=axis, keepdims=keepdims)
        count = self.data.size // max(np.size(data), 1)

        def backward(g):
            self._accumulate(np.broadcast_to(_keepdims(g, axis, keepdims) / count, self.shape))

        return Tensor._from_op(data, (self,), backward)

    def max(self, axis=None, keepdims=False):
        """Largest entries. Ties share the gradient equally, like PyTorch's `amax`."""
        top = self.data.max(axis=axis, keepdims=True)

        def backward(g):
            is_top = self.data == top
            ties = is_top.sum(axis=axis, keepdims=True, dtype=self.dtype)
            self._accumulate((_keepdims(g, axis, keepdims) / ties) * is_top)

        return Tensor._from_op(top if keepdims else np.squeeze(top, axis=axis), (self,), backward)

    # ---- shape --------------------------------------------------------------------------

    def reshape(self, *shape):
        """`t.reshape(2, -1)` or `t.reshape((2, -1))`."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return Tensor._from_op(self.data.reshape(shape), (self,), lambda g: self._accumulate(g.reshape(self.shape)))

    def transpose(self, *axes):
        """Permute axes; with no arguments, reverse them."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        axes = tuple(a % self.ndim for a in axes) if axes else tuple(reversed(range(self.ndim)))
        inverse = tuple(np.argsort(axes))
        return Tensor._from_op(self.data.transpose(axes), (self,), lambda g: self._accumulate(g.transpose(inverse)))

    @property
    def T(self):
        return self.transpose()

    def __getitem__(self, index):
        def backward(g):
            full = np.zeros_like(self.data)
            if _is_basic_index(index):
                full[index] = g
            else:  # integer arrays may repeat an entry: its gradients must add up
                np.add.at(full, index, g)
            self._accumulate(full)

        return Tensor._from_op(self.data[index], (self,), backward)

    # ---- elementwise functions ----------------------------------------------------------

    def exp(self):
        data = np.exp(self.data)
        return Tensor._from_op(data, (self,), lambda g: self._accumulate(g * data))

    def log(self):
        return Tensor._from_op(np.log(self.data), (self,), lambda g: self._accumulate(g / self.data))

    def sqrt(self):
        data = np.sqrt(self.data)
        return Tensor._from_op(data, (self,), lambda g: self._accumulate(g / (2 * data)))

    def abs(self):
        """|x|, with gradient 0 at 0 as in PyTorch."""
        return Tensor._from_op(np.abs(self.data), (self,), lambda g: self._accumulate(g * np.sign(self.data)))

    def tanh(self):
        data = np.tanh(self.data)
        return Tensor._from_op(data, (self,), lambda g: self._accumulate(g * (1 - data * data)))

    def relu(self):
        """max(x, 0), with gradient 0 at 0 as in PyTorch."""
        positive = self.data > 0
        zero = self.dtype.type(0)  # not the number 0, which NumPy 1.x promotes a 0-d float32 with
        # g times the mask: one pass, a quarter of the time np.where(positive, g, 0) takes
        return Tensor._from_op(
            np.maximum(self.data, zero), (self,), lambda g: self._accumulate(g * positive, fresh=True)
        )

    def leaky_relu(self, slope=0.01):
        """x where x > 0, else slope * x; the gradient at 0 is `slope`, as in PyTorch."""
        slope = self.dtype.type(slope)  # in the tensor's dtype: a float64 slope would promote float32 data
        positive = self.data > 0
        return Tensor._from_op(
            np.where(positive, self.data, self.data * slope),
            (self,),
            lambda g: self._accumulate(np.where(positive, g, g * slope)),
        )

    def sigmoid(self):
        """1 / (1 + e^-x), computed from e^-|x| so that it never overflows."""
        e = np.exp(-np.abs(self.data))
        one = self.dtype.type(1)  # not the number 1, which NumPy 1.x promotes a 0-d float32 with
        # 1/(1+e) or e/(1+e), in one division. The numerator is max(e, [x ≥ 0]): 1 where x ≥ 0
        # (e ≤ 1 there), e elsewhere (NaN stays NaN) — the same numbers as np.where(x ≥ 0, 1, e),
        # in less time
        data = np.maximum(e, self.data >= 0) / (one + e)
        return Tensor._from_op(data, (self,), lambda g: self._accumulate(g * (1 - data) * data))

    def softmax(self, axis=-1):
        """exp(x) / sum(exp(x)) along `axis`; the max is subtracted first for stability."""
        e = np.exp(self.data - self.data.max(axis=axis, keepdims=True))
        data = e / e.sum(axis=axis, keepdims=True)

        def backward(g):
            self._accumulate((g - (g * data).sum(axis=axis, keepdims=True)) * data)

        return Tensor._from_op(data, (self,), backward)

    def log_softmax(self, axis=-1):
        """x - log(sum(exp(x))) along `axis`, exact even for logits like ±1000."""
        shifted = self.data - self.data.max(axis=axis, keepdims=True)
        data = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

        def backward(g):
            self._accumulate(g - np.exp(data) * g.sum(axis=axis, keepdims=True))

        return Tensor._from_op(data, (self,), backward)
