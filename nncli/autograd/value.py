"""A scalar reverse-mode autograd engine, in the style of micrograd.

A `Value` holds a number (`data`), the derivative of the final output with respect to it
(`grad`), the Values it was computed from (`_prev`), the name of the operation that made
it (`_op`), and `_backward`, which passes the node's `grad` on to its `_prev`. Every
operation takes the same five steps: wrap the operand (a number becomes a `Value`),
compute `out`, define the backward function, which adds (`+=`) the local derivative times
`out.grad` into each input's `grad`, attach it to `out`, and return `out`.

Unlike micrograd's closures, made afresh for every node, there is one backward function
per op (written just below it), handed the node it works on. A graph then holds no
reference cycles and just two objects per node (the Value and its `_prev` tuple), so it is
freed as soon as it is dropped, and Python's cycle collector, which would otherwise
dominate the running time of a training loop, has next to nothing to do.

Arithmetic is Python's, and math errors follow Python's `math` module: `log` of a number
<= 0, a negative number to a fractional power and 0 to a negative power raise ValueError
(PyTorch returns nan or inf); `exp` above ~709 raises OverflowError (PyTorch: inf).
`sigmoid` never overflows. Powers of 0 that have a value differentiate as in PyTorch:
the gradient of `x ** 0` is 0 (x = 0 included), and of `x ** k` for 0 < k < 1 at x = 0
(`Value(0.0) ** 0.5`) it is inf — the true slope of a curve leaving 0 vertically, and a
number rather than an error, so a backward pass never stops halfway.
"""

import math


def _leaf_backward(out):
    """Leaves (inputs and constants) have nothing to pass their gradient on to."""


class Value:
    """A scalar that remembers how it was computed, so its gradient can flow back."""

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_backward")

    def __init__(self, data, _prev=(), _op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self.label = label  # a name shown when the graph is drawn
        self._prev = _prev  # the Values this one was computed from
        self._op = _op  # the operation that computed it, e.g. "+" or "tanh"
        self._backward = _leaf_backward

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f}{label})"

    # ---- arithmetic: each op, then its backward function --------------------------------

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        out._backward = Value._add_backward
        return out

    @staticmethod
    def _add_backward(out):
        a, b = out._prev
        a.grad += out.grad
        b.grad += out.grad

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")
        out._backward = Value._sub_backward
        return out

    @staticmethod
    def _sub_backward(out):
        a, b = out._prev
        a.grad += out.grad
        b.grad -= out.grad

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        out._backward = Value._mul_backward
        return out

    @staticmethod
    def _mul_backward(out):
        a, b = out._prev
        a.grad += out.grad * b.data
        b.grad += out.grad * a.data

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")
        out._backward = Value._truediv_backward
        return out

    @staticmethod
    def _truediv_backward(out):
        a, b = out._prev
        a.grad += out.grad / b.data
        b.grad -= out.grad * (out.data / b.data)  # d(a/b)/db = -(a/b)/b

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError(
                "Value ** Value is not supported: the exponent must be a plain number "
                "(for x ** y with a Value y, write (y * x.log()).exp())"
            )
        # The exponent rides along in _prev, as a constant that gets no gradient.
        out = Value(math.pow(self.data, exponent), (self, Value(exponent)), f"**{exponent}")
        out._backward = Value._pow_backward
        return out

    @staticmethod
    def _pow_backward(out):
        a, k = out._prev
        if k.data == 0:
            return  # x**0 is the constant 1: slope 0 everywhere, x = 0 too (0 ** -1 is never taken)
        if a.data == 0 and k.data < 1:
            slope = math.inf  # x**k for 0 < k < 1 leaves 0 vertically, e.g. sqrt; PyTorch: inf too
        else:
            slope = k.data * math.pow(a.data, k.data - 1)
        a.grad += out.grad * slope

    @staticmethod
    def sum(values):
        """values[0] + values[1] + ... as one node instead of a chain of len(values) - 1."""
        values = tuple(v if isinstance(v, Value) else Value(v) for v in values)
        out = Value(sum(v.data for v in values), values, "sum")
        out._backward = Value._sum_backward
        return out

    @staticmethod
    def _sum_backward(out):
        for v in out._prev:  # d(sum)/d(each term) = 1
            v.grad += out.grad

    @staticmethod
    def dot(weights, inputs):
        """w1*x1 + w2*x2 + ... as one node: a neuron's weighted sum, without a node per
        product and per addition. Its inputs are the weights followed by the inputs."""
        inputs = [x if isinstance(x, Value) else Value(x) for x in inputs]
        out = Value(sum(w.data * x.data for w, x in zip(weights, inputs)), (*weights, *inputs), "dot")
        out._backward = Value._dot_backward
        return out

    @staticmethod
    def _dot_backward(out):
        n = len(out._prev) // 2
        weights, inputs = out._prev[:n], out._prev[n:]
        for w, x in zip(weights, inputs):  # d(w·x)/dw_i = x_i and d(w·x)/dx_i = w_i
            w.grad += out.grad * x.data
            x.grad += out.grad * w.data

    def __neg__(self):  # -self
        return self * -1.0

    def __radd__(self, other):  # other + self
        return self + other

    def __rsub__(self, other):  # other - self
        return Value(other) - self

    def __rmul__(self, other):  # other * self
        return self * other

    def __rtruediv__(self, other):  # other / self
        return Value(other) / self

    # ---- functions ----------------------------------------------------------------------

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")
        out._backward = Value._exp_backward
        return out

    @staticmethod
    def _exp_backward(out):
        (a,) = out._prev
        a.grad += out.grad * out.data  # exp' = exp

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log({self.data!r}): the logarithm needs a number > 0")
        out = Value(math.log(self.data), (self,), "log")
        out._backward = Value._log_backward
        return out

    @staticmethod
    def _log_backward(out):
        (a,) = out._prev
        a.grad += out.grad / a.data

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")
        out._backward = Value._tanh_backward
        return out

    @staticmethod
    def _tanh_backward(out):
        (a,) = out._prev
        t = out.data  # tanh' = 1 - t², as (1 - t)(1 + t), which keeps its digits near t = ±1
        a.grad += out.grad * ((1.0 - t) * (1.0 + t))

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")
        out._backward = Value._relu_backward
        return out

    @staticmethod
    def _relu_backward(out):
        (a,) = out._prev
        if out.data > 0:  # relu'(0) = 0, as in PyTorch
            a.grad += out.grad

    def sigmoid(self):
        # 1 / (1 + e^-x) overflows for very negative x; e^x / (1 + e^x) is the same
        # number and only ever exponentiates something <= 0.
        if self.data >= 0:
            s = 1.0 / (1.0 + math.exp(-self.data))
        else:
            e = math.exp(self.data)
            s = e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")
        out._backward = Value._sigmoid_backward
        return out

    @staticmethod
    def _sigmoid_backward(out):
        (a,) = out._prev
        a.grad += out.grad * (1.0 - out.data) * out.data  # σ' = σ(1 - σ)

    # ---- backpropagation -------------------------------------------------------------

    def backward(self):
        """Add d(self)/d(node) into `node.grad` for every node in the graph of `self`.

        Gradients accumulate: calling `backward()` twice doubles every `.grad`, as in
        PyTorch, so set them to 0 between steps (an optimizer's `zero_grad()` does).
        """
        topo = self._topological_order()
        # An interior node may still hold gradient from an earlier call: pass on only
        # this call's share, then add the earlier gradient back.
        earlier = [(v, v.grad) for v in topo if v._prev and v.grad]
        for v, _ in earlier:
            v.grad = 0.0
        self.grad += 1.0
        for v in reversed(topo):
            v._backward(v)
        for v, grad in earlier:
            v.grad += grad

    def _topological_order(self):
        """Every node of the graph, each after all the nodes it was computed from.

        A depth-first search with an explicit stack rather than recursion, so deep graphs
        (a chain of a million operations) don't hit Python's recursion limit. A node met
        for the first time goes back on the stack under a `None` marker, with its inputs
        on top; by the time the marker comes off again, its inputs are all in `topo`.
        """
        topo, visited, stack = [], set(), [self]
        while stack:
            node = stack.pop()
            if node is None:
                topo.append(stack.pop())
            elif node not in visited:
                visited.add(node)
                stack.append(node)
                stack.append(None)
                for child in node._prev:
                    if child not in visited:
                        stack.append(child)
        return topo
