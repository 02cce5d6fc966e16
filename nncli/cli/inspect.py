"""`nncli inspect`: look inside a trained model."""

import click

from nncli.cli.explain import example_options
from nncli.cli.options import model_argument, output_file


@click.group()
def inspect():
    """Look inside a model: its weights, its layers."""


TINY = 100  # parameters: a model this small has its every weight printed
FILTERS_SMALL, FILTERS_LARGE = 16, 8  # first-layer images drawn by default: 8×8 or smaller, larger


@inspect.command(short_help="Weight statistics; a tiny net's own numbers; image filters.")
@model_argument
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--filters",
    "neurons",
    type=click.IntRange(min=1),
    metavar="N",
    default=None,
    help="Image inputs: draw the filters of the N first-layer neurons that matter most  [default: 16, or 8 for large "
    "images].",
)
def weights(model, as_json, neurons):
    """Statistics and a histogram of every weight and bias tensor in MODEL (default: the
    latest); the weights themselves for a model of at most 100 parameters; and, when the
    input is a square image, what the first layer's most important neurons look for."""
    from nncli import store
    from nncli.cli.output import emit_json, show
    from nncli.render.digits import ranked_filters_view
    from nncli.render.explain import weight_matrices
    from nncli.render.tables import FittedWeightsTable, weight_stats
    from nncli.session.runner import parameter_count
    from nncli.text import markup_safe
    from nncli.views.diagram import first_layer_filters, square_side

    path = store.resolve_model(model)
    state, meta = store.load_model(path)
    stats = weight_stats(state)
    layers = meta["layers"]
    filters = None
    # the first layer's neurons as images: for a dense first layer (a convolution's kernels are no images of the input)
    side = square_side(layers[0]["in"]) if layers[0]["type"] == "linear" else None
    if side is not None:
        count = neurons or (FILTERS_SMALL if side <= 8 else FILTERS_LARGE)
        filters = first_layer_filters(layers, state, count, training_images(meta, path))
    if as_json:
        event = {"event": "weights", "task": meta["task"], "model": str(path), "tensors": stats}
        if filters is not None:
            event["filters"] = filters.as_dict()
        emit_json(event)
        return
    show(FittedWeightsTable(f"{meta['task']} model {markup_safe(path.name)}", stats, state))
    if parameter_count(layers) <= TINY:
        show(weight_matrices(layers, state))
    if filters is not None:
        show(*ranked_filters_view(filters))


def convolutions_line(layers):
    """The convolutional front of a network in one line, each stage with its output shape
    and parameters: what the diagram's "features" column is made of."""
    from nncli.nn import output_shapes, parameter_count

    stages = []
    for entry, shape in zip(layers, output_shapes(layers)):
        kind = entry["type"]
        if kind == "linear":
            break
        if kind == "conv2d":
            stages.append(f"{entry['kernel']}×{entry['kernel']} conv {'×'.join(map(str, shape))}")
            stages[-1] += f" ({parameter_count([entry]):,} parameters)"
        elif kind in ("unflatten", "maxpool2d"):
            stages.append(f"{'image' if kind == 'unflatten' else 'pool'} {'×'.join(map(str, shape))}")
    return "features: " + " → ".join(stages) + " → flattened"


def training_images(meta, path):
    """The inputs the model learned from, or None if they can't be had (e.g. no MNIST files)."""
    from nncli.errors import NncliError
    from nncli.session.runner import rebuild_data, run_config
    from nncli.tasks import get_task

    try:
        task = get_task(meta["task"])
        task.restore(meta)
        return rebuild_data(task, run_config(meta), path).X_train
    except (NncliError, KeyError, TypeError, ValueError, OSError):
        return None


@inspect.command("model", short_help="Layers, output shapes and parameter counts.")
@model_argument
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def model_summary(model, as_json):
    """Layers, output shapes and parameter counts of MODEL (default: the latest)."""
    from rich.text import Text

    from nncli import store
    from nncli.cli.output import emit_json, show
    from nncli.command import recorded_command
    from nncli.render.tables import metrics_table, model_table
    from nncli.session.runner import parameter_count
    from nncli.text import inert, markup_safe

    path = store.resolve_model(model)
    state, meta = store.load_model(path)
    info = {
        "task": meta["task"],
        "model": str(path),
        "layers": meta["layers"],
        "parameters": parameter_count(meta["layers"]),
        "dtype": meta["dtype"],
        "seed": meta["seed"],
        "config": meta["config"],
        "metrics": meta["metrics"],
        "nncli_version": meta.get("nncli_version"),
        "command": recorded_command(meta),
    }
    if as_json:
        emit_json({"event": "model", **info})
    else:
        show(
            model_table(f"{meta['task']} model {markup_safe(path.name)} ({meta['dtype']})", meta["layers"]),
            metrics_table("final metrics", meta["metrics"]),
            Text(f"made by: {inert(info['command'], 1000)}  (nncli {inert(info['nncli_version'])})"),
        )


@inspect.command(short_help="The network diagram: nodes, a line for every weight.")
@model_argument
@example_options
@click.option("--grad", "gradients", is_flag=True, help="With --input: each line shows its weight's gradient.")
@output_file("--svg", "svg_path", help="Also write the diagram to this SVG file.")
@click.option("--json", "as_json", is_flag=True, help="Print the diagram's numbers as one JSON object.")
def network(model, values, target, gradients, svg_path, as_json):
    """The diagram of MODEL (default: the latest): a column of nodes per layer, each with its
    bias, and a line for every weight — its colour the sign, its shade and thickness the size.
    With --input, each node shows its activation on that input; --grad, each line its gradient."""
    from nncli.cli.explain import chosen_example
    from nncli.cli.output import emit_json, stdout_console
    from nncli.cli.visualize import check_output_path, write_svg
    from nncli.render.diagram import DiagramPicture
    from nncli.session.runner import load_trained
    from nncli.text import inert, markup_safe
    from nncli.views.diagram import network_diagram, starts_with_convolutions
    from nncli.views.explain import backprop_pass

    if gradients and values is None:
        raise click.UsageError("--grad shows the gradients on one example: give it with --input")
    if svg_path:
        check_output_path(svg_path, "the SVG")
    task, net, meta, path = load_trained(model)
    state = net.state_dict()
    example = None
    convolutions = starts_with_convolutions(meta["layers"])
    if values is not None and convolutions:
        raise click.UsageError("--input draws the activations of dense networks; this one starts with convolutions")
    if values is not None:
        chosen = chosen_example(task, net, meta, values, target, path)
        example = backprop_pass(meta["layers"], state, task.loss, chosen.x, chosen.target, meta["config"]["lr"])
    console = stdout_console()
    max_nodes = max(4, min(12, (console.height - 8) // 2))
    diagram = network_diagram(meta["layers"], state, max_nodes, example, gradients)
    if as_json:
        emit_json({"event": "network", "model": str(path), **diagram.as_dict()})
        return
    picture = DiagramPicture(diagram)
    console.print(f"[bold]{markup_safe(path.name)}[/]: {' → '.join(str(c.size) for c in diagram.columns)}")
    if convolutions:
        console.print(convolutions_line(meta["layers"]))
    console.print(picture)
    if svg_path:
        write_svg(svg_path, [picture], f"nncli inspect network {path.name}", console.width)
        click.echo(f"diagram written to {inert(svg_path, 1000)}", err=True)
