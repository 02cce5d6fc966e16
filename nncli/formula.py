"""Formulas such as "x**3 - x" or "exp(-x**2/2)", read safely.

A formula is read by a small hand-written parser into a tree of plain nodes — numbers,
names, + - * / **, unary minus and calls of whitelisted functions — and nothing else. No
text is ever handed to Python's `eval`, `exec` or `compile`: a formula can compute, never
run code. Anything outside the grammar (attributes, subscripts, strings, other names,
lambdas, comprehensions, …) is a `FormulaError` that says what and where.

    >>> f = parse("x**3 - x")
    >>> f(x=np.array([0.0, 2.0]))          # NumPy, elementwise
    array([0., 6.])
    >>> f.evaluate({"x": Value(2.0)}, functions={"tanh": methodcaller("tanh")})

The grammar, loosest binding first (Python's own precedence: -x**2 is -(x**2), 2**3**2
is 2**(3**2)):

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom ("**" unary)?
    atom    := NUMBER | NAME | NAME "(" sum ("," sum)* ")" | "(" sum ")"
"""

import keyword
import operator
import re
from dataclasses import dataclass

import numpy as np

from nncli.text import inert

MAX_LENGTH = 500  # characters: far more than any formula a person types
MAX_DEPTH = 60  # nested brackets, signs, powers and calls, while reading
MAX_TREE_DEPTH = 200  # operations chained in the finished tree (x+x+…+x), so walking it
#                       recursively stays far from Python's recursion limit

CONSTANTS = {"pi": np.pi, "π": np.pi, "e": np.e}


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))  # no overflow for any z


def _step(z):
    return np.where(np.asarray(z) > 0, 1.0, 0.0)  # as nncli's Step layer: 0 at 0


# name → (NumPy function, number of arguments)
FUNCTIONS = {
    "sin": (np.sin, 1),
    "cos": (np.cos, 1),
    "tan": (np.tan, 1),
    "asin": (np.arcsin, 1),
    "acos": (np.arccos, 1),
    "atan": (np.arctan, 1),
    "arcsin": (np.arcsin, 1),
    "arccos": (np.arccos, 1),
    "arctan": (np.arctan, 1),
    "sinh": (np.sinh, 1),
    "cosh": (np.cosh, 1),
    "tanh": (np.tanh, 1),
    "exp": (np.exp, 1),
    "log": (np.log, 1),
    "log2": (np.log2, 1),
    "log10": (np.log10, 1),
    "sqrt": (np.sqrt, 1),
    "abs": (np.abs, 1),
    "sign": (np.sign, 1),
    "floor": (np.floor, 1),
    "ceil": (np.ceil, 1),
    "relu": (lambda z: np.maximum(z, 0.0), 1),
    "sigmoid": (_sigmoid, 1),
    "step": (_step, 1),
    "min": (np.minimum, 2),
    "max": (np.maximum, 2),
}
NUMPY_FUNCTIONS = {name: function for name, (function, _) in FUNCTIONS.items()}

BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "unary": 3, "**": 4}


class FormulaError(ValueError):
    """A formula nncli will not read. `position` (0-based) and `length` mark the offending
    part of `text`; `pointer()` draws it."""

    def __init__(self, reason, text, position, length=1):
        self.reason, self.text = reason, text
        self.position = max(0, min(position, len(text)))
        self.length = max(1, length)
        self.fragment = text[self.position : self.position + self.length]
        super().__init__(f"{reason} (column {self.column})")

    @property
    def column(self):
        return self.position + 1

    def pointer(self, indent="  "):
        """Two lines: the formula (a window of it, if long, shown inert: an escape character
        as \\x1b) and carets under the offending part."""
        start = max(0, self.position - 60)
        shown = [inert(ch) for ch in self.text[start : start + 120]]
        before = sum(map(len, shown[: self.position - start]))
        carets = "^" * max(1, sum(map(len, shown[self.position - start : self.position - start + self.length])))
        lead = "…" if start else ""
        return f"{indent}{lead}{''.join(shown)}\n{indent}{' ' * (len(lead) + before)}{carets}"


# --- the tree ----------------------------------------------------------------------------
# Every node knows the span (start, end) of the text it came from, to point at it later.


@dataclass(frozen=True)
class Number:
    value: float
    span: tuple

    def __str__(self):
        return f"{self.value:.15g}"


@dataclass(frozen=True)
class Name:
    """A variable (given by the caller) or a constant (pi, e)."""

    name: str
    span: tuple

    def __str__(self):
        return "pi" if self.name == "π" else self.name


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: object
    span: tuple

    def __str__(self):
        return self.op + _wrap(self.operand, PRECEDENCE["unary"], strict=False)


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object
    span: tuple

    def __str__(self):
        level = PRECEDENCE[self.op]
        if self.op == "**":  # right-associative; a signed base needs brackets: (-x)**2
            return f"{_wrap(self.left, level, strict=True)}**{_wrap(self.right, PRECEDENCE['unary'], strict=False)}"
        spaced = self.op in "+-"
        right = _wrap(self.right, level, strict=True)
        return f"{_wrap(self.left, level, strict=False)}{' ' * spaced}{self.op}{' ' * spaced}{right}"


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple
    span: tuple

    def __str__(self):
        return f"{self.function}({', '.join(map(str, self.args))})"


def _level(node):
    if isinstance(node, Binary):
        return PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return PRECEDENCE["unary"]
    return 5


def _wrap(node, level, strict):
    inner = _level(node)
    return f"({node})" if inner < level or (strict and inner == level) else str(node)


class Formula:
    """A parsed formula: `text` as typed, `root` the tree, `variables` the names it may use."""

    def __init__(self, text, root, variables):
        self.text, self.root, self.variables = text, root, tuple(variables)

    def __str__(self):
        return str(self.root)

    def __repr__(self):
        return f"Formula({self.text!r})"

    def names(self):
        """The variables this formula actually uses, in order of first appearance."""
        return tuple(dict.fromkeys(n.name for n in self.nodes() if isinstance(n, Name) and n.name in self.variables))

    def nodes(self):
        """Every node of the tree, parents before children."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, Unary):
                stack.append(node.operand)
            elif isinstance(node, Binary):
                stack += [node.right, node.left]
            elif isinstance(node, Call):
                stack += reversed(node.args)

    def __call__(self, **values):
        """The formula over NumPy arrays (or numbers), broadcast to their common shape, as
        float64. Impossible values (log of a negative, 1/0, overflow) become nan or inf."""
        shape = np.broadcast_shapes(*(np.shape(v) for v in values.values())) if values else ()
        arrays = {k: np.asarray(v, dtype=np.float64) for k, v in values.items()}
        with np.errstate(all="ignore"):  # NumPy numbers: 9**9**9 is inf, not OverflowError
            result = self._evaluate(self.root, arrays, NUMPY_FUNCTIONS, np.float64)
        return np.broadcast_to(np.asarray(result, dtype=np.float64), shape).copy()

    def evaluate(self, values, functions=None):
        """Compute the formula with any kind of number: `values` maps each variable to a
        number, array or autograd Value; `functions` maps function names to callables
        (default: NumPy's). Operators are Python's own, so Values build a graph. A function
        missing from `functions` is a FormulaError pointing at its call."""
        functions = NUMPY_FUNCTIONS if functions is None else functions
        return self._evaluate(self.root, values, functions, float)

    def _evaluate(self, node, values, functions, number):
        if isinstance(node, Number):
            return number(node.value)
        if isinstance(node, Name):
            if node.name in self.variables:
                if node.name not in values:
                    raise FormulaError(f"no value given for {node.name!r}", self.text, *_extent(node.span))
                return values[node.name]
            return number(CONSTANTS[node.name])
        if isinstance(node, Unary):
            operand = self._evaluate(node.operand, values, functions, number)
            return -operand if node.op == "-" else operand
        if isinstance(node, Binary):
            left = self._evaluate(node.left, values, functions, number)
            right = self._evaluate(node.right, values, functions, number)
            if number is float and isinstance(left, float) and isinstance(right, float):  # constants, in Python
                written = f"{_constant(left)} {node.op} {_constant(right)}"
                try:
                    return _real(written, BINARY[node.op](left, right))
                except OverflowError:
                    raise ValueError(f"{written} is too large a number") from None
            return BINARY[node.op](left, right)
        if node.function not in functions:
            raise FormulaError(f"{node.function}() cannot be used here", self.text, *_extent(node.span))
        args = [self._evaluate(arg, values, functions, number) for arg in node.args]
        if number is float and all(isinstance(arg, float) for arg in args):  # constants: a number, any engine
            with np.errstate(all="ignore"):
                result = float(NUMPY_FUNCTIONS[node.function](*args))
            return _real(f"{node.function}({', '.join(f'{arg:g}' for arg in args)})", result)
        return functions[node.function](*args)


def _constant(value):
    return f"({value:g})" if value < 0 else f"{value:g}"


def _real(written, result):
    """A constant part's value, computed in Python numbers (`evaluate`, not `__call__`, whose
    NumPy arrays say NaN instead); ValueError if it is no finite real number (sqrt(-1))."""
    if isinstance(result, complex) or not np.isfinite(result):
        raise ValueError(f"{written} is not a finite real number")
    return result


def _depth(root):
    """The depth of a tree, found without recursion."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = {Unary: lambda n: (n.operand,), Binary: lambda n: (n.left, n.right), Call: lambda n: n.args}
        for kind, get in children.items():
            if isinstance(node, kind):
                stack += [(child, depth + 1) for child in get(node)]
    return deepest


def _extent(span):
    return span[0], span[1] - span[0]


# --- reading -----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_π][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|//|[-+*/(),])"
    r")",
    re.ASCII,
)
_REFUSED = {
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "[": "brackets [ ] are not allowed (no lists or subscripts): use ( ) to group",
    "]": "brackets [ ] are not allowed (no lists or subscripts): use ( ) to group",
    "{": "braces { } are not allowed",
    "}": "braces { } are not allowed",
    ".": "attribute access (.) is not allowed",
    "^": "^ is not a power here: write ** (x**2)",
    "=": "= is not allowed: give an expression, not an equation or assignment",
}


def parse(text, variables=("x",)):
    """Read `text` into a Formula over the given variable names. FormulaError if it is
    anything but a formula of numbers, those variables, pi, e, + - * / **, brackets and
    the functions in FUNCTIONS."""
    if not isinstance(text, str):
        raise TypeError("a formula is a string")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is {len(text):,} characters long; nncli reads at most {MAX_LENGTH}",
            text,
            MAX_LENGTH,
            len(text) - MAX_LENGTH,
        )
    for name in variables:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", name, re.ASCII) or name in FUNCTIONS or keyword.iskeyword(name):
            raise ValueError(f"{name!r} cannot be a variable name")
    parser = _Parser(text, _tokens(text), tuple(variables))
    return Formula(text, parser.parse(), variables)


def _tokens(text):
    """(kind, text, start) for each token, ending with ("end", "", len(text)).

    A generator: the parser reads tokens as it goes, so whichever problem comes first in
    the text is the one reported.
    """
    position = 0
    while position < len(text) and not text[position:].isspace():
        match = _TOKEN.match(text, position)
        if match is None:
            raise _refused_character(text, position + len(text[position:]) - len(text[position:].lstrip()))
        kind = match.lastgroup
        yield kind, match.group(kind), match.start(kind)
        position = match.end()
    yield "end", "", len(text)


def _refused_character(text, start):
    char = text[start]
    two = text[start : start + 2]
    if char in _REFUSED:
        return FormulaError(_REFUSED[char], text, start)
    if two in ("//", "==", "<=", ">=", "!=", "<<", ">>"):
        return FormulaError(f"operator {two} is not allowed: a formula uses + - * / **", text, start, 2)
    if char in "%@<>&|~!":
        return FormulaError(f"operator {char} is not allowed: a formula uses + - * / **", text, start)
    shown = char if char.isprintable() else repr(char)
    return FormulaError(f"character {shown} is not allowed in a formula", text, start)


class _Parser:
    """Recursive descent over the token list; `depth` caps nesting before Python's stack can."""

    def __init__(self, text, tokens, variables):
        self.text, self.variables = text, variables
        self.upcoming = tokens
        self.token = next(tokens)  # the token being looked at
        self.previous = None
        self.depth = 0

    def advance(self):
        """Move on to the next token; return the one just passed."""
        self.previous, self.token = self.token, next(self.upcoming, self.token)
        return self.previous

    def error(self, reason, token=None):
        kind, text, start = token or self.token
        return FormulaError(reason, self.text, start, len(text) or 1)

    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the formula nests deeper than {MAX_DEPTH} levels")

    def parse(self):
        if self.token[0] == "end":
            raise FormulaError("the formula is empty", self.text, 0)
        root = self.sum()
        if self.token[0] != "end":
            raise self.unexpected()
        if _depth(root) > MAX_TREE_DEPTH:
            raise FormulaError(
                f"the formula chains more than {MAX_TREE_DEPTH} operations", self.text, 0, len(self.text)
            )
        return root

    def unexpected(self):
        """The error for a token that cannot follow a complete operand."""
        kind, text, _ = self.token
        if text == ")":
            return self.error("this ) closes nothing")
        if text == ",":
            return self.error("a comma only separates a function's arguments")
        if text == "//":
            return self.error("operator // is not allowed: a formula uses + - * / **")
        if kind == "name" and (keyword.iskeyword(text) or keyword.issoftkeyword(text)):
            return self.error(f"{text!r} is not allowed: a formula has no Python keywords")
        if self.previous[0] == "number" and (kind == "name" or text == "("):
            return self.error(f"missing operator before {text!r}: write 2*x, not 2x")
        return self.error(f"missing operator before {text!r}")

    def sum(self):
        node = self.product()
        while self.token[1] in ("+", "-"):
            op = self.advance()[1]
            right = self.product()
            node = Binary(op, node, right, (node.span[0], right.span[1]))
        return node

    def product(self):
        node = self.unary()
        while self.token[1] in ("*", "/"):
            op = self.advance()[1]
            right = self.unary()
            node = Binary(op, node, right, (node.span[0], right.span[1]))
        return node

    def unary(self):
        if self.token[1] in ("-", "+"):
            self.nested()
            _, op, start = self.advance()
            operand = self.unary()
            self.depth -= 1
            return Unary(op, operand, (start, operand.span[1]))
        return self.power()

    def power(self):
        base = self.atom()
        if self.token[1] != "**":
            return base
        self.nested()
        self.advance()
        exponent = self.unary()
        self.depth -= 1
        return Binary("**", base, exponent, (base.span[0], exponent.span[1]))

    def atom(self):
        kind, text, start = self.token
        if kind == "number":
            self.advance()
            value = float(text)
            if not np.isfinite(value):
                raise self.error(f"the number {text} is too large", (kind, text, start))
            return Number(value, (start, start + len(text)))
        if kind == "name":
            return self.name()
        if text == "(":
            self.nested()
            self.advance()
            node = self.sum()
            self.close(start)
            self.depth -= 1
            return node
        if kind == "end":
            raise self.error("the formula ends too soon: a number, a name or ( is missing here")
        if text == "//":
            raise self.error("operator // is not allowed: a formula uses + - * / **")
        raise self.error(f"expected a number, a name or ( here, not {text!r}")

    def close(self, opened_at):
        if self.token[1] == ")":
            self.advance()
            return
        if self.token[0] == "end":
            raise FormulaError("this ( is never closed", self.text, opened_at)
        raise self.unexpected()

    def name(self):
        _, text, start = self.token
        if keyword.iskeyword(text) or keyword.issoftkeyword(text):
            raise self.error(f"{text!r} is not allowed: a formula has no Python keywords")
        self.advance()
        span = (start, start + len(text))
        if self.token[1] == "(":
            return self.call(text, span)
        if text in self.variables or text in CONSTANTS:
            return Name(text, span)
        if text in FUNCTIONS:
            raise FormulaError(f"{text} is a function: write {text}(x)", self.text, start, len(text))
        known = ", ".join(self.variables + ("pi", "e"))
        product = _run_together(text, self.variables + ("pi", "e"))
        hint = f"write {'*'.join(product)} for a product; " if product and len(product) > 1 else ""
        raise FormulaError(f"unknown name {text!r}: {hint}a formula may use {known}", self.text, start, len(text))

    def call(self, function, span):
        if function not in FUNCTIONS:
            hint = (
                ""
                if function in self.variables
                else f"; known functions: {', '.join(sorted(set(FUNCTIONS) - {'arcsin', 'arccos', 'arctan'}))}"
            )
            raise FormulaError(f"unknown function {function!r}{hint}", self.text, span[0], span[1] - span[0])
        self.nested()
        opened_at = self.advance()[2]
        args = [self.sum()]
        while self.token[1] == ",":
            self.advance()
            args.append(self.sum())
        self.close(opened_at)
        self.depth -= 1
        end = self.previous[2] + 1  # just after the closing bracket
        arity = FUNCTIONS[function][1]
        if len(args) != arity:
            wanted = "one argument" if arity == 1 else f"{arity} arguments"
            raise FormulaError(f"{function}() takes {wanted}, not {len(args)}", self.text, span[0], end - span[0])
        return Call(function, tuple(args), (span[0], end))


def _run_together(text, names):
    """`text` as names written without operators between them ("xy" → ["x", "y"]), or None."""
    if not text:
        return []
    if len(text) > 20:  # a longer name is not a product someone typed
        return None
    for name in sorted(names, key=len, reverse=True):
        if text.startswith(name):
            rest = _run_together(text[len(name) :], names)
            if rest is not None:
                return [name, *rest]
    return None
