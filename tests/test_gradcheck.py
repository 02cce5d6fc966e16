"""gradcheck: passes correct gradients, catches wrong ones, and its standard suite is green."""

import dataclasses
import json
import math

import numpy as np
import pytest

from nncli.autograd.gradcheck import (
    GradcheckCase,
    GradcheckReport,
    InputResult,
    gradcheck,
    run_suite,
    standard_cases,
)
from nncli.autograd.tensor import Tensor
from nncli.autograd.value import Value

rng = np.random.default_rng(1)


# ---- deliberately wrong backward functions -----------------------------------------------


def value_square_wrong(a):
    """a², whose backward forgets the factor 2."""
    out = Value(a.data * a.data, (a,), "**2")

    def _backward(out):
        (x,) = out._prev
        x.grad += out.grad * x.data  # should be 2 * x.data

    out._backward = _backward
    return out


def tensor_exp_slightly_wrong(x):
    """exp(x), whose backward is 1% too large."""
    data = np.exp(x.data)
    return Tensor._from_op(data, (x,), lambda g: x._accumulate(g * data * 1.01))


def tensor_mul_forgets_second_input(x, y):
    """x * y, whose backward sends nothing to y."""
    return Tensor._from_op(x.data * y.data, (x, y), lambda g: x._accumulate(g * y.data))


# ---- correct functions pass --------------------------------------------------------------


def test_tensor_function_passes_with_sane_report():
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    report = gradcheck(lambda x, w: (x @ w).tanh(), [x, w])
    assert isinstance(report, GradcheckReport)
    assert report.passed and report.engine == "tensor"
    assert (report.eps, report.atol, report.rtol) == (1e-6, 1e-5, 1e-3)
    assert [r.name for r in report.inputs] == ["x0", "x1"]
    assert [r.index for r in report.inputs] == [0, 1]
    assert [r.shape for r in report.inputs] == [(4, 3), (3, 2)]
    for r in report.inputs:
        assert isinstance(r, InputResult) and r.passed
        assert 0 <= r.max_abs_error < 1e-8
        assert 0 <= r.max_rel_error < 1e-6
        assert len(r.worst_index) == len(r.shape)
        assert all(0 <= i < n for i, n in zip(r.worst_index, r.shape))
        assert math.isfinite(r.analytic) and r.analytic == pytest.approx(r.numeric, abs=1e-8)


def test_value_function_passes():
    report = gradcheck(lambda a, b: (a * b + b**3).tanh() / a + (a - b).exp(), [1.5, Value(-0.3)])
    assert report.passed and report.engine == "value"
    assert [(r.name, r.shape, r.worst_index) for r in report.inputs] == [
        ("x0", (), ()),
        ("x1", (), ()),
    ]
    assert all(r.max_abs_error < 1e-8 for r in report.inputs)


def test_named_inputs():
    inputs = {"x": rng.standard_normal(3), "y": 2.0 * np.ones(3)}
    report = gradcheck(lambda x, y: x * y + y, inputs)
    assert report.passed
    assert [r.name for r in report.inputs] == ["x", "y"]


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda x: x.sum(), ()),  # a scalar output
        (lambda x: x.reshape(1, 6), (1, 6)),
        (lambda x: (x * x).reshape(3, 2, 1) + x.reshape(3, 1, 2), (3, 2, 2)),
    ],
)
def test_outputs_of_any_shape(fn, shape):
    x = rng.standard_normal((2, 3))
    assert fn(Tensor(x)).shape == shape
    assert gradcheck(fn, [x]).passed


def test_every_output_element_counts():
    # A wrong gradient in a single output element must be caught.
    def fn(x):
        data = x.data * 3.0

        def backward(g):
            g = g * 3.0
            g[-1] = 0.0  # the last element's gradient is lost
            x._accumulate(g)

        return Tensor._from_op(data, (x,), backward)

    report = gradcheck(fn, [rng.standard_normal(5)])
    assert not report.passed
    assert report.inputs[0].worst_index == (4,)


def test_inputs_are_left_unchanged_and_checked_in_float64():
    x32 = rng.standard_normal((3, 3)).astype(np.float32)
    t = Tensor(rng.standard_normal(3))
    x_before, t_before = x32.copy(), t.data.copy()
    # In float32 an eps of 1e-6 is below the resolution: this only passes in float64.
    report = gradcheck(lambda x, y: (x @ y).sigmoid(), [x32, t])
    assert report.passed
    assert np.array_equal(x32, x_before) and x32.dtype == np.float32
    assert np.array_equal(t.data, t_before) and t.grad is None


def test_an_input_the_output_ignores_has_zero_gradient():
    report = gradcheck(lambda x, y: x.exp(), [rng.standard_normal(2), rng.standard_normal(2)])
    assert report.passed
    assert report.inputs[1].max_abs_error == 0.0


def test_it_never_prints(capsys):
    gradcheck(lambda x: x.relu().sum(), [np.array([0.0, 1.0])])  # fails: at the kink
    gradcheck(lambda a: a.tanh(), [0.3])
    run_suite(standard_cases()[:3])
    assert capsys.readouterr() == ("", "")


# ---- wrong gradients fail ----------------------------------------------------------------


def test_wrong_value_backward_fails():
    report = gradcheck(lambda a: value_square_wrong(a) + a, [1.5])
    assert not report.passed
    (r,) = report.inputs
    assert not r.passed
    assert r.analytic == pytest.approx(2.5)  # 1.5 + 1 instead of 2 * 1.5 + 1
    assert r.numeric == pytest.approx(4.0)
    assert r.max_abs_error == pytest.approx(1.5, rel=1e-6)
    assert r.max_rel_error == pytest.approx(1.5 / 4.0, rel=1e-6)


def test_slightly_wrong_tensor_backward_fails():
    report = gradcheck(tensor_exp_slightly_wrong, [rng.standard_normal((2, 3))])
    assert not report.passed
    assert report.inputs[0].max_rel_error == pytest.approx(0.01 / 1.01, rel=1e-4)


def test_only_the_input_with_the_wrong_gradient_fails():
    inputs = [rng.standard_normal(3), 1 + rng.random(3)]
    report = gradcheck(tensor_mul_forgets_second_input, inputs)
    assert not report.passed
    assert [r.passed for r in report.inputs] == [True, False]
    assert report.inputs[1].analytic == 0.0
    text = str(report)
    assert "FAILED" in text and "x1 (3,)" in text and "analytic 0" in text


def test_a_kink_within_eps_can_fail():
    # relu at exactly 0: backprop says 0, the central difference sees half the slope.
    report = gradcheck(lambda x: x.relu(), [np.array([-1.0, 0.0, 1.0])])
    assert not report.passed
    kink = report.inputs[0]
    assert kink.worst_index == (1,)
    assert kink.analytic == 0.0 and abs(kink.numeric) >= 0.25  # half an upstream weight


def test_nan_gradients_fail():
    def fn(x):
        return Tensor._from_op(x.data * 2, (x,), lambda g: x._accumulate(g * np.nan))

    report = gradcheck(fn, [np.ones(2)])
    assert not report.passed
    assert math.isnan(report.inputs[0].analytic)


def test_tolerances_are_applied_like_pytorch():
    # |analytic - numeric| <= atol + rtol * |numeric|: a 1% error passes with rtol=0.02.
    assert gradcheck(tensor_exp_slightly_wrong, [np.zeros(3)], rtol=0.02).passed
    assert not gradcheck(tensor_exp_slightly_wrong, [np.zeros(3)], rtol=0.005).passed
    assert gradcheck(tensor_exp_slightly_wrong, [np.zeros(3)], rtol=0, atol=0.02).passed


# ---- mistakes in the call ----------------------------------------------------------------


def test_mixed_engines_are_refused():
    for inputs in ([np.ones(2), 1.0], [Value(1.0), Tensor(1.0)], [1.0, "2"]):
        with pytest.raises(TypeError, match="all Tensors or ndarrays .* or all Values or numbers"):
            gradcheck(lambda a, b: a, inputs)


def test_wrong_output_type_is_refused():
    with pytest.raises(TypeError, match="not a Tensor"):
        gradcheck(lambda x: 3.0, [np.ones(2)])
    with pytest.raises(TypeError, match="not a Value"):
        gradcheck(lambda a: 3.0, [1.0])


# ---- the report --------------------------------------------------------------------------


def test_report_text_and_json():
    report = gradcheck(lambda x, y: x * y, {"x": np.ones((2, 2)), "y": np.ones(2)})
    text = str(report)
    assert text.splitlines()[0].startswith("gradcheck (tensor, eps=1e-06")
    assert "passed" in text and "x (2, 2)" in text and "y (2,)" in text
    data = json.loads(json.dumps(dataclasses.asdict(report)))
    assert data["passed"] is True and data["inputs"][1]["shape"] == [2]


def test_the_seed_only_changes_the_upstream_weights():
    x = rng.standard_normal((3, 2))
    same = [gradcheck(lambda t: t.softmax(), [x], seed=s) for s in (0, 0, 1)]
    assert same[0] == same[1]
    assert all(r.passed for r in same)


# ---- the standard suite ------------------------------------------------------------------

TENSOR_OPS = [
    "+",
    "-",
    "*",
    "/",
    "**",
    "@",
    "sum",
    "mean",
    "max",
    "reshape",
    "transpose",
    ".T",
    "[",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "relu",
    "sigmoid",
    "leaky_relu",
    "softmax",
    "log_softmax",
    "(45,65)+(65,)",
    "(4,1)*(1,5)",
    "(1,3,1,7,1)*(2,1,5,1,8)",
    "repeated",
    "axis",
    "keepdims",
    "numbers",
    "ndarrays",
]
VALUE_OPS = ["+", "-", "*", "/", "**", "exp", "log", "tanh", "relu", "sigmoid", "numbers", "reused"]


def test_standard_cases_cover_every_op_of_both_engines():
    cases = standard_cases()
    assert all(isinstance(c, GradcheckCase) for c in cases)
    names = [c.name for c in cases]
    assert len(set(names)) == len(names)
    for engine, ops in (("tensor", TENSOR_OPS), ("value", VALUE_OPS)):
        engine_names = [c.name for c in cases if c.engine == engine]
        missing = [op for op in ops if not any(op in name for name in engine_names)]
        assert not missing, f"{engine} ops without a case: {missing}"


def test_standard_suite_passes():
    results = run_suite()
    assert len(results) == len(standard_cases())
    failed = [f"{name}\n{report}" for name, report in results if not report.passed]
    assert not failed, "\n".join(failed)
    for (name, report), case in zip(results, standard_cases()):
        assert name == case.name and report.engine == case.engine


def test_run_suite_on_chosen_cases():
    cases = [
        GradcheckCase("good", "value", lambda a: a * a, [3.0]),
        GradcheckCase("bad", "value", value_square_wrong, [3.0]),
    ]
    assert [(name, report.passed) for name, report in run_suite(cases)] == [
        ("good", True),
        ("bad", False),
    ]
    assert run_suite([]) == []
