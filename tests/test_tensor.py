"""Tests for the NumPy-backed Tensor: every op forward (vs NumPy), backward (vs central
differences, with random upstream gradients), dtype preservation, and — where PyTorch is
installed — forward and backward against PyTorch in float64."""

import numpy as np
import pytest
from conftest import DEEP_CHAIN, imported_on_first_use, in_a_small_stack, needs_torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from nncli.autograd.tensor import Tensor, no_grad

torch = imported_on_first_use("torch")  # the cross-checks skip without it; everything else still runs


# ---- helpers ------------------------------------------------------------------------------


def sample(shape, domain, rng):
    """Random float64 inputs: 'any' (normal), 'positive' (0.5..2), 'nonzero' (±0.5..2)."""
    if domain == "any":
        values = rng.standard_normal(shape)
    else:
        values = rng.uniform(0.5, 2.0, shape)
        if domain == "nonzero":
            values = values * rng.choice([-1.0, 1.0], shape)
    return np.array(values)  # a 0-d array rather than a NumPy scalar for shape ()


def numerical_grads(fn, arrays, upstream, eps=1e-6):
    """Central differences of sum(fn(*arrays) * upstream) with respect to each array."""

    def objective():
        with no_grad():
            return np.sum(fn(*[Tensor(a) for a in arrays]).data * upstream)

    grads = []
    for array in arrays:
        grad = np.zeros_like(array)
        flat = array.reshape(-1)  # a view: writing to it perturbs `array`
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            plus = objective()
            flat[j] = old - eps
            minus = objective()
            flat[j] = old
            grad.flat[j] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def check_grads(fn, *arrays, seed=0):
    """Backprop a random upstream gradient through fn and compare with central differences."""
    rng = np.random.default_rng(seed)
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected = numerical_grads(fn, [a.copy() for a in arrays], upstream)
    for tensor, want in zip(tensors, expected):
        assert tensor.grad.shape == tensor.shape
        np.testing.assert_allclose(tensor.grad, want, atol=1e-5, rtol=1e-3)


# ---- the op table -------------------------------------------------------------------------
# Each case: fn (on Tensors), ref (the same on ndarrays), torch_fn (on torch tensors; SAME
# means fn works unchanged, None means no torch counterpart), inputs ((shape, domain) per
# tensor argument), and whether a float64 ndarray constant promotes the result.

SAME = "same"
_const = np.random.default_rng(1234)
ROW = _const.standard_normal((4,))
COL = _const.uniform(0.5, 2.0, (3, 1))
CASES = []


def case(name, fn, ref, *inputs, torch_fn=SAME, promotes=False):
    CASES.append(pytest.param(fn, ref, torch_fn, inputs, promotes, id=name))


BINARY = {  # name: (fn, domains of the two operands)
    "add": (lambda a, b: a + b, ("any", "any")),
    "sub": (lambda a, b: a - b, ("any", "any")),
    "mul": (lambda a, b: a * b, ("any", "any")),
    "div": (lambda a, b: a / b, ("any", "nonzero")),
    "pow": (lambda a, b: a**b, ("positive", "any")),
}
SHAPE_PAIRS = [
    ((45, 65), (65,)),
    ((4, 1), (1, 5)),
    ((1, 3, 1, 7, 1), (2, 1, 5, 1, 8)),
    ((3,), ()),
    ((), (3,)),
    ((), ()),
    ((2, 3), (2, 3)),
    ((5, 1, 4), (3, 1)),
]
for name, (op, (da, db)) in BINARY.items():
    for sa, sb in SHAPE_PAIRS:
        case(f"{name}{sa}{sb}", op, op, (sa, da), (sb, db))
    # Python numbers and ndarrays on either side (the constants suit every op's domain)
    with_number = lambda a, op=op: op(a, 1.7)  # noqa: E731
    number_with = lambda b, op=op: op(1.7, b)  # noqa: E731
    case(f"{name}-tensor-number", with_number, with_number, ((3, 4), da))
    case(f"{name}-number-tensor", number_with, number_with, ((3, 4), db))
    case(
        f"{name}-tensor-ndarray",
        lambda a, op=op: op(a, COL),
        lambda a, op=op: op(a, COL),
        ((2, 1, 4), da),
        torch_fn=lambda a, op=op: op(a, torch.from_numpy(COL)),
        promotes=True,
    )
    case(
        f"{name}-ndarray-tensor",
        lambda b, op=op: op(COL, b),
        lambda b, op=op: op(COL, b),
        ((4,), db),
        torch_fn=lambda b, op=op: op(torch.from_numpy(COL), b),
        promotes=True,
    )
case(
    "add-ndarray-row",
    lambda b: ROW + b,
    lambda b: ROW + b,
    ((3, 4), "any"),
    torch_fn=lambda b: torch.from_numpy(ROW) + b,
    promotes=True,
)
case("square", lambda a: a**2, lambda a: a**2, ((3, 4), "any"))
case("pow-negative-exponent", lambda a: a**-1.5, lambda a: a**-1.5, ((3, 4), "positive"))
case("neg", lambda a: -a, np.negative, ((3, 4), "any"))
case("x*x+3x", lambda a: a * a + 3 * a, lambda a: a * a + 3 * a, ((5,), "any"))


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


UNARY = {  # name: (fn, ref, domain, torch_fn)
    "exp": (lambda t: t.exp(), np.exp, "any", SAME),
    "log": (lambda t: t.log(), np.log, "positive", SAME),
    "sqrt": (lambda t: t.sqrt(), np.sqrt, "positive", SAME),
    "abs": (lambda t: t.abs(), np.abs, "nonzero", SAME),
    "tanh": (lambda t: t.tanh(), np.tanh, "any", SAME),
    "relu": (lambda t: t.relu(), lambda x: np.maximum(x, 0), "nonzero", SAME),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), "any", SAME),
    "leaky_relu": (
        lambda t: t.leaky_relu(0.1),
        lambda x: np.where(x > 0, x, 0.1 * x),
        "nonzero",
        lambda t: torch.nn.functional.leaky_relu(t, 0.1),
    ),
    "leaky_relu-default": (
        lambda t: t.leaky_relu(),
        lambda x: np.where(x > 0, x, 0.01 * x),
        "nonzero",
        lambda t: torch.nn.functional.leaky_relu(t),
    ),
}
for name, (fn, ref, domain, torch_fn) in UNARY.items():
    for shape in [(), (7,), (3, 4), (2, 3, 4)]:
        case(f"{name}{shape}", fn, ref, (shape, domain), torch_fn=torch_fn)
for shape in [(7,), (3, 4), (2, 3, 4)]:
    for axis in [-1, 0]:
        case(
            f"softmax{shape}axis{axis}",
            lambda t, a=axis: t.softmax(a),
            lambda x, a=axis: np_softmax(x, a),
            (shape, "any"),
        )
        case(
            f"log_softmax{shape}axis{axis}",
            lambda t, a=axis: t.log_softmax(a),
            lambda x, a=axis: np_log_softmax(x, a),
            (shape, "any"),
        )
case(
    "softmax-default-axis",
    lambda t: t.softmax(),
    lambda x: np_softmax(x, -1),
    ((2, 3, 4), "any"),
    torch_fn=lambda t: t.softmax(-1),
)
case(
    "log_softmax-axis1",
    lambda t: t.log_softmax(axis=1),
    lambda x: np_log_softmax(x, 1),
    ((2, 3, 4), "any"),
    torch_fn=lambda t: t.log_softmax(1),
)

for axis in [None, 0, 1, -1, (0, 2), (-1, -3)]:
    for keepdims in [False, True]:
        tag = f"axis{axis}-keepdims{keepdims}"
        case(
            f"sum-{tag}",
            lambda t, a=axis, k=keepdims: t.sum(a, k),
            lambda x, a=axis, k=keepdims: x.sum(axis=a, keepdims=k),
            ((3, 4, 5), "any"),
            torch_fn=lambda t, a=axis, k=keepdims: t.sum(dim=a, keepdim=k),
        )
        case(
            f"mean-{tag}",
            lambda t, a=axis, k=keepdims: t.mean(axis=a, keepdims=k),
            lambda x, a=axis, k=keepdims: x.mean(axis=a, keepdims=k),
            ((3, 4, 5), "any"),
            torch_fn=lambda t, a=axis, k=keepdims: t.mean(dim=a, keepdim=k),
        )
        case(
            f"max-{tag}",
            lambda t, a=axis, k=keepdims: t.max(axis=a, keepdims=k),
            lambda x, a=axis, k=keepdims: x.max(axis=a, keepdims=k),
            ((3, 4, 5), "any"),
            torch_fn=lambda t, a=axis, k=keepdims: torch.amax(t, () if a is None else a, k),
        )
case("sum-of-scalar", lambda t: t.sum(), np.sum, ((), "any"))

MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((1, 1), (1, 1)),
]
for sa, sb in MATMUL_SHAPES:
    case(f"matmul{sa}{sb}", lambda a, b: a @ b, np.matmul, (sa, "any"), (sb, "any"))
case(
    "matmul-ndarray-tensor",
    lambda b: ROW @ b,
    lambda b: ROW @ b,
    ((4, 3), "any"),
    torch_fn=lambda b: torch.from_numpy(ROW) @ b,
    promotes=True,
)
case(
    "matmul-tensor-ndarray",
    lambda a: a @ ROW,
    lambda a: a @ ROW,
    ((2, 3, 4), "any"),
    torch_fn=lambda a: a @ torch.from_numpy(ROW),
    promotes=True,
)

SHAPE_OPS = {  # name: (fn, ref, torch_fn)
    "reshape(4,-1)": (lambda t: t.reshape(4, -1), lambda x: x.reshape(4, -1), SAME),
    "reshape((6,4))": (lambda t: t.reshape((6, 4)), lambda x: x.reshape((6, 4)), SAME),
    "reshape(-1)": (lambda t: t.reshape(-1), lambda x: x.reshape(-1), SAME),
    "transpose()": (lambda t: t.transpose(), np.transpose, lambda t: t.permute(2, 1, 0)),
    "transpose(1,0,2)": (lambda t: t.transpose(1, 0, 2), lambda x: x.transpose(1, 0, 2), lambda t: t.permute(1, 0, 2)),
    "transpose((2,0,1))": (
        lambda t: t.transpose((2, 0, 1)),
        lambda x: x.transpose(2, 0, 1),
        lambda t: t.permute(2, 0, 1),
    ),
    "transpose(-1,0,1)": (
        lambda t: t.transpose(-1, 0, 1),
        lambda x: x.transpose(2, 0, 1),
        lambda t: t.permute(2, 0, 1),
    ),
    "T": (lambda t: t.T, np.transpose, lambda t: t.permute(2, 1, 0)),
}
for name, (fn, ref, torch_fn) in SHAPE_OPS.items():
    case(name, fn, ref, ((2, 3, 4), "any"), torch_fn=torch_fn)
case("T-2d", lambda t: t.T, np.transpose, ((3, 5), "any"))

MASK = _const.random((4, 5)) > 0.5
INDICES = {  # name: (index, works in torch)
    "int": (1, True),
    "negative-int": (-1, True),
    "slice": (slice(1, 3), True),
    "negative-step": (slice(None, None, -1), False),
    "step-slice": ((slice(None), slice(4, 0, -2)), False),
    "int-slice-int": ((2, slice(1, None, 2), -3), True),
    "newaxis": ((None, 1), True),
    "ellipsis": ((Ellipsis, 2), True),
    "int-ellipsis-newaxis": ((1, Ellipsis, None), True),
    "int-array-repeats": (np.array([0, 0, 2, 3, 0]), True),
    "two-int-arrays-repeats": ((np.array([1, 1, 3]), slice(None), np.array([2, 2, 0])), True),
    "int-list-repeats": ([3, 3, 1], False),
    "bool-mask": (MASK, True),
    "bool-mask-slice": ((slice(None), MASK[0]), True),
}


def torch_index(index):
    """The same index with its arrays as torch tensors."""
    if isinstance(index, tuple):
        return tuple(torch_index(i) for i in index)
    return torch.from_numpy(index) if isinstance(index, np.ndarray) else index


for name, (index, in_torch) in INDICES.items():
    case(
        f"getitem-{name}",
        lambda t, i=index: t[i],
        lambda x, i=index: x[i],
        ((4, 5, 6), "any"),
        torch_fn=(lambda t, i=index: t[torch_index(i)]) if in_torch else None,
    )

case(
    "diamond", lambda x, y: (x * y) * ((x * y) + x), lambda x, y: (x * y) * ((x * y) + x), ((3,), "any"), ((3,), "any")
)
case("reuse-x-three-times", lambda x: x * x * x + x, lambda x: x * x * x + x, ((2, 3), "any"))
case(
    "mlp-layer",
    lambda x, w, b: (x @ w.T + b).tanh().sum(-1).mean(),
    lambda x, w, b: np.tanh(x @ w.T + b).sum(-1).mean(),
    ((5, 3), "any"),
    ((4, 3), "any"),
    ((4,), "any"),
)
case(
    "log_softmax-pick",
    lambda z: -z.log_softmax()[np.arange(3), np.array([0, 2, 2])].mean(),
    lambda z: -np_log_softmax(z, -1)[np.arange(3), np.array([0, 2, 2])].mean(),
    ((3, 4), "any"),
    torch_fn=lambda z: -z.log_softmax(-1)[torch.arange(3), torch.tensor([0, 2, 2])].mean(),
)


def make_inputs(inputs, seed=0):
    rng = np.random.default_rng(seed)
    return [sample(shape, domain, rng) for shape, domain in inputs]


# ---- every op: forward, backward, dtype, torch --------------------------------------------


@pytest.mark.parametrize("fn, ref, torch_fn, inputs, promotes", CASES)
def test_forward_matches_numpy(fn, ref, torch_fn, inputs, promotes):
    arrays = make_inputs(inputs)
    out = fn(*[Tensor(a) for a in arrays])
    want = np.asarray(ref(*arrays))
    assert isinstance(out, Tensor) and out.shape == want.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.data, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fn, ref, torch_fn, inputs, promotes", CASES)
def test_backward_matches_finite_differences(fn, ref, torch_fn, inputs, promotes):
    check_grads(fn, *make_inputs(inputs))


@pytest.mark.parametrize("fn, ref, torch_fn, inputs, promotes", CASES)
def test_float32_stays_float32(fn, ref, torch_fn, inputs, promotes):
    tensors = [Tensor(a.astype(np.float32), requires_grad=True) for a in make_inputs(inputs)]
    out = fn(*tensors)
    assert out.dtype == (np.float64 if promotes else np.float32)
    out.backward(np.ones(out.shape))  # a float64 seed is cast to the output's dtype
    for t in tensors:
        assert t.grad.dtype == np.float32 and t.grad.shape == t.shape


@needs_torch
@pytest.mark.parametrize("fn, ref, torch_fn, inputs, promotes", CASES)
def test_matches_torch(fn, ref, torch_fn, inputs, promotes):
    if torch_fn is None:
        pytest.skip("no PyTorch counterpart")
    torch_fn = fn if torch_fn == SAME else torch_fn
    arrays = make_inputs(inputs)
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, want = fn(*ours), torch_fn(*theirs)
    upstream = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(upstream)
    want.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.data, want.detach().numpy(), rtol=1e-12, atol=1e-14)
    for t, w in zip(ours, theirs):
        np.testing.assert_allclose(t.grad, w.grad.numpy(), rtol=1e-12, atol=1e-13)


@settings(max_examples=30, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
    op=st.sampled_from(sorted(BINARY)),
    seed=st.integers(0, 2**32 - 1),
)
def test_binary_ops_on_any_broadcastable_shapes(shapes, op, seed):
    fn, (da, db) = BINARY[op]
    rng = np.random.default_rng(seed)
    a, b = (sample(s, d, rng) for s, d in zip(shapes.input_shapes, (da, db)))
    check_grads(fn, a, b, seed=seed)


# ---- hand-derived values, graph structure, accumulation -----------------------------------


def test_polynomial_derivative():
    x = Tensor(2.0, requires_grad=True)
    (x * x + 3 * x).backward()
    assert x.grad == 7.0 and x.grad.shape == () and isinstance(x.grad, np.ndarray)


def test_diamond_by_hand():
    x, y = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    a = x * y
    b = a + x
    c = a * b  # c = x²y² + x²y
    c.backward()
    assert c.item() == 48.0
    assert x.grad == 2 * 2 * 9 + 2 * 2 * 3  # 2xy² + 2xy = 48
    assert y.grad == 2 * 4 * 3 + 4  # 2x²y + x² = 28
    assert a.grad is None and b.grad is None and c.grad is None  # non-leaves keep None


def test_same_tensor_on_both_sides():
    x = Tensor([1.0, -2.0], requires_grad=True)
    (x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -4.0])


def test_two_backward_calls_accumulate():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3 + 2, 3 + 4])


def test_backward_twice_on_one_graph_does_not_double_count_intermediates():
    x = Tensor(3.0, requires_grad=True)
    a = x * 2
    b = a * a  # 4x², db/dx = 8x = 24
    b.backward()
    b.backward()
    assert x.grad == 48.0 and a.grad is None


def test_leaf_grad_is_owned_not_aliased():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([5.0, 6.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    (x + y).backward(seed)  # both receive the very same gradient array
    x.grad += 10
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_inputs_without_requires_grad_get_no_grad():
    x, c = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    out = x * c
    constant = c * c
    assert out.requires_grad and not constant.requires_grad
    assert constant._parents == () and constant._backward is None  # no graph kept
    out.sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_no_grad_records_nothing_and_nests():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = x * 2
        with no_grad():
            pass
        z = y + x  # still inside the outer no_grad
    assert not y.requires_grad and not z.requires_grad and y._parents == () and y._backward is None
    assert (x * 2).requires_grad  # recording resumes afterwards
    with pytest.raises(RuntimeError, match="require"):
        y.sum().backward()


def test_no_grad_as_decorator_restores_on_error():
    @no_grad()
    def double(t):
        return t * 2

    x = Tensor(1.0, requires_grad=True)
    assert not double(x).requires_grad
    with pytest.raises(ZeroDivisionError), no_grad():
        raise ZeroDivisionError
    assert (x * 2).requires_grad


def test_detach_shares_data_and_stops_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d.grad is None
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])  # d counted as a constant


def test_backward_errors():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(1.0).backward()
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad="):
        (x * 2).backward()
    with pytest.raises(ValueError, match="shape"):
        (x * 2).backward(np.ones(3))


def test_backward_accepts_tensor_number_and_one_element_shapes():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    (x * 3).backward(Tensor([[1.0, 2.0]]))
    np.testing.assert_array_equal(x.grad, [[3.0, 6.0]])
    x.grad = None
    (x * 3).backward(2.0)  # a number broadcasts to the output's shape
    np.testing.assert_array_equal(x.grad, [[6.0, 6.0]])
    y = Tensor([[4.0]], requires_grad=True)
    (y * y).backward()  # one element, any shape: seeds 1
    np.testing.assert_array_equal(y.grad, [[8.0]])


def test_a_deep_chain_backpropagates_and_is_freed_without_recursion():
    def chain():
        x = Tensor(np.float32(1.0), requires_grad=True)
        t = x
        for i in range(DEEP_CHAIN):
            t = t + 1.0 if i % 2 else t * 1.0
        t.backward()
        return x.grad, t.item()  # the graph is freed as this returns, still in the small stack

    grad, end = in_a_small_stack(chain)
    assert grad == 1.0 and end == DEEP_CHAIN / 2 + 1


# ---- ops built outside the class, the way fused ops are --------------------------------------


def fused_linear(x, w, b):
    """x @ w.T + b as one node, made with Tensor._from_op like nn's fused ops."""

    def backward(g):
        if x.requires_grad:
            x._accumulate(g @ w.data)
        if w.requires_grad:
            w._accumulate(g.T @ x.data)
        if b.requires_grad:
            b._accumulate(g)  # _accumulate sums the batch axis away

    return Tensor._from_op(x.data @ w.data.T + b.data, (x, w, b), backward)


def test_fused_op_matches_the_composed_ops():
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in [(6, 3), (4, 3), (4,)]]
    upstream = rng.standard_normal((6, 4))
    fused = [Tensor(a, requires_grad=True) for a in arrays]
    composed = [Tensor(a, requires_grad=True) for a in arrays]
    fused_linear(*fused).backward(upstream)
    x, w, b = composed
    (x @ w.T + b).backward(upstream)
    for f, c in zip(fused, composed):
        np.testing.assert_allclose(f.grad, c.grad, rtol=1e-13)
    check_grads(fused_linear, *arrays)


def test_from_op_links_only_parents_that_require_grad():
    x, b = Tensor(np.ones((2, 3))), Tensor(np.zeros(4))
    w = Tensor(np.ones((4, 3)), requires_grad=True)
    out = fused_linear(x, w, b)
    assert out.requires_grad and out._parents == (w,)
    assert not fused_linear(x, Tensor(w.data), b).requires_grad
    with no_grad():
        assert fused_linear(x, w, b)._backward is None


def test_backward_receives_the_outputs_dtype():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    seen = []

    def backward(g):
        seen.append(g.dtype)
        x._accumulate(2 * g)

    doubled = Tensor._from_op(x.data * 2, (x,), backward)
    (doubled * np.ones(3)).sum().backward()  # float64 downstream of a float32 node
    assert seen == [np.float32] and x.grad.dtype == np.float32


def test_a_failed_backward_leaves_no_stale_gradients():
    x = Tensor(1.0, requires_grad=True)
    y = x * 3

    def explode(g):
        raise ArithmeticError("backward failed")

    broken = Tensor._from_op(y.data, (y,), explode)
    with pytest.raises(ArithmeticError):
        (broken + y).backward()  # y has received a gradient when `broken` fails
    assert x.grad is None
    (y * 1).backward()
    assert x.grad == 3.0


# ---- indexing ----------------------------------------------------------------------------


def test_repeated_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_boolean_mask_gradient():
    x = Tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
    x[x.data > 0].backward(np.array([10.0, 20.0]))
    np.testing.assert_array_equal(x.grad, [[10.0, 0.0], [0.0, 20.0]])


# ---- dtypes --------------------------------------------------------------------------------


def test_dtype_rules():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(3).dtype == np.float64 and Tensor(True).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.float64
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor(np.ones(2, np.float16)).dtype == np.float16
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(np.float32(1.5)).dtype == np.float32
    t32 = Tensor(np.ones(3, np.float32))
    assert Tensor(t32).data is t32.data
    for out in [t32 * 2.5, 2.5 * t32, t32 + 1, 2**t32, t32**2, t32 / 3, 1 - t32, t32 * np.float64(2.5), t32 + True]:
        assert out.dtype == np.float32
    assert (t32 + np.ones(3)).dtype == np.float64  # ndarrays promote as in NumPy
    assert (t32 + np.ones(3, np.int8)).dtype == np.float32
    assert (t32 + np.arange(3)).dtype == np.float64
    assert (t32 + Tensor(np.ones(3))).dtype == np.float64
    assert (Tensor(np.ones(2, np.float16)) * 3.0).dtype == np.float16


def test_mixed_dtype_grads_take_each_tensors_dtype():
    a = Tensor(np.ones(3, np.float32), requires_grad=True)
    b = Tensor(np.full(3, 2.0), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad, [2, 2, 2])


def test_ndarray_on_the_left_gives_a_tensor():
    t = Tensor([1.0, 2.0], requires_grad=True)
    for out in [
        np.ones(2) + t,
        np.ones(2) - t,
        np.ones(2) * t,
        np.ones(2) / t,
        np.ones(2) ** t,
        np.ones((3, 2)) @ t,
        np.float64(2.0) * t,
    ]:
        assert isinstance(out, Tensor) and out.requires_grad


# ---- numerical stability and values at kinks ----------------------------------------------


@pytest.mark.filterwarnings("error")
def test_log_softmax_and_softmax_at_extreme_logits():
    z = Tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]], requires_grad=True)
    out = z.log_softmax()
    np.testing.assert_array_equal(out.data[0], [0.0, -2000.0, -1000.0])
    np.testing.assert_allclose(out.data[1], [-np.log(3)] * 3, rtol=1e-15)
    out.backward(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(z.grad, [[0.0, 0.0, 0.0], [-1 / 3, -1 / 3, 2 / 3]], atol=1e-15)
    x = Tensor([1000.0, -1000.0], requires_grad=True)
    s = x.softmax()
    np.testing.assert_array_equal(s.data, [1.0, 0.0])
    s.backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_at_extremes_does_not_overflow(dtype):
    x = Tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype), requires_grad=True)
    y = x.sigmoid()
    assert y.dtype == dtype
    np.testing.assert_allclose(y.data, [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-6, atol=0)
    y.sum().backward()
    assert np.isfinite(x.grad).all() and x.grad[2] == 0.25 and x.grad[0] == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_the_stable_formula_to_the_bit(dtype):
    """1/(1+e) or e/(1+e) with e = exp(−|x|), the numerator chosen as np.where would choose
    it: the same bits at ±0, ±inf, NaN, where e underflows, and on random inputs."""
    rng = np.random.default_rng(5)
    x = np.concatenate([[0.0, -0.0, np.inf, -np.inf, np.nan, -200.0, 200.0], rng.standard_normal(500) * 30])
    x = x.astype(dtype)
    e = np.exp(-np.abs(x))
    expected = np.where(x >= 0, dtype(1), e) / (dtype(1) + e)
    actual = Tensor(x).sigmoid().data
    assert actual.dtype == dtype
    np.testing.assert_array_equal(actual.view(f"u{actual.itemsize}"), expected.view(f"u{expected.itemsize}"))
    zero_d = Tensor(np.array(-3.0, dtype)).sigmoid().data  # a 0-d array stays one
    assert zero_d.shape == () and zero_d.dtype == dtype and zero_d == np.exp(dtype(-3)) / (1 + np.exp(dtype(-3)))


def test_derivatives_at_kinks():
    x = Tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])
    x.grad = None
    x.leaky_relu(0.2).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.2, 0.2, 1.0])


def test_max_ties_share_the_gradient():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    x.max().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0, 0, 0]])


@needs_torch
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_with_many_ties_matches_torch_amax(axis, keepdims):
    data = np.random.default_rng(3).integers(0, 3, (4, 3, 5)).astype(np.float64)
    ours, theirs = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out = ours.max(axis=axis, keepdims=keepdims)
    want = torch.amax(theirs, dim=() if axis is None else axis, keepdim=keepdims)
    upstream = np.random.default_rng(4).standard_normal(out.shape)
    out.backward(upstream)
    want.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-14)


KINKS = {  # name: (ours, torch's)
    "relu": (Tensor.relu, None),
    "abs": (Tensor.abs, None),
    "tanh": (Tensor.tanh, None),
    "sigmoid": (Tensor.sigmoid, None),
    "sqrt": (Tensor.sqrt, None),
    "leaky_relu": (lambda t: t.leaky_relu(0.3), lambda t: torch.nn.functional.leaky_relu(t, 0.3)),
    "x**2": (lambda t: t**2, SAME),
    "x**0": (lambda t: t**0, SAME),
    "x**0.5": (lambda t: t**0.5, SAME),
    "x**-1.5": (lambda t: t**-1.5, SAME),
    "x**3": (lambda t: t**3, SAME),
    "2**x": (lambda t: 2.0**t, SAME),
    "0**x": (lambda t: 0.0**t, SAME),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(KINKS))
def test_values_at_kinks_match_torch(name):
    ours_fn, torch_fn = KINKS[name]
    torch_fn = ours_fn if torch_fn == SAME else torch_fn or getattr(torch.Tensor, name)
    # -0.0 is left out of powers: torch's special-cased x**0.5 gives -inf there, we give inf
    data = np.array([0.0, 1.0, 2.0, -1.0] if "**" in name else [-0.0, 0.0, 1.0, 2.0, -1.0])
    ours, theirs = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    with np.errstate(all="ignore"):  # inf and nan are expected here; PyTorch is silent
        ours_fn(ours).sum().backward()
    torch_fn(theirs).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-15, atol=0)


@needs_torch
def test_tensor_exponent_matches_torch_including_zero_bases():
    base = np.array([0.0, 0.0, 0.5, 2.0, 3.0])
    power = np.array([0.0, 2.0, -1.5, 0.0, 2.5])
    a, b = Tensor(base, requires_grad=True), Tensor(power, requires_grad=True)
    ta, tb = torch.tensor(base, requires_grad=True), torch.tensor(power, requires_grad=True)
    (a**b).sum().backward()
    (ta**tb).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-14)


# ---- small conveniences --------------------------------------------------------------------


def test_attributes_and_repr():
    t = Tensor([[1.0, 2.0]], requires_grad=True)
    assert t.shape == (1, 2) and t.ndim == 2 and t.dtype == np.float64 and len(t) == 1
    assert t.numpy() is t.data and Tensor(2.5).item() == 2.5 and t.grad is None
    assert repr(t) == "Tensor([[1., 2.]], requires_grad=True)"
    assert repr(Tensor([1, 2], dtype=np.float32)) == "Tensor([1., 2.], dtype=float32)"
    big = repr(Tensor(np.zeros((50, 50), np.float32)))
    assert "..." in big and "shape=(50, 50)" in big and "dtype=float32" in big
    assert not hasattr(t, "__dict__")
    assert len({t, Tensor([[1.0, 2.0]])}) == 2  # hashed by identity
    with pytest.raises(TypeError):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)


def test_gradients_kept_without_a_copy_are_never_shared():
    # Fresh arrays (a matmul's result, say) become .grad as they are; anything that
    # someone else may hold (the caller's seed, a contribution passed to two tensors) is
    # copied first.
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    doubled = Tensor._from_op(x.data * 2, (x,), lambda g: x._accumulate(g * 2, fresh=True))
    doubled.sum().backward()  # x's gradient was a fresh array, kept as it is
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))
    seed = np.full((2, 3), 5.0)
    x.grad = None
    x.backward(seed)  # a leaf as the root: its seed is the caller's array
    x.grad += 1
    np.testing.assert_array_equal(seed, np.full((2, 3), 5.0))
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    y = a * 2
    (y + b + y).sum().backward()  # y gathers two contributions, in a buffer of its own
    b.grad += 10
    np.testing.assert_array_equal(a.grad, [4.0, 4.0])
    np.testing.assert_array_equal(b.grad, [11.0, 11.0])
