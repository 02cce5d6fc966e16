"""Loss surfaces of two variables, and optimizers racing downhill on them.

Training a network is walking downhill on a loss surface with millions of dimensions.
Here there are two, x and y, so the walk can be drawn. Each step is exactly what a
training step does: compute the loss with nncli's autograd (a Tensor holding the point
(x, y), `requires_grad=True`), backpropagate, and let an optimizer from `nncli.optim` —
the same SGD and Adam that train networks — move the point.

The classic surfaces, each a formula in x and y (read by nncli's safe formula parser):

- bowl: (x² + K·y²)/2, a long valley whose curvatures are 1 (along x) and K (across it).
  Plain gradient descent multiplies the distance to the bottom along each axis by
  (1 − lr·curvature) every step, so it diverges exactly when lr > 2/K: across the valley
  each step overshoots by more than it corrects. Below that, the flat direction still
  shrinks only by (1 − lr) a step: a condition number K makes it crawl. Momentum keeps
  the steps along the valley adding up and lets the zig-zags across it cancel.
- rosenbrock: (1 − x)² + 100·(y − x²)², a curved banana-shaped valley whose floor falls
  gently to the minimum at (1, 1).
- himmelblau: (x² + y − 11)² + (x + y² − 7)², four equally low minima: where an
  optimizer ends depends on where it starts and how it moves.
- saddle: x² − y²/2 + y⁴/4, a saddle point at the origin between two valleys at y = ±1;
  the gradient almost vanishes near the saddle, which slows plain descent.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from nncli import optim
from nncli.autograd import Tensor
from nncli.config import OPTIMIZERS
from nncli.formula import FUNCTIONS, parse

DEFAULT_CONDITION = 20.0
VARIABLES = ("x", "y")
DEFAULT_MOMENTUM = 0.9
ESCAPE = 1e6  # a point farther than this many region-widths from the region has diverged


@dataclass(frozen=True)
class Surface:
    """A loss surface f(x, y): its formula, the region drawn, where optimizers start, its
    known lowest points (none for a formula given by the user), and the learning rates
    and number of steps that make a race on it worth watching."""

    name: str
    formula: object  # an nncli.formula.Formula in x and y
    region: tuple  # (x_lo, x_hi, y_lo, y_hi)
    start: tuple
    minima: tuple = ()
    lr: dict = field(default_factory=lambda: {"sgd": 0.01, "momentum": 0.01, "adam": 0.05})
    steps: int = 300

    def __call__(self, x, y):
        """f over NumPy arrays (or numbers), as float64: nan where it is undefined."""
        return self.formula(x=x, y=y)

    def loss(self, point):
        """f at `point`, a Tensor of shape (2,), computed by the autograd engine."""
        value = self.formula.evaluate({"x": point[0], "y": point[1]}, functions=TENSOR_FUNCTIONS)
        return value if isinstance(value, Tensor) else Tensor(value)


def bowl(condition=DEFAULT_CONDITION):
    """(x² + K·y²)/2, K = `condition`: curvature 1 along x, K across."""
    return Surface(
        "bowl",
        parse(f"(x**2 + {condition:.15g}*y**2)/2", VARIABLES),
        region=(-2.5, 2.5, -2.5, 2.5),
        start=(-2.0, 1.0),
        minima=((0.0, 0.0),),
        lr={"sgd": 0.02, "momentum": 0.02, "adam": 0.1},
        steps=300,
    )


SURFACES = {
    "bowl": bowl,
    "rosenbrock": lambda: Surface(
        "rosenbrock",
        parse("(1 - x)**2 + 100*(y - x**2)**2", VARIABLES),
        region=(-2.0, 2.0, -1.0, 3.0),
        start=(-1.5, 2.5),
        minima=((1.0, 1.0),),
        lr={"sgd": 0.001, "momentum": 0.001, "adam": 0.05},
        steps=1500,
    ),
    "himmelblau": lambda: Surface(
        "himmelblau",
        parse("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", VARIABLES),
        region=(-5.0, 5.0, -5.0, 5.0),
        start=(0.0, 0.0),
        minima=((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
        lr={"sgd": 0.005, "momentum": 0.005, "adam": 0.1},
        steps=300,
    ),
    "saddle": lambda: Surface(
        "saddle",
        parse("x**2 - y**2/2 + y**4/4", VARIABLES),
        region=(-2.0, 2.0, -2.0, 2.0),
        start=(-1.8, 0.001),
        minima=((0.0, 1.0), (0.0, -1.0)),
        lr={"sgd": 0.05, "momentum": 0.05, "adam": 0.05},
        steps=200,
    ),
}


def get_surface(name, condition=DEFAULT_CONDITION):
    """The surface called `name` (KeyError if none); `condition` is the bowl's K."""
    return bowl(condition) if name == "bowl" else SURFACES[name]()


def expression_surface(text):
    """A surface from any formula in x and y (FormulaError if nncli cannot read it).
    Its minima are unknown, so a race on it reports where each optimizer ended."""
    return Surface("expr", parse(text, VARIABLES), region=(-3.0, 3.0, -3.0, 3.0), start=(-2.0, 2.0))


def region_holding(region, point, margin=0.1):
    """`region` grown, with a margin, until it holds `point` (unchanged if it does)."""
    x_lo, x_hi, y_lo, y_hi = region
    x, y = point
    pad_x, pad_y = margin * (x_hi - x_lo), margin * (y_hi - y_lo)
    if not x_lo <= x <= x_hi:
        x_lo, x_hi = min(x_lo, x - pad_x), max(x_hi, x + pad_x)
    if not y_lo <= y <= y_hi:
        y_lo, y_hi = min(y_lo, y - pad_y), max(y_hi, y + pad_y)
    return (x_lo, x_hi, y_lo, y_hi)


# --- the formula's functions, as autograd operations ----------------------------------------


def _elementwise(name, derivative):
    """A one-argument function f as a Tensor op: `derivative(x, f(x))` is f'(x). On a plain
    number (a part of the formula without x or y) it is NumPy's f."""
    numpy_function = FUNCTIONS[name][0]

    def op(t):
        if not isinstance(t, Tensor):
            return numpy_function(t)
        data = numpy_function(t.data)
        return Tensor._from_op(data, (t,), lambda g: t._accumulate(g * derivative(t.data, data)))

    return op


def _flat(x, fx):
    """The derivative of a piecewise-constant function: 0 (and undefined at its jumps)."""
    return np.zeros_like(x)


def _extreme(name):
    """min(a, b) or max(a, b): the gradient goes to the chosen argument, half to each on a
    tie (as PyTorch's minimum and maximum do)."""
    numpy_function = FUNCTIONS[name][0]

    def op(a, b):
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            return numpy_function(a, b)
        a, b = (t if isinstance(t, Tensor) else Tensor(np.float64(t)) for t in (a, b))
        data = numpy_function(a.data, b.data)

        def backward(g):
            share_a = np.where(a.data == b.data, 0.5, a.data == data)
            a._accumulate(g * share_a)
            b._accumulate(g * (1 - share_a))

        return Tensor._from_op(data, (a, b), backward)

    return op


def _method(name):
    """A function the Tensor engine has as a method (exp, log, tanh, …)."""
    numpy_function = FUNCTIONS[name][0]
    return lambda t: getattr(t, name)() if isinstance(t, Tensor) else numpy_function(t)


TENSOR_FUNCTIONS = {
    **{name: _method(name) for name in ("exp", "log", "sqrt", "abs", "tanh", "relu", "sigmoid")},
    "sin": _elementwise("sin", lambda x, fx: np.cos(x)),
    "cos": _elementwise("cos", lambda x, fx: -np.sin(x)),
    "tan": _elementwise("tan", lambda x, fx: 1 + fx * fx),
    "sinh": _elementwise("sinh", lambda x, fx: np.cosh(x)),
    "cosh": _elementwise("cosh", lambda x, fx: np.sinh(x)),
    "log2": _elementwise("log2", lambda x, fx: 1 / (x * math.log(2))),
    "log10": _elementwise("log10", lambda x, fx: 1 / (x * math.log(10))),
    **{name: _elementwise(name, lambda x, fx: 1 / np.sqrt(1 - x * x)) for name in ("asin", "arcsin")},
    **{name: _elementwise(name, lambda x, fx: -1 / np.sqrt(1 - x * x)) for name in ("acos", "arccos")},
    **{name: _elementwise(name, lambda x, fx: 1 / (1 + x * x)) for name in ("atan", "arctan")},
    **{name: _elementwise(name, _flat) for name in ("sign", "floor", "ceil", "step")},
    "min": _extreme("min"),
    "max": _extreme("max"),
}


# --- the race -------------------------------------------------------------------------------


def make_optimizer(name, parameters, lr, momentum=DEFAULT_MOMENTUM):
    """nncli's own optimizer called `name`: "sgd", "momentum" (SGD with `momentum`) or "adam"."""
    if name == "sgd":
        return optim.SGD(parameters, lr)
    if name == "momentum":
        return optim.SGD(parameters, lr, momentum=momentum)
    if name == "adam":
        return optim.Adam(parameters, lr)
    raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")


class Descent:
    """One optimizer walking downhill on `surface` from `start`.

    `points[k]` is where it is after k steps and `values[k]` the surface there. A walk
    stops early, and `stopped` says why, when a number stops being one: "diverged" when
    the point, the value or the gradient overflows (or the point runs off, more than
    ESCAPE region-widths away), "left the domain" when one becomes NaN — the formula is
    undefined there (the log of a negative, say).
    """

    def __init__(self, surface, optimizer, lr, momentum=DEFAULT_MOMENTUM, start=None, region=None):
        self.surface, self.optimizer_name, self.lr = surface, optimizer, lr
        self.momentum = momentum if optimizer == "momentum" else None
        start = surface.start if start is None else start
        self.region = region or surface.region
        self.point = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
        self.optimizer = make_optimizer(optimizer, [self.point], lr, momentum)
        self.points = [tuple(map(float, start))]
        self.values = [float(surface(*start))]
        self.stopped = _problem(self.values[0], self.values[0])

    def step(self):
        """One step downhill; False once the walk has stopped."""
        if self.stopped:
            return False
        with np.errstate(all="ignore"):  # overflow and NaN are caught below, and reported
            self.optimizer.zero_grad()
            self.surface.loss(self.point).backward()
            gradient = self.point.grad
            self.stopped = _problem(*gradient)
            if self.stopped:
                return False
            self.optimizer.step()
            x, y = (float(v) for v in self.point.data)
            value = float(self.surface(x, y))
        x_lo, x_hi, y_lo, y_hi = self.region
        reach = ESCAPE * max(x_hi - x_lo, y_hi - y_lo)
        self.stopped = _problem(x, y, value) or ("diverged" if max(abs(x), abs(y)) > reach else None)
        if self.stopped:
            return False
        self.points.append((x, y))
        self.values.append(value)
        return True


def _problem(*numbers):
    """Why these numbers end a walk: "left the domain" (a NaN), "diverged" (an infinity), or None."""
    if any(math.isnan(v) for v in numbers):
        return "left the domain"
    if any(math.isinf(v) for v in numbers):
        return "diverged"
    return None


def race(descents, steps, on_step=None):
    """Step every descent in turn, `steps` times (fewer for those that stop);
    `on_step(k)` after each round, e.g. to draw the race as it runs."""
    for k in range(1, steps + 1):
        moving = [d.step() for d in descents]
        if on_step is not None:
            on_step(k)
        if not any(moving):
            return
