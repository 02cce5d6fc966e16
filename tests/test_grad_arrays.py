"""Every op of the Tensor engine, on 0-d, 1-d and n-d tensors of float32 and float64: the
result keeps its inputs' dtype, and `.grad` is an ndarray of the parameter's own shape and
dtype — never a NumPy scalar, whose in-place update would be lost — that a second backward
pass adds into, in place.

NumPy 1.x promotes a float32 0-d array combined with a Python number to float64 and returns
NumPy scalars from ufuncs on 0-d arrays; NumPy 2 does neither. The engine must give the same
answer under both, so these tests hold on either (the 0-d cases are the ones that differ).
"""

import numpy as np
import pytest

from nncli.autograd import Tensor

SHAPES = {"0-d": (), "1-d": (3,), "n-d": (2, 3)}
DTYPES = (np.float32, np.float64)

# name → (the op on its operands, how many tensor operands it takes, whether it needs ndim ≥ 1)
OPS = {
    "add": (lambda a, b: a + b, 2, False),
    "add a number": (lambda a: 2.5 + a, 1, False),
    "sub": (lambda a, b: a - b, 2, False),
    "sub from a number": (lambda a: 1.5 - a, 1, False),
    "mul": (lambda a, b: a * b, 2, False),
    "mul by a number": (lambda a: a * 0.1, 1, False),
    "div": (lambda a, b: a / b, 2, False),
    "a number over": (lambda a: 3.0 / a, 1, False),
    "pow by a number": (lambda a: a**2, 1, False),
    "pow by a tensor": (lambda a, b: a.abs() ** b, 2, False),
    "a number to the power": (lambda a: 2.0**a, 1, False),
    "neg": (lambda a: -a, 1, False),
    "sum": (lambda a: a.sum(), 1, False),
    "mean": (lambda a: a.mean(), 1, False),
    "max": (lambda a: a.max(), 1, False),
    "reshape": (lambda a: a.reshape(-1), 1, False),
    "transpose": (lambda a: a.transpose(), 1, False),
    "index": (lambda a: a[..., 0], 1, True),
    "matmul": (lambda a, b: a @ b.T, 2, True),
    "exp": (lambda a: a.exp(), 1, False),
    "log": (lambda a: a.abs().log(), 1, False),
    "sqrt": (lambda a: a.abs().sqrt(), 1, False),
    "abs": (lambda a: a.abs(), 1, False),
    "tanh": (lambda a: a.tanh(), 1, False),
    "relu": (lambda a: a.relu(), 1, False),
    "leaky_relu": (lambda a: a.leaky_relu(0.05), 1, False),
    "sigmoid": (lambda a: a.sigmoid(), 1, False),
    "softmax": (lambda a: a.softmax(), 1, True),
    "log_softmax": (lambda a: a.log_softmax(), 1, True),
}


def leaves(count, shape, dtype, seed):
    """`count` tensors that require grad; values away from 0 and the kinks, positive and negative."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.5, 2.0, (count, *shape)) * rng.choice([-1.0, 1.0], (count, *shape))
    return [Tensor(np.asarray(v, dtype=dtype), requires_grad=True) for v in values]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("name", OPS)
def test_every_op_keeps_the_dtype_and_gives_grad_arrays_of_each_parameters_shape(name, shape, dtype):
    op, operands, needs_an_axis = OPS[name]
    if needs_an_axis and not shape:
        pytest.skip(f"{name} needs an axis")
    inputs = leaves(operands, shape, dtype, seed=len(name))
    out = op(*inputs)
    assert isinstance(out.data, np.ndarray) and out.dtype == dtype, f"{name}: {type(out.data)} {out.dtype}"
    out.sum().backward()
    firsts = []
    for leaf in inputs:
        assert isinstance(leaf.grad, np.ndarray), f"{name}: .grad is a {type(leaf.grad).__name__}"
        assert leaf.grad.shape == leaf.shape and leaf.grad.dtype == leaf.dtype
        firsts.append((leaf.grad, leaf.grad.copy()))
    op(*inputs).sum().backward()  # a second pass adds into the same arrays
    for leaf, (grad, first) in zip(inputs, firsts):
        assert leaf.grad is grad
        np.testing.assert_array_equal(leaf.grad, 2 * first)
