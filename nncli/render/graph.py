"""The graph behind a number (`nncli inspect graph`): a formula computed with the scalar
engine, then shown as a tree, as JSON nodes or as Graphviz DOT.

Each Value remembers the Values it was computed from (`_prev`) and the operation that made
it (`_op`), so after `backward()` the whole computation can be walked from the output back
to the inputs, every node carrying its value (`data`) and the derivative of the output
with respect to it (`grad`).
"""

from rich.text import Text
from rich.tree import Tree

from nncli.autograd import Value
from nncli.formula import Binary, Call, FormulaError, Name

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


def tree(graph):
    """A Rich tree from the output (the last node) down to the inputs. A node used more
    than once is drawn in full the first time, tagged #id, and referred to after that."""
    by_id = {node["id"]: node for node in graph}
    uses = {}
    for node in graph:
        for i in node["inputs"]:
            uses[i] = uses.get(i, 0) + 1
    shown = set()
    root_node = graph[-1]
    root = Tree(_label(root_node, uses))
    stack = [(root, i) for i in reversed(root_node["inputs"])]
    shown.add(root_node["id"])
    while stack:
        branch, i = stack.pop()
        node = by_id[i]
        if i in shown:
            branch.add(Text.assemble((_name(node), _name_style(node)), (f"  ↑ #{i}, shown above", "dim")))
            continue
        shown.add(i)
        child = branch.add(_label(node, uses))
        stack.extend((child, j) for j in reversed(node["inputs"]))
    return root


def _label(node, uses):
    tag = f"  #{node['id']}" if uses.get(node["id"], 0) > 1 else ""
    return Text.assemble(
        (_name(node), _name_style(node)),
        ("  data=", "dim"),
        f"{node['data']:.4f}",
        ("  grad=", "dim"),
        f"{node['grad']:.4f}",
        (tag, "yellow"),
    )


def _name(node):
    return node["op"] if node["inputs"] else node["label"]


def _name_style(node):
    if node["inputs"]:
        return "bold cyan"
    return "bold green" if node["label"] and not _is_number(node["label"]) else "green"


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def dot(graph):
    """Graphviz DOT for the graph: one record per node (name | data | grad), edges from
    inputs to the node they feed. `dot -Tsvg` draws it."""
    lines = ["digraph nncli {", "  rankdir=LR;", '  node [shape=record, fontname="monospace"];']
    for node in graph:
        fields = " | ".join((_escape(_name(node)), f"data {node['data']:.4f}", f"grad {node['grad']:.4f}"))
        lines.append(f'  n{node["id"]} [label="{{ {fields} }}"];')
    for node in graph:
        lines.extend(f"  n{i} -> n{node['id']};" for i in node["inputs"])
    lines.append("}")
    return "\n".join(lines)


def _escape(text):
    """Characters that mean something inside a DOT record label, backslash-escaped."""
    return "".join("\\" + c if c in '{}|<>"\\' else c for c in text)
