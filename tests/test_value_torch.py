"""The scalar engine against PyTorch in float64 (skipped when PyTorch isn't installed)."""

import math
import random

import pytest
from conftest import NEEDS_TORCH, imported_on_first_use

from nncli.autograd.value import Value

torch = imported_on_first_use("torch")
pytestmark = NEEDS_TORCH


def both(x):
    """The same number as a Value and as a float64 PyTorch leaf."""
    return Value(x), torch.tensor(x, dtype=torch.float64, requires_grad=True)


def test_micrograd_sanity_check_against_torch():
    def expr(a, b):
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + (b + a).relu()
        d = d + 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        return g + 10.0 / f

    (a, ta), (b, tb) = both(-4.0), both(2.0)
    g, tg = expr(a, b), expr(ta, tb)
    g.backward()
    tg.backward()
    assert g.data == pytest.approx(tg.item(), rel=1e-15)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-14)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-14)


UNARY = {
    "exp": lambda v: v.exp(),
    "log": lambda v: v.log(),
    "tanh": lambda v: v.tanh(),
    "relu": lambda v: v.relu(),
    "sigmoid": lambda v: v.sigmoid(),
    "neg": lambda v: -v,
    "square": lambda v: v**2,
    "sqrt": lambda v: v**0.5,
    "inverse_cube": lambda v: v**-3,
}


POINTS = [-2.0, -0.0, 0.0, 0.7, 3.5, 30.0, -30.0, 1000.0, -1000.0]


def in_domain(name, x):
    """Where Value raises (log, fractional and negative powers of x <= 0; exp overflow),
    PyTorch returns nan or inf instead; those points are tested in test_value.py."""
    if name in ("log", "sqrt", "inverse_cube"):
        return x > 0
    return not (name == "exp" and x > 709)


@pytest.mark.parametrize("name, x", [(name, x) for name in UNARY for x in POINTS if in_domain(name, x)])
def test_unary_ops_match_torch(name, x):
    v, t = both(x)
    out, tout = UNARY[name](v), UNARY[name](t)
    out.backward()
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-14, abs=1e-300)
    assert v.grad == pytest.approx(t.grad.item(), rel=1e-14, abs=1e-300)


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: 3.0 / b - a,
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("x, y", [(1.5, -0.25), (-3.0, 7.0), (1e-3, 1e3)])
def test_binary_ops_match_torch(name, x, y):
    fn = BINARY[name]
    (a, ta), (b, tb) = both(x), both(y)
    out, tout = fn(a, b), fn(ta, tb)
    out.backward()
    tout.backward()
    assert out.data == tout.item()  # + - * / are exactly rounded, so bit for bit
    assert a.grad == ta.grad.item()
    assert b.grad == tb.grad.item()


def test_random_network_matches_torch():
    """A small tanh/relu/sigmoid network with shared weights, every op mixed in."""
    rng = random.Random(0)
    weights = [rng.uniform(-1, 1) for _ in range(12)]
    inputs = [rng.uniform(-2, 2) for _ in range(3)]

    def net(w, x):
        h1 = (w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + w[3]).tanh()
        h2 = (w[4] * x[0] - w[5] * x[1] + w[6] * x[2] + w[7]).relu()
        h3 = (w[8] * h1 + w[9] * h2 / (1 + w[10] ** 2)).sigmoid()
        return (h3 * 2 - 1) ** 2 * w[11] + (h1 - 0.5).exp() + (h2 + 1).log() + 1 / (2 + h1)

    ws, tws = zip(*(both(w) for w in weights))
    out, tout = net(ws, inputs), net(tws, inputs)
    out.backward()
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-14)
    for w, tw in zip(ws, tws):
        assert w.grad == pytest.approx(tw.grad.item(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("base", [0.0, 2.0, -2.0])
@pytest.mark.parametrize("exponent", [0, 0.0, 0.5, 1 / 3, 1, 1.5, 2, 3])
def test_powers_of_zero_backpropagate_as_in_torch(base, exponent):
    if base < 0 and not float(exponent).is_integer():
        pytest.skip("a negative number to a fractional power raises (see value.py)")
    x, tx = both(base)
    y, ty = x**exponent, tx**exponent
    y.backward()
    ty.backward()
    assert y.data == pytest.approx(ty.item(), rel=1e-15)
    assert x.grad == pytest.approx(tx.grad.item(), rel=1e-15)  # at 0: 0 for x**0, inf for x**0.5


def test_zero_to_the_zero_has_gradient_zero():
    x = Value(0.0)
    y = x**0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_sum_and_dot_nodes_against_torch():
    rng = random.Random(3)
    numbers = [rng.uniform(-2, 2) for _ in range(7)]
    pairs = [both(x) for x in numbers]
    values, tensors = [v for v, _ in pairs], [t for _, t in pairs]
    out = (Value.dot(values[:3], values[3:6]) + values[6]).tanh() * Value.sum(values)
    expected = (sum(w * x for w, x in zip(tensors[:3], tensors[3:6])) + tensors[6]).tanh() * sum(tensors)
    out.backward()
    expected.backward()
    assert out.data == pytest.approx(expected.item(), rel=1e-14)
    for v, t in pairs:
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-13)
    assert [node._op for node in (out._prev[0]._prev[0]._prev[0], out._prev[1])] == ["dot", "sum"]


def test_dot_wraps_numbers_and_a_neuron_is_three_nodes():
    from nncli.nn.scalar import Neuron

    neuron = Neuron([0.5, -1.0], 0.25, "tanh")
    out = neuron([2.0, 3.0])
    assert out._op == "tanh" and out._prev[0]._op == "+" and out._prev[0]._prev[0]._op == "dot"
    assert out.data == pytest.approx(math.tanh(0.5 * 2 - 3 + 0.25), rel=1e-15)
    out.backward()
    assert [w.grad for w in neuron.w] == pytest.approx([2 * (1 - out.data**2), 3 * (1 - out.data**2)], rel=1e-14)
