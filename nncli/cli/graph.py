"""`nncli inspect graph EXPR [NAME=VALUE …]`: the computation graph behind a number."""

import click

from nncli.cli.explain import example_options

MAX_GRAPH_PARAMETERS = 200  # every weight is a node: beyond this the graph is too big to read


@click.command(
    short_help="The computation graph of a formula, or of a small network.",
    context_settings={"ignore_unknown_options": True},
)  # so "-x**2" is an expression
@click.argument("expression", required=False)
@click.argument("assignments", nargs=-1)
@click.option(
    "--model",
    is_flag=False,
    flag_value="",
    default=None,
    help="Instead of EXPRESSION: the whole network of MODEL (alone: the latest) on --input.",
)
@example_options
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object: {"event": "graph", "nodes": [...]}.')
@click.option("--dot", "as_dot", is_flag=True, help="Print Graphviz DOT (draw it with `dot -Tsvg`).")
def graph(expression, assignments, model, values, target, as_json, as_dot):
    """Compute EXPRESSION with the scalar engine, run backpropagation, and show every
    step: each node's operation, value and gradient (d output / d node).

    \b
    Give each variable a value as NAME=VALUE:
      nncli inspect graph "tanh(x*w + b)" x=2 w=-3 b=6.8814
    Functions: tanh exp log relu sigmoid sqrt;
    operators + - * / ** (constant powers).
    \b
    Or a small trained network (at most 200 parameters),
    down to its loss on one input:
      nncli inspect graph --model xor --input 1,0
    """
    from nncli.cli.output import emit_json, show
    from nncli.render.graph import dot, nodes, tree

    if as_json and as_dot:
        raise click.UsageError("--json and --dot are two ways to print the same graph: choose one")
    if model is not None:
        if expression is not None:
            raise click.UsageError("give an EXPRESSION or --model, not both")
        output, title = network_graph(model or None, values, target)
        expression = title
    elif expression is None:
        raise click.UsageError("give an EXPRESSION to compute, or --model MODEL --input … for a network")
    elif values is not None or target is not None:
        raise click.UsageError("--input and --target go with --model")
    else:
        output = expression_graph(expression, assignments)
    graph_nodes = nodes(output)
    if as_json:
        emit_json({"event": "graph", "expression": expression, "output": graph_nodes[-1]["id"], "nodes": graph_nodes})
    elif as_dot:
        click.echo(dot(graph_nodes))
    else:
        show(tree(graph_nodes))


def network_graph(model, values, target):
    """(the loss Value after backward, a title) for MODEL on one example."""
    from nncli.cli.explain import chosen_example
    from nncli.errors import NncliError
    from nncli.session.runner import load_trained, parameter_count
    from nncli.text import inert
    from nncli.views.explain import scalar_graph

    task, network, meta, path = load_trained(model)
    count = parameter_count(meta["layers"])
    if count > MAX_GRAPH_PARAMETERS:
        raise NncliError(
            f"{path.name} has {count:,} parameters; inspect graph --model draws networks of at most "
            f"{MAX_GRAPH_PARAMETERS}, one node per weight\n"
            f"for a network this size, try `nncli explain backprop {path.name}`"
        )
    example = chosen_example(task, network, meta, values, target, path)
    loss = scalar_graph(meta["layers"], network.state_dict(), task.loss, example.x, example.target)
    return loss, f"the {task.loss} loss of {inert(path.name)} on {example.source}, target {example.shown_target}"


def expression_graph(expression, assignments):
    """The output Value of EXPRESSION with NAME=VALUE assignments, after backward."""
    from nncli.errors import NncliError
    from nncli.formula import FormulaError
    from nncli.render.graph import build

    values = parse_assignments(assignments)
    try:
        formula = parse_with_names(expression, values)
        missing = [name for name in formula.names() if name not in values]
        if missing:
            raise click.UsageError(f"no value for {missing[0]!r}: give it as {missing[0]}=VALUE")
        return build(formula, values)
    except FormulaError as error:
        raise click.UsageError(f"{error.reason}\n{error.pointer()}") from None
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        raise NncliError(f"cannot compute {expression} with {' '.join(assignments) or 'no values'}: {error}") from None


def parse_assignments(assignments):
    """{name: value} from NAME=VALUE arguments (usage errors for anything else)."""
    import math
    import re

    values = {}
    for text in assignments:
        name, equals, number = text.partition("=")
        name = name.strip()
        if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", name, re.ASCII):
            raise click.UsageError(f"{text!r} is not NAME=VALUE (e.g. x=2)")
        try:
            value = float(number)
        except ValueError:
            raise click.UsageError(f"{text!r}: {number!r} is not a number") from None
        if not math.isfinite(value):
            raise click.UsageError(f"{text!r}: the value must be a finite number")
        if name in values:
            raise click.UsageError(f"{name} is given twice")
        values[name] = value
    return values


def parse_with_names(expression, values):
    """Parse with the given names as variables, and with every other bare name that could
    be one too — so that a name without a value is reported as such, not as unknown."""
    import keyword
    import re

    from nncli.formula import CONSTANTS, FUNCTIONS, parse

    bare = re.findall(r"(?<![\w.])([A-Za-z_][A-Za-z_0-9]*)(?!\s*\()", expression, re.ASCII)
    candidates = [n for n in bare if n not in FUNCTIONS and n not in CONSTANTS and not keyword.iskeyword(n)]
    names = list(dict.fromkeys([*values, *candidates]))
    bad = [n for n in values if n in FUNCTIONS or n in CONSTANTS or keyword.iskeyword(n)]
    if bad:
        raise click.UsageError(f"{bad[0]!r} cannot be a variable name: it is a function, constant or keyword")
    return parse(expression, variables=names)
