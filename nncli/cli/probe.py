"""`nncli probe saliency | neuron | fool`: a trained network seen through the gradient
with respect to its input."""

import click

from nncli.cli.explain import FiniteFloat, Numbers
from nncli.cli.options import NonNegativeFloat, PositiveFloat, output_file

MAX_STEPS = 10_000


def input_options(command):
    """--input and --example: the one input a probe looks at."""
    command = click.option(
        "--example",
        type=click.IntRange(min=0),
        default=None,
        help="Probe this held-out example of the model's data (0 is the first)  [default: 0].",
    )(command)
    return click.option(
        "--input",
        "values",
        type=Numbers(),
        default=None,
        help="Probe this input instead, comma-separated, as `nncli predict` takes it (e.g. 1,0).",
    )(command)


def output_options(command):
    command = output_file("--svg", "svg_path", help="Also write the picture to this SVG file.")(command)
    return click.option("--json", "as_json", is_flag=True, help="Print the numbers as one JSON line instead.")(command)


@click.group()
def probe():
    """Look inside a trained model with the gradient of its input: which inputs decided
    (saliency), what a neuron responds to most (neuron), and the smallest nudge that
    changes its answer (fool)."""


@probe.command(short_help="Which inputs decided: |∂score/∂input| for one example.")
@click.argument("model", required=False)
@input_options
@click.option(
    "--class", "chosen", type=click.IntRange(min=0), default=None, help="Whose score  [default: the predicted class]."
)
@output_options
def saliency(model, values, example, chosen, svg_path, as_json):
    """How much each input of one example moves a classifier's score for a class (or a
    regression's output): the gradient of that score with respect to the input, by the
    engine's own backward pass. Digits: a heatmap beside the digit; 2-D points: the
    gradient's arrow at the point; tables: a bar per column."""
    from nncli.views import probe as views

    loaded = Loaded(model, svg_path)
    probed = loaded.input(values, example)
    classes = loaded.classes
    if chosen is not None and (classes is None or chosen >= classes):
        among = f"its classes are 0 to {classes - 1}" if classes else "it is not a classifier"
        raise click.BadParameter(f"{loaded.name}: {among}; got {chosen}", param_hint="'--class'")
    plane = views.plane_backdrop(loaded.task, loaded.meta, loaded.dataset) if probed.kind == "plane" else None
    loaded.show("saliency", views.saliency(loaded.network, probed, classes, chosen, plane), as_json)


@probe.command(short_help="What a neuron responds to most: gradient ascent on the input.")
@click.argument("model", required=False)
@click.option(
    "--layer", type=int, default=1, show_default=True, help="The layer, from 1; the last is the output layer."
)
@click.option(
    "--neuron",
    "unit",
    type=int,
    default=1,
    show_default=True,
    help="The neuron (or class, in the output layer), from 1.",
)
@click.option(
    "--steps", type=click.IntRange(1, MAX_STEPS), default=200, show_default=True, help="Steps of gradient ascent."
)
@click.option("--rate", type=PositiveFloat(), default=0.1, show_default=True, help="The step size.")
@click.option(
    "--penalty",
    type=NonNegativeFloat(),
    default=None,
    help="L2 penalty on the distance from the start  [default: 0.01 for images, 0.5 for other inputs].",
)
@output_options
def neuron(model, layer, unit, steps, rate, penalty, svg_path, as_json):
    """The input a neuron responds to most: gradient ascent on the input, from a grey
    image (or the middle of the data), each step up the gradient of the neuron's weighted
    sum z minus penalty × the squared distance from the start — and its output rising step
    by step. In the output layer, neuron k+1 is class k's score."""
    from nncli.views import probe as views
    from nncli.views.layers import layer_widths

    loaded = Loaded(model, svg_path)
    widths = layer_widths(loaded.network)
    if not 1 <= layer <= len(widths):
        raise click.BadParameter(
            f"{loaded.name} has {len(widths)} layers (1 to {len(widths)}; the last is the output layer); got {layer}",
            param_hint="'--layer'",
        )
    width = widths[layer - 1]
    if not 1 <= unit <= width:
        raise click.BadParameter(
            f"layer {layer} has {width} neuron{'s' if width != 1 else ''} (1 to {width}); got {unit}",
            param_hint="'--neuron'",
        )
    kind = views.input_kind(loaded.task)
    names = views.input_names(loaded.task, loaded.meta, kind)
    start = views.probe_start(kind, loaded.dataset.X_train)
    penalty = views.default_penalty(kind) if penalty is None else penalty
    numbers = views.neuron(loaded.network, kind, names, start, layer, unit, loaded.classes, steps, rate, penalty)
    loaded.show("neuron", numbers, as_json)


@probe.command(short_help="Fool it: the smallest nudge (FGSM) that changes its answer.")
@click.argument("model", required=False)
@input_options
@click.option(
    "--eps",
    type=FiniteFloat(),
    default=None,
    help="How far to move each input  [default: the smallest ε that changes the answer].",
)
@output_options
def fool(model, values, example, eps, svg_path, as_json):
    """The fast gradient sign method: every input moved by ε in the direction that raises
    the loss of the network's own answer, ε·sign(∂loss/∂input); the new answer and its
    confidence, the smallest ε that changes the answer, and the change drawn. For digits,
    ε is a share of full brightness (pixels stay within 0–1)."""
    from nncli.views import probe as views

    loaded = Loaded(model, svg_path)
    if loaded.classes is None:
        raise click.UsageError(f"{loaded.name} is not a classifier: there is no answer to flip")
    probed = loaded.input(values, example)
    limit = views.eps_limit(probed.kind)
    if eps is not None and not 0 < eps <= limit:
        unit = " (a share of full brightness)" if probed.kind == "image" else " (in the network's scaled inputs)"
        raise click.BadParameter(f"ε must be above 0 and at most {limit:g}{unit}; got {eps:g}", param_hint="'--eps'")
    loaded.show("fool", views.fool(loaded.network, probed, loaded.classes, eps), as_json)


class Loaded:
    """A model loaded for probing: task, network, metadata, and its data when needed."""

    def __init__(self, model, svg_path):
        from nncli.session.runner import load_trained
        from nncli.text import inert
        from nncli.views.probe import classes_of

        if svg_path:
            from nncli.cli.visualize import check_output_path

            check_output_path(svg_path, "the SVG")
        self.task, self.network, self.meta, self.path = load_trained(model)
        self.name = inert(self.path.name)
        self.svg_path = svg_path
        self.classes = classes_of(self.network, self.task.classifier)
        self._dataset = None

    @property
    def dataset(self):
        if self._dataset is None:
            from nncli.session.runner import rebuild_data, run_config

            self._dataset = rebuild_data(self.task, run_config(self.meta), self.name)
        return self._dataset

    def input(self, values, example):
        from nncli.views import probe as views

        if values is not None and example is not None:
            raise click.UsageError("give --input or --example, not both")
        if values is not None:
            return views.given_input(self.task, self.meta, values)
        return views.example_input(self.task, self.meta, self.dataset, example or 0)

    def show(self, probe_name, numbers, as_json):
        from nncli.cli.output import emit_json, stdout_console
        from nncli.render import draw

        if as_json:
            emit_json({"event": "probe", "probe": probe_name, "model": str(self.path), **numbers.to_json()})
        console = stdout_console()
        picture = draw(numbers, console.width) if (self.svg_path or not as_json) else None
        if not as_json:
            console.print(picture)
        if self.svg_path:
            from nncli.cli.visualize import write_svg
            from nncli.text import inert

            write_svg(self.svg_path, [picture], f"nncli probe {probe_name} {self.name}", console.width)
            click.echo(f"picture written to {inert(self.svg_path, 1000)}", err=True)
