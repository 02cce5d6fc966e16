"""The graph behind a number (`nncli inspect graph`), as numbers: a formula computed with
the scalar engine and back-propagated, every node with its value and gradient.

Each Value remembers the Values it was computed from (`_prev`) and the operation that made
it (`_op`), so after `backward()` the whole computation can be walked from the output back
to the inputs, every node carrying its value (`data`) and the derivative of the output
with respect to it (`grad`).
"""

from dataclasses import dataclass

from nncli.autograd import Value
from nncli.formula import Binary, Call, FormulaError, Name
from nncli.views import Numbers


@dataclass
class Graph(Numbers):
    """Every node of a computation as {id, label, op, data, grad, inputs}, each after its
    inputs; `output` is the id of the last, the number the graph computes."""

    expression: str  # what was computed, in words or as the formula
    output: int
    nodes: list


def graph(output, expression):
    """The Graph of the Value `output`, after its `backward()`."""
    listed = nodes(output)
    return Graph(expression, listed[-1]["id"], listed)


# The formula functions the scalar engine can differentiate, as Value operations.
VALUE_FUNCTIONS = {
    "tanh": Value.tanh,
    "exp": Value.exp,
    "log": Value.log,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "sqrt": lambda v: v**0.5,
}


def build(formula, values):
    """The output Value of `formula` (a parsed nncli.formula.Formula) computed with the
    scalar engine, each variable a leaf Value labelled with its name, after `backward()`.

    FormulaError for what the scalar engine cannot do (a function it lacks, a variable in
    an exponent); ValueError, OverflowError or ZeroDivisionError for impossible numbers.
    """
    check_scalar(formula)
    leaves = {name: Value(values[name], label=name) for name in formula.names()}
    output = formula.evaluate(leaves, functions=VALUE_FUNCTIONS)
    if not isinstance(output, Value):  # a formula of constants alone
        output = Value(output)
    output.backward()
    return output


def check_scalar(formula):
    """FormulaError, pointing at the spot, for anything the scalar engine can't compute."""
    for node in formula.nodes():
        if isinstance(node, Call) and node.function not in VALUE_FUNCTIONS:
            known = ", ".join(VALUE_FUNCTIONS)
            raise FormulaError(
                f"the scalar engine has no {node.function}(); it has {known}",
                formula.text,
                node.span[0],
                len(node.function),
            )
        if isinstance(node, Binary) and node.op == "**" and _uses_variable(node.right, formula.variables):
            raise FormulaError(
                "the scalar engine raises only to constant powers: the exponent can't hold a variable",
                formula.text,
                node.right.span[0],
                node.right.span[1] - node.right.span[0],
            )


def _uses_variable(node, variables):
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, Name) and node.name in variables:
            return True
        stack.extend(getattr(node, part) for part in ("operand", "left", "right") if hasattr(node, part))
        stack.extend(getattr(node, "args", ()))
    return False


def nodes(output):
    """Every node of the graph as a dict {id, label, op, data, grad, inputs}, each after its
    inputs (inputs left to right, depth first), the output last. `inputs` are ids; a leaf's
    label is its variable name, a constant's its value, an operation's empty."""
    order, ids = [], {}
    stack = [(output, False)]
    while stack:  # iterative post-order: a deep graph can't overflow Python's stack
        node, expanded = stack.pop()
        if node in ids:
            continue
        if expanded:
            ids[node] = len(order)
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node._prev) if parent not in ids)
    return [
        {
            "id": ids[v],
            "label": v.label or ("" if v._prev else f"{v.data:g}"),
            "op": v._op,
            "data": v.data,
            "grad": v.grad,
            "inputs": [ids[parent] for parent in v._prev],
        }
        for v in order
    ]
