"""The graph behind a number (`nncli inspect graph`, numbers from nncli.views.graph) drawn
as a tree, or written as Graphviz DOT."""

from rich.text import Text
from rich.tree import Tree

from nncli.render import draws
from nncli.views.graph import Graph


@draws(Graph)
def draw_graph(numbers, width):
    return tree(numbers.nodes)


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
