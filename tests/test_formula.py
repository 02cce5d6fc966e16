"""The safe formula reader: what it computes, what it refuses, and that it never runs code."""

import builtins
import math
from operator import methodcaller

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncli import formula
from nncli.autograd import Value
from nncli.formula import MAX_DEPTH, MAX_LENGTH, FormulaError, parse

X = np.linspace(-2.0, 2.0, 9)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x**3 - x", X**3 - X),
        ("-x**2", -(X**2)),  # Python's precedence: the power binds tighter than the sign
        ("(-x)**2", X**2),
        ("2**3**2", np.full_like(X, 512.0)),  # right-associative
        ("2**-x", 2.0**-X),
        ("1 - (x - 1)", 2 - X),
        ("x / 2 / 2", X / 4),
        ("sin(x)/2 + cos(2*x)", np.sin(X) / 2 + np.cos(2 * X)),
        ("exp(-x**2)", np.exp(-(X**2))),
        ("pi*x + e", np.pi * X + np.e),
        ("π", np.full_like(X, np.pi)),
        ("abs(x) + sqrt(abs(x)) + tanh(x)", np.abs(X) + np.sqrt(np.abs(X)) + np.tanh(X)),
        ("max(x, 0) - min(x, 0)", np.abs(X)),
        ("relu(x) - relu(-x)", X),
        ("step(x)", (X > 0).astype(float)),
        ("sigmoid(x)", 1 / (1 + np.exp(-X))),
        ("x - floor(x)", X - np.floor(X)),
        ("1.5e2 + .5 + 3.", np.full_like(X, 153.5)),
        ("+x", X),
        ("  x\n+ 1 ", X + 1),
    ],
)
def test_formulas_compute_what_numpy_computes(text, expected):
    np.testing.assert_allclose(parse(text)(x=X), expected, rtol=1e-12)


def test_canonical_text_keeps_meaning_and_minimal_brackets():
    for text in (
        "x**3 - x",
        "-x**2",
        "(-x)**2",
        "2**3**2",
        "(2**3)**2",
        "1 - (x - 1)",
        "x/(2*x)",
        "sin(x)/2 + cos(2*x)",
        "2**-x",
    ):
        f = parse(text)
        assert str(f) == text
        np.testing.assert_allclose(parse(str(f))(x=X), f(x=X))
    assert str(parse("((x))+((1))")) == "x + 1"


def test_impossible_values_are_nan_or_inf_not_exceptions():
    assert np.isinf(parse("9**9**9")(x=X)).all()  # no huge integer is ever built
    assert np.isnan(parse("log(x)")(x=np.array([-1.0]))).all()
    assert np.isinf(parse("1/x")(x=np.array([0.0]))).all()


def test_a_constant_formula_broadcasts_to_the_input_shape():
    assert parse("2")(x=np.zeros((3, 1))).shape == (3, 1)
    assert parse("2*pi", variables=())() == pytest.approx(2 * np.pi)


def test_other_variables_and_their_order():
    f = parse("tanh(w*x + b)", variables=("x", "w", "b"))
    assert f.names() == ("w", "x", "b")
    assert f(x=1.0, w=2.0, b=-2.0) == pytest.approx(0.0)
    with pytest.raises(FormulaError, match="unknown name 'x'"):
        parse("x", variables=("t",))
    with pytest.raises(ValueError):
        parse("1", variables=("sin",))


def test_the_tree_rebuilds_with_autograd_values():
    f = parse("tanh(w*x + b)**2 / 2", variables=("x", "w", "b"))
    values = {"x": Value(2.0), "w": Value(-0.5), "b": Value(0.3)}
    out = f.evaluate(values, functions={"tanh": methodcaller("tanh")})
    out.backward()
    t = math.tanh(-0.7)
    assert out.data == pytest.approx(t * t / 2)
    assert values["w"].grad == pytest.approx(t * (1 - t * t) * 2.0)
    with pytest.raises(FormulaError, match=r"sin\(\) cannot be used here") as caught:
        parse("1 + sin(x)").evaluate({"x": Value(1.0)}, functions={})
    assert caught.value.position == 4


HOSTILE = [
    ("__import__('os').system('x')", "unknown function '__import__'", 0),
    ("x.__class__", "attribute access", 1),
    ("(lambda: 1)()", "'lambda' is not allowed", 1),
    ("[x for x in ()]", r"brackets \[ \] are not allowed", 0),
    ("x[0]", r"brackets \[ \] are not allowed", 1),
    ("'a'", "strings are not allowed", 0),
    ('"a"', "strings are not allowed", 0),
    ("open", "unknown name 'open'", 0),
    ("open('f')", "unknown function 'open'", 0),
    ("exec('1')", "unknown function 'exec'", 0),
    ("eval", "unknown name 'eval'", 0),
    ("x if x else 1", "'if' is not allowed", 2),
    ("not x", "'not' is not allowed", 0),
    ("{1: x}", "braces", 0),
    ("x = 1", "= is not allowed", 2),
    ("x == 1", "= is not allowed", 2),
    ("x; 1", "character ; is not allowed", 1),
    ("x % 2", "operator % is not allowed", 2),
    ("x // 2", "operator // is not allowed", 2),
    ("x @ x", "operator @ is not allowed", 2),
    ("x^2", r"write \*\*", 1),
    ("2x", "missing operator before 'x'", 1),
    ("sin x", "sin is a function", 0),
    ("sin(x, 1)", "takes one argument, not 2", 0),
    ("max(x)", "takes 2 arguments, not 1", 0),
    ("(x", "never closed", 0),
    ("x)", "closes nothing", 1),
    ("x +", "ends too soon", 3),
    ("", "empty", 0),
    ("1e999", "too large", 0),
    ("f(x)", "unknown function 'f'", 0),
    ("x,1", "comma", 1),
    ("𝑥", "character", 0),
]


@pytest.mark.parametrize("text, message, position", HOSTILE)
def test_refused_formulas_say_what_and_where(text, message, position):
    with pytest.raises(FormulaError, match=message) as caught:
        parse(text)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.position == position and error.column == position + 1
    assert f"column {position + 1}" in str(error)
    line, carets = error.pointer(indent="").split("\n")
    assert line == text and carets.index("^") == position


def test_absurd_inputs_are_refused_quickly():
    with pytest.raises(FormulaError, match=f"at most {MAX_LENGTH}"):
        parse("x+" * 10_000 + "x")
    for text in ("(" * 100 + "x" + ")" * 100, "-" * 200 + "x", "sin(" * 80 + "x" + ")" * 80, "2**" * 100 + "2"):
        with pytest.raises(FormulaError, match=f"deeper than {MAX_DEPTH}"):
            parse(text)
    with pytest.raises(FormulaError, match="chains more than"):
        parse("+".join(["x"] * 240))
    assert parse("+".join(["x"] * 150))(x=1.0) == 150.0


def test_a_long_formula_is_pointed_at_through_a_window():
    error = pytest.raises(FormulaError, parse, "x + " * 100 + "x.y").value
    line, carets = error.pointer(indent="").split("\n")
    assert len(line) <= 122 and carets.index("^") == line.index(".")


def test_nothing_is_executed(tmp_path, monkeypatch):
    """Formulas that would create a file, or call anything at all, if run as Python."""
    target = tmp_path / "pwned"
    calls = []
    for name in ("eval", "exec", "compile", "open"):
        original = getattr(builtins, name)
        monkeypatch.setattr(builtins, name, lambda *a, _o=original, _n=name, **k: (calls.append(_n), _o(*a, **k))[1])
    attacks = [
        f"__import__('pathlib').Path('{target}').touch()",
        f"open('{target}', 'w')",
        "x.__class__.__bases__[0].__subclasses__()",
        f"(lambda: __import__('os').system('touch {target}'))()",
        f"[__import__('os').system('touch {target}') for x in (1,)]",
    ]
    errors = []
    for text in attacks:
        try:
            parse(text)
        except FormulaError as error:
            errors.append(error)
    monkeypatch.undo()
    assert len(errors) == len(attacks)
    assert not target.exists()
    assert calls == []


def test_the_module_never_calls_eval_exec_or_compile():
    import ast

    tree = ast.parse(open(formula.__file__, encoding="utf-8").read())
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__", "getattr", "setattr"}


ALPHABET = "x0123456789.e+-*/() ,^%[]'_abcdfgilmnoprstqwπ\n"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_string_parses_cleanly_or_is_refused_cleanly(text):
    try:
        f = parse(text)
    except FormulaError as error:
        assert 0 <= error.position <= len(text)
        assert error.pointer()
        return
    values = f(x=np.linspace(-1, 1, 5))
    assert values.shape == (5,) and values.dtype == np.float64
    assert str(parse(str(f))) == str(f)  # the canonical text reads back as itself


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.sampled_from(["x", "1", "2.5", "pi", "e"]),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            st.tuples(st.sampled_from(["sin", "cos", "exp", "tanh", "abs", "-"]), inner).map(
                lambda t: f"{t[0]}({t[1]})"
            ),
        ),
        max_leaves=12,
    )
)
def test_grammatical_formulas_always_parse_and_match_python(text):
    f = parse(text)
    x = 0.7
    with np.errstate(all="ignore"):
        expected = _python_value(text, x)
    got = float(f(x=x))
    if expected is None or not math.isfinite(expected):
        return
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def _python_value(text, x):
    """The same formula computed by a trusted hand-written mapping, for the test only:
    the strings come from the strategy above, never from a user."""
    import ast

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return {"x": x, "pi": math.pi, "e": math.e}[node.id]
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            ops = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power}
            return float(ops[type(node.op)](np.float64(a), np.float64(b)))
        if isinstance(node, ast.Call):
            return float(
                {"sin": np.sin, "cos": np.cos, "exp": np.exp, "tanh": np.tanh, "abs": np.abs}[node.func.id](
                    np.float64(walk(node.args[0]))
                )
            )
        raise AssertionError(ast.dump(node))

    try:
        return walk(ast.parse(text, mode="eval"))
    except (OverflowError, ZeroDivisionError):
        return None
