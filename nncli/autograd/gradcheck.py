"""Finite-difference checks of the gradients computed by both engines.

`gradcheck(fn, inputs)` compares the gradient that backpropagation computes for each input
(the *analytic* gradient) with a *numeric* one from central differences,

    (f(x + eps) - f(x - eps)) / (2 eps),   perturbing one element at a time,

and passes an element, as PyTorch's `gradcheck` does, when
`|analytic - numeric| <= atol + rtol * |numeric|`.

`fn` is a function of Tensors returning a Tensor of any shape, or a function of Values
returning a Value. A Tensor output is turned into a scalar, `sum(out * u)`, with a fixed
random `u` (seeded by `seed`), so that every output element takes part; its gradient is
`out.backward(u)`. Tensor inputs are checked in float64, on copies.

A point within `eps` of a kink (relu or abs at 0, max with a near-tie) can legitimately
fail: the two sides of the central difference see different slopes. `standard_cases()`
therefore draws its inputs away from kinks.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from nncli.autograd.tensor import Tensor, no_grad
from nncli.autograd.value import Value


@dataclass
class InputResult:
    """How the gradient with respect to one input compared with finite differences."""

    name: str
    index: int
    shape: tuple
    max_abs_error: float  # the largest |analytic - numeric| over the input's elements
    max_rel_error: float  # the largest |analytic - numeric| / max(|analytic|, |numeric|)
    passed: bool
    worst_index: tuple  # the element closest to (or furthest beyond) the tolerance
    analytic: float  # the two gradients at worst_index
    numeric: float


@dataclass
class GradcheckReport:
    """The outcome of one `gradcheck`: a result per input, and whether all passed."""

    engine: str  # "tensor" or "value"
    inputs: list
    passed: bool
    eps: float
    atol: float
    rtol: float

    def __str__(self):
        lines = [
            f"gradcheck ({self.engine}, eps={self.eps:g}, atol={self.atol:g}, "
            f"rtol={self.rtol:g}): {'passed' if self.passed else 'FAILED'}"
        ]
        for r in self.inputs:
            line = f"  {r.name} {r.shape}: max abs error {r.max_abs_error:.2e}, max rel error {r.max_rel_error:.2e}"
            if not r.passed:
                line += f" FAILED at {r.worst_index}: analytic {r.analytic:.8g}, numeric {r.numeric:.8g}"
            lines.append(line)
        return "\n".join(lines)


def gradcheck(fn, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check `fn`'s gradients against central differences; returns a GradcheckReport.

    `inputs` is a sequence (`fn(*inputs)`) or a dict of named inputs (`fn(**inputs)`):
    Tensors or ndarrays for a function of Tensors, Values or numbers for a function of
    Values. Nothing is printed and the inputs are left unchanged.
    """
    named = isinstance(inputs, dict)
    names = list(inputs) if named else [f"x{i}" for i in range(len(inputs))]
    values = list(inputs.values()) if named else list(inputs)

    def call(args):
        return fn(**dict(zip(names, args))) if named else fn(*args)

    if all(isinstance(v, (Tensor, np.ndarray)) for v in values):
        engine, analytic, numeric = "tensor", *_tensor_gradients(call, values, eps, seed)
    elif all(isinstance(v, (Value, numbers.Real)) for v in values):
        engine, analytic, numeric = "value", *_value_gradients(call, values, eps)
    else:
        raise TypeError(
            "gradcheck: the inputs must be all Tensors or ndarrays (for a function of "
            "Tensors) or all Values or numbers (for a function of Values)"
        )

    results = [_compare(name, i, a, n, atol, rtol) for i, (name, a, n) in enumerate(zip(names, analytic, numeric))]
    passed = all(r.passed for r in results)
    return GradcheckReport(engine, results, passed, eps, atol, rtol)


def _tensor_gradients(call, values, eps, seed):
    """Analytic and numeric gradients of sum(fn(*inputs) * u), as float64 arrays."""
    arrays = [np.array(v.data if isinstance(v, Tensor) else v, dtype=np.float64) for v in values]
    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = call(leaves)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: the function returned {type(out).__name__}, not a Tensor")
    rng = np.random.default_rng(seed)
    # Weights of magnitude 0.5 to 1.5 and random sign: no output element is ignored.
    u = rng.uniform(0.5, 1.5, out.shape) * rng.choice([-1.0, 1.0], out.shape)
    if out.requires_grad:
        out.backward(u)
    analytic = [leaf.grad if leaf.grad is not None else np.zeros_like(a) for leaf, a in zip(leaves, arrays)]

    def scalar():
        with no_grad():
            return float(np.sum(call([Tensor(a) for a in arrays]).data * u))

    numeric = []
    for a in arrays:
        grad, flat = np.zeros_like(a), a.reshape(-1)  # a view: perturbing it perturbs a
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            above = scalar()
            flat[j] = original - eps
            below = scalar()
            flat[j] = original
            grad.flat[j] = (above - below) / (2 * eps)
        numeric.append(grad)
    return analytic, numeric


def _value_gradients(call, values, eps):
    """Analytic and numeric gradients of a function of Values, as 0-d arrays."""
    points = [float(v.data if isinstance(v, Value) else v) for v in values]
    leaves = [Value(x) for x in points]
    out = call(leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: the function returned {type(out).__name__}, not a Value")
    out.backward()
    analytic = [np.array(leaf.grad) for leaf in leaves]

    def at(i, x):
        return call([Value(x if k == i else p) for k, p in enumerate(points)]).data

    numeric = [np.array((at(i, x + eps) - at(i, x - eps)) / (2 * eps)) for i, x in enumerate(points)]
    return analytic, numeric


def _compare(name, index, analytic, numeric, atol, rtol):
    """Summarise the element-wise comparison of two gradients of one input."""
    if analytic.size == 0:
        return InputResult(name, index, analytic.shape, 0.0, 0.0, True, (), 0.0, 0.0)
    error = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(scale > 0, error / scale, 0.0)
    excess = error - (atol + rtol * np.abs(numeric))  # > 0 (or nan) fails
    # The worst element: the one furthest beyond its tolerance (nan first), or closest to it.
    worst = int(np.argmax(np.nan_to_num(excess, nan=np.inf)))
    worst_index = tuple(int(i) for i in np.unravel_index(worst, analytic.shape))
    return InputResult(
        name=name,
        index=index,
        shape=tuple(analytic.shape),
        max_abs_error=float(np.max(error)),
        max_rel_error=float(np.max(relative)),
        passed=bool(np.all(excess <= 0)),  # False for nan too
        worst_index=worst_index,
        analytic=float(analytic.flat[worst]),
        numeric=float(numeric.flat[worst]),
    )


# ---- the standard suite: every op of both engines --------------------------------------


@dataclass
class GradcheckCase:
    """A named function with inputs to check, for one engine ("tensor" or "value")."""

    name: str
    engine: str
    fn: object
    inputs: list


def standard_cases(seed=0):
    """Cases covering every op of both engines, with seeded inputs away from kinks."""
    rng = np.random.default_rng(seed)

    def normal(*shape):
        return rng.standard_normal(shape)

    def positive(*shape):  # for log, sqrt and fractional powers
        return rng.uniform(0.5, 2.0, shape)

    def nonzero(*shape):  # for relu, abs and division: at least 0.2 from the kink or pole
        return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)

    def tensor(name, fn, *inputs):
        return GradcheckCase(name, "tensor", fn, list(inputs))

    def value(name, fn, *inputs):
        return GradcheckCase(name, "value", fn, [float(x) for x in inputs])

    a, b = normal(3), normal(3)  # constant operands, as ndarrays
    labels = np.array([2, 0, 1, 2])
    return [
        # arithmetic, with broadcasting
        tensor("x + y (45,65)+(65,)", lambda x, y: x + y, normal(45, 65), normal(65)),
        tensor("x - y (3,4)-(3,1)", lambda x, y: x - y, normal(3, 4), normal(3, 1)),
        tensor("x * y (4,1)*(1,5)", lambda x, y: x * y, normal(4, 1), normal(1, 5)),
        tensor("x * y (1,3,1,7,1)*(2,1,5,1,8)", lambda x, y: x * y, normal(1, 3, 1, 7, 1), normal(2, 1, 5, 1, 8)),
        tensor("x / y (2,3)/(3,)", lambda x, y: x / y, normal(2, 3), nonzero(3)),
        tensor("-x", lambda x: -x, normal(2, 3)),
        tensor("x with numbers on either side", lambda x: (2.0 - x) * 3.0 + 1.5 / x - x / 4.0 + 1.0, nonzero(2, 3)),
        tensor("x with ndarrays on either side", lambda x: a * x - b / x + (a + x) @ b, nonzero(3)),
        tensor("x ** 3", lambda x: x**3, normal(2, 3)),
        tensor("x ** 0.5", lambda x: x**0.5, positive(2, 3)),
        tensor("x ** -2", lambda x: x**-2, nonzero(2, 3)),
        tensor("x ** y", lambda x, y: x**y, positive(2, 3), normal(3)),
        tensor("2 ** x", lambda x: 2.0**x, normal(2, 3)),
        # matrix products
        tensor("x @ y (3,4)@(4,5)", lambda x, y: x @ y, normal(3, 4), normal(4, 5)),
        tensor("x @ y (2,3,4)@(4,5)", lambda x, y: x @ y, normal(2, 3, 4), normal(4, 5)),
        tensor("x @ y (2,1,3,4)@(5,4,2)", lambda x, y: x @ y, normal(2, 1, 3, 4), normal(5, 4, 2)),
        tensor("x @ y (4,)@(4,3)", lambda x, y: x @ y, normal(4), normal(4, 3)),
        tensor("x @ y (3,4)@(4,)", lambda x, y: x @ y, normal(3, 4), normal(4)),
        tensor("x @ y (4,)@(4,)", lambda x, y: x @ y, normal(4), normal(4)),
        # reductions
        tensor("x.sum()", lambda x: x.sum(), normal(3, 4)),
        tensor("x.sum(axis=0)", lambda x: x.sum(axis=0), normal(3, 4)),
        tensor("x.sum(axis=(0, 2), keepdims=True)", lambda x: x.sum(axis=(0, 2), keepdims=True), normal(2, 3, 4)),
        tensor("x.mean()", lambda x: x.mean(), normal(3, 4)),
        tensor("x.mean(axis=-1)", lambda x: x.mean(axis=-1), normal(2, 3, 4)),
        tensor("x.mean(axis=(0, 1), keepdims=True)", lambda x: x.mean(axis=(0, 1), keepdims=True), normal(2, 3, 4)),
        tensor("x.max()", lambda x: x.max(), normal(3, 4)),
        tensor("x.max(axis=1)", lambda x: x.max(axis=1), normal(3, 4)),
        tensor("x.max(axis=0, keepdims=True)", lambda x: x.max(axis=0, keepdims=True), normal(3, 4)),
        # shapes and indexing
        tensor("x.reshape(4, -1)", lambda x: x.reshape(4, -1), normal(2, 3, 2)),
        tensor("x.transpose(2, 0, 1)", lambda x: x.transpose(2, 0, 1), normal(2, 3, 4)),
        tensor("x.T", lambda x: x.T, normal(3, 4)),
        tensor("x[1:, ::2]", lambda x: x[1:, ::2], normal(3, 5)),
        tensor("x[-1]", lambda x: x[-1], normal(3, 5)),
        tensor("x[[0, 2, 0, 0]] (repeated)", lambda x: x[np.array([0, 2, 0, 0])], normal(3, 4)),
        tensor(
            "x[[0, 1, 0], [2, 2, 2]] (repeated)", lambda x: x[np.array([0, 1, 0]), np.array([2, 2, 2])], normal(3, 4)
        ),
        tensor("x[:, [1, 1, 3]] (repeated)", lambda x: x[:, np.array([1, 1, 3])], normal(3, 4)),
        # elementwise functions
        tensor("x.exp()", lambda x: x.exp(), normal(2, 3)),
        tensor("x.log()", lambda x: x.log(), positive(2, 3)),
        tensor("x.sqrt()", lambda x: x.sqrt(), positive(2, 3)),
        tensor("x.abs()", lambda x: x.abs(), nonzero(2, 3)),
        tensor("x.tanh()", lambda x: x.tanh(), normal(2, 3)),
        tensor("x.relu()", lambda x: x.relu(), nonzero(2, 3)),
        tensor("x.sigmoid()", lambda x: x.sigmoid(), 3 * normal(2, 3)),
        tensor("x.leaky_relu()", lambda x: x.leaky_relu(), nonzero(2, 3)),
        tensor("x.leaky_relu(0.2)", lambda x: x.leaky_relu(0.2), nonzero(2, 3)),
        tensor("x.softmax()", lambda x: x.softmax(), normal(3, 5)),
        tensor("x.softmax(axis=0)", lambda x: x.softmax(axis=0), normal(3, 5)),
        tensor("x.log_softmax()", lambda x: x.log_softmax(), normal(3, 5)),
        tensor("x.log_softmax(axis=0)", lambda x: x.log_softmax(axis=0), normal(3, 5)),
        tensor(
            "two-layer net, cross-entropy",
            lambda x, w1, b1, w2: -((x @ w1 + b1).tanh() @ w2).log_softmax()[np.arange(4), labels].mean(),
            normal(4, 3),
            normal(3, 5),
            normal(5),
            normal(5, 3),
        ),
        # the scalar engine
        value("a + b", lambda a, b: a + b, *normal(2)),
        value("a - b", lambda a, b: a - b, *normal(2)),
        value("a * b", lambda a, b: a * b, *normal(2)),
        value("a / b", lambda a, b: a / b, *normal(1), *nonzero(1)),
        value("-a", lambda a: -a, *normal(1)),
        value("a with numbers on either side", lambda a: (2 + a) * (2 - a) + 2 * a + 2 / a - a / 2, *nonzero(1)),
        value("a ** 2", lambda a: a**2, *normal(1)),
        value("a ** 3", lambda a: a**3, *normal(1)),
        value("a ** 0.5", lambda a: a**0.5, *positive(1)),
        value("a ** -1.5", lambda a: a**-1.5, *positive(1)),
        value("a.exp()", lambda a: a.exp(), *normal(1)),
        value("a.log()", lambda a: a.log(), *positive(1)),
        value("a.tanh()", lambda a: a.tanh(), *normal(1)),
        value("a.relu()", lambda a: a.relu(), *nonzero(1)),
        value("a.sigmoid()", lambda a: a.sigmoid(), 3 * normal(1)[0]),
        value("a * a + a (reused)", lambda a: a * a + a, *normal(1)),
        value("neuron tanh(w1 x1 + w2 x2 + b)", lambda x1, x2, w1, w2, b: (w1 * x1 + w2 * x2 + b).tanh(), *normal(5)),
        value("micrograd's expression", _micrograd_expression, -4.0, 2.0),
    ]


def _micrograd_expression(a, b):
    """The expression of micrograd's own sanity check (at a=-4, b=2, no relu sits at 0)."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def run_suite(cases=None):
    """Gradcheck every case (by default the standard ones): [(case name, report), ...]."""
    cases = standard_cases() if cases is None else cases
    return [(case.name, gradcheck(case.fn, case.inputs)) for case in cases]
