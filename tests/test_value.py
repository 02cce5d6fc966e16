"""The scalar engine: values and gradients by hand, by finite differences, and at the edges."""

import math

import pytest
from conftest import DEEP_CHAIN, in_a_small_stack
from hypothesis import given, settings
from hypothesis import strategies as st

from nncli.autograd.value import Value


def numeric_grad(f, x, eps=1e-6):
    """Central difference of a function of one float."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


# ---- small expressions, derived by hand ------------------------------------------------


def test_micrograd_sanity_check():
    # micrograd's test_more_ops expression; the numbers are what PyTorch computes.
    a, b = Value(-4.0), Value(2.0)
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
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-12)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-12)


def test_hand_derived_polynomial():
    # f = x*y + x**2 + y/x at x=2, y=3: df/dx = y + 2x - y/x² = 6.25, df/dy = x + 1/x = 2.5
    x, y = Value(2.0), Value(3.0)
    f = x * y + x**2 + y / x
    f.backward()
    assert f.data == 11.5
    assert x.grad == 6.25
    assert y.grad == 2.5
    assert f.grad == 1.0


def test_hand_derived_neuron():
    # tanh(w1*x1 + w2*x2 + b), the classic single neuron: o = tanh(0.8814) = 0.7071
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert n.grad == pytest.approx(0.5, rel=1e-12)  # 1 - o² = 1/2
    assert (x1.grad, w1.grad) == pytest.approx((-1.5, 1.0), rel=1e-12)
    assert (x2.grad, w2.grad) == pytest.approx((0.5, 0.0), rel=1e-12)


# ---- every op against central differences -------------------------------------------

UNARY = {
    "neg": lambda v: -v,
    "exp": lambda v: v.exp(),
    "log": lambda v: v.log(),
    "tanh": lambda v: v.tanh(),
    "relu": lambda v: v.relu(),
    "sigmoid": lambda v: v.sigmoid(),
    "square": lambda v: v**2,
    "cube": lambda v: v**3,
    "reciprocal": lambda v: v**-1,
    "sqrt": lambda v: v**0.5,
    "pow_-1.5": lambda v: v**-1.5,
}

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}

POINTS = [0.3, 1.7, 2.5]  # positive (for log and fractional powers) and away from kinks


def as_float(f):
    """Evaluate a Value-function on a float, returning a float."""
    return lambda x: f(Value(x)).data


POSITIVE_ONLY = {"log", "sqrt", "pow_-1.5"}


@pytest.mark.parametrize(
    "name, x",
    [(name, x) for name in UNARY for x in POINTS + ([] if name in POSITIVE_ONLY else [-0.8])],
)
def test_unary_gradient_matches_finite_differences(name, x):
    op = UNARY[name]
    v = Value(x)
    out = op(v)
    out.backward()
    assert v.grad == pytest.approx(numeric_grad(as_float(op), x), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("x, y", [(0.3, 1.7), (-2.5, 0.8), (1.1, -3.0)])
def test_binary_gradient_matches_finite_differences(name, x, y):
    op = BINARY[name]
    a, b = Value(x), Value(y)
    op(a, b).backward()
    da = numeric_grad(lambda t: op(Value(t), Value(y)).data, x)
    db = numeric_grad(lambda t: op(Value(x), Value(t)).data, y)
    assert (a.grad, b.grad) == pytest.approx((da, db), rel=1e-6)


NONZERO = st.floats(0.2, 1.5) | st.floats(-1.5, -0.2)  # keeps b away from 0 for a / b


@settings(max_examples=60, deadline=None)
@given(
    NONZERO,
    NONZERO,
    st.sampled_from(sorted(BINARY)),
    st.sampled_from(["exp", "tanh", "sigmoid", "square", "log"]),
)
def test_composition_matches_finite_differences(x, y, binary, unary):
    # unary(binary(x, y) * x + y): both inputs used twice; log needs a positive argument
    def f(p, q):
        inner = BINARY[binary](p, q) * p + q
        return UNARY[unary](inner.exp() if unary == "log" else inner)

    a, b = Value(x), Value(y)
    f(a, b).backward()
    da = numeric_grad(lambda t: f(Value(t), Value(y)).data, x)
    db = numeric_grad(lambda t: f(Value(x), Value(t)).data, y)
    assert a.grad == pytest.approx(da, rel=1e-4, abs=1e-6)
    assert b.grad == pytest.approx(db, rel=1e-4, abs=1e-6)


# ---- plain numbers on either side --------------------------------------------------------


@pytest.mark.parametrize(
    "expr, value, grad",
    [
        (lambda v: 2 + v, 6.0, 1.0),
        (lambda v: v + 2, 6.0, 1.0),
        (lambda v: 2 - v, -2.0, -1.0),
        (lambda v: v - 2, 2.0, 1.0),
        (lambda v: 2 * v, 8.0, 2.0),
        (lambda v: v * 2, 8.0, 2.0),
        (lambda v: 2 / v, 0.5, -2 / 16),
        (lambda v: v / 2, 2.0, 0.5),
        (lambda v: -v, -4.0, -1.0),
        (lambda v: 2.5 * v - 1 / v, 9.75, 2.5 + 1 / 16),
    ],
)
def test_numbers_on_either_side(expr, value, grad):
    v = Value(4.0)
    out = expr(v)
    assert isinstance(out, Value)
    out.backward()
    assert out.data == pytest.approx(value)
    assert v.grad == pytest.approx(grad)


def test_data_is_always_a_float():
    assert type(Value(2).data) is float
    assert type((Value(2) * 3).data) is float
    assert type(Value(2).grad) is float


# ---- graph shapes: reuse, diamonds, accumulation ---------------------------------------------


def test_reused_node_accumulates():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b).backward()  # d(b²)/db = 2b
    assert b.grad == 6.0


def test_diamond():
    # a feeds two paths that meet again: d = (2a)(a + 3), dd/da = 2(a + 3) + 2a = 4a + 6
    a = Value(1.5)
    left, right = a * 2, a + 3
    d = left * right
    d.backward()
    assert a.grad == 12.0
    assert (left.grad, right.grad) == (4.5, 3.0)  # interior nodes keep their gradient too


def test_deep_diamond_ladder():
    # x_{k+1} = x_k * x_k repeated: x_n = x_0^(2^n), derivative 2^n x_0^(2^n - 1)
    x0 = Value(1.01)
    x = x0
    for _ in range(10):
        x = x * x
    x.backward()
    assert x0.grad == pytest.approx(2**10 * 1.01 ** (2**10 - 1), rel=1e-12)


def test_backward_twice_accumulates_everywhere():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = (c + a).tanh()
    d.backward()
    once = [v.grad for v in (a, b, c, d)]
    d.backward()
    assert [v.grad for v in (a, b, c, d)] == pytest.approx([2 * g for g in once], rel=1e-15)


def test_two_outputs_sharing_a_subgraph_accumulate_into_leaves():
    a = Value(0.5)
    h = a.exp()
    (h * 3).backward()
    (h**2).backward()
    # d/da [3e^a + e^(2a)] = 3e^a + 2e^(2a)
    assert a.grad == pytest.approx(3 * math.exp(0.5) + 2 * math.exp(1.0), rel=1e-14)
    assert h.grad == pytest.approx(3 + 2 * math.exp(0.5), rel=1e-14)


def test_backward_on_a_leaf():
    a = Value(7.0)
    a.backward()
    assert a.grad == 1.0


def test_a_deep_chain_backpropagates_and_is_freed_without_recursion():
    def chain():
        x = Value(0.5)
        v = x
        for _ in range(DEEP_CHAIN):
            v = v.relu()
        v.backward()  # the topological sort is iterative: no RecursionError
        return x.grad, v.data  # the chain is freed as this returns, still in the small stack

    assert in_a_small_stack(chain) == (1.0, 0.5)


# ---- kinks and extremes -----------------------------------------------------------------------


@pytest.mark.parametrize("x, grad", [(-1.0, 0.0), (0.0, 0.0), (-0.0, 0.0), (1e-300, 1.0), (2.0, 1.0)])
def test_relu_gradient_including_the_kink(x, grad):
    v = Value(x)
    out = v.relu()
    out.backward()
    assert out.data == max(x, 0.0)
    assert v.grad == grad


@pytest.mark.parametrize("x", [-1000.0, -745.0, -40.0, 40.0, 745.0, 1000.0])
def test_sigmoid_and_tanh_saturate_without_overflow(x):
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    assert s.data == (1.0 if x > 0 else pytest.approx(0.0, abs=1e-17))
    assert 0.0 <= v.grad < 1e-17
    w = Value(x)
    t = w.tanh()
    t.backward()
    assert t.data == math.copysign(1.0, x)
    assert w.grad == 0.0


def test_sigmoid_is_accurate_in_the_middle():
    for x in (-3.0, -0.5, 0.0, 0.5, 3.0):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        assert s.data == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-15)
        assert v.grad == pytest.approx(s.data * (1 - s.data), rel=1e-15)


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive_raises(x):
    with pytest.raises(ValueError, match="log"):
        Value(x).log()


def test_value_exponent_is_refused_clearly():
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        Value(2.0) ** Value(3.0)


def test_power_outside_the_real_domain_raises():
    with pytest.raises(ValueError):
        Value(-8.0) ** 0.5  # would be complex


# ---- the object itself ------------------------------------------------------------------------


def test_repr():
    assert repr(Value(2.0)) == "Value(data=2.0000, grad=0.0000)"
    v = Value(-1.5, label="w1")
    v.grad = 0.25
    assert repr(v) == "Value(data=-1.5000, grad=0.2500, label='w1')"


def test_internals_describe_the_graph():
    a, b = Value(1.0), Value(2.0)
    assert a._prev == () and a._op == "" and a.grad == 0.0
    c = a * b
    assert c._prev == (a, b) and c._op == "*"
    assert (a + b)._op == "+"
    assert (a**2)._op == "**2"
    assert (a**2)._prev[0] is a
    assert a.tanh()._op == "tanh" and a.exp()._op == "exp"
    assert a.tanh()._prev == (a,)


def test_slots_keep_values_small():
    assert not hasattr(Value(1.0), "__dict__")
    with pytest.raises(AttributeError):
        Value(1.0).colour = "red"
