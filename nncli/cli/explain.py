"""`nncli explain descent | backprop`: one step of learning with every number written out."""

import click

from nncli.cli.example import Numbers, chosen_example, example_options
from nncli.cli.options import FiniteFloat, PositiveFloat, model_argument
from nncli.settings import MAX_SEED

MAX_STEPS = 1000


@click.group()
def explain():
    """One step of learning, every number written out: gradient descent, backpropagation."""


@explain.command(short_help="One gradient-descent step on y = m·x + c, written out.")
@click.option(
    "--points", type=click.IntRange(1, 20), default=4, show_default=True, help="Points on a line near y = 2x + 1."
)
@click.option(
    "--data", type=click.Path(dir_okay=False), default=None, help="A CSV of x,y rows instead, at most 20 (- for stdin)."
)
@click.option("--m", "m", type=FiniteFloat(), default=None, help="Starting slope  [default: drawn from --seed].")
@click.option("--c", "c", type=FiniteFloat(), default=None, help="Starting intercept  [default: drawn from --seed].")
@click.option("--lr", type=PositiveFloat(), default=0.05, show_default=True, help="Learning rate η.")
@click.option("--steps", type=click.IntRange(1, MAX_STEPS), default=1, show_default=True, help="Steps to take.")
@click.option(
    "--seed", type=click.IntRange(0, MAX_SEED), default=0, show_default=True, help="Seed for the points and the start."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def descent(points, data, m, c, lr, steps, seed, as_json):
    """One step of gradient descent on y = m·x + c, as a lesson writes it: the errors, the
    loss, the two partial derivatives with their sums, the update and the new loss — the
    engine's own gradients beside the hand-derived ones."""
    from nncli.cli.output import emit_json, show
    from nncli.render import draw
    from nncli.views.explain import MAX_POINTS, DescentLesson, descent_steps, lesson_points, lesson_start

    if data is not None:
        from nncli.data import read_csv, source_name

        table = read_csv(data, n_columns=2)
        if len(table) > MAX_POINTS:
            raise click.BadParameter(
                f"{source_name(data)} has {len(table)} rows; explain is for reading, so at most {MAX_POINTS}",
                param_hint="--data",
            )
        x, y = table[:, 0], table[:, 1]
        source = f"from {source_name(data)}"
    else:
        x, y = lesson_points(points, seed)
        source = f"near y = 2x + 1, seed {seed}"
    start_m, start_c = lesson_start(seed)
    result = descent_steps(x, y, start_m if m is None else m, start_c if c is None else c, lr, steps)
    numbers = DescentLesson(source, result)
    if as_json:
        emit_json({"event": "explain", "lesson": "descent", **numbers.to_json()})
    else:
        show(draw(numbers))


@explain.command(short_help="One forward and backward pass of a model, written out.")
@model_argument
@example_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def backprop(model, values, target, as_json):
    """One forward and backward pass of MODEL (default: the latest) on one example, layer by
    layer: each neuron's z = w·x + b and a = σ(z), the loss, each δ by the chain rule, each
    weight's gradient and its update — every number checked against the autograd engine."""
    from nncli.cli.output import emit_json, show
    from nncli.render import draw
    from nncli.session.runner import load_trained
    from nncli.text import inert
    from nncli.views.explain import Backprop, backprop_pass

    task, network, meta, path = load_trained(model)
    example = chosen_example(task, network, meta, values, target, path)
    state = network.state_dict()
    result = backprop_pass(meta["layers"], state, task.loss, example.x, example.target, meta["config"]["lr"])
    heading = f"Backpropagation through {inert(path.name)} on {example.source}, target {example.shown_target}"
    numbers = Backprop(heading, meta["config"].get("optimizer", "sgd"), result)
    if as_json:
        event = {"event": "explain", "lesson": "backprop", "model": str(path), "example": example.source}
        emit_json({**event, **numbers.to_json()})
    else:
        show(draw(numbers))


@explain.command(short_help="One convolution of a CNN, forward and backward, written out.")
@click.argument("model", required=False)
@click.option(
    "--input",
    "values",
    type=Numbers(),
    default=None,
    help="A held-out example's index (e.g. 7), or one image as its pixels, comma-separated  [default: 0].",
)
@click.option(
    "--channel",
    type=click.IntRange(min=1),
    default=None,
    help="The output channel to follow, counted from 1  [default: the most active].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def conv(model, values, channel, as_json):
    """The first convolution of MODEL (default: the latest) at one output position, on one
    digit: the patch, the kernel, their products summed plus the bias, the activation and
    the pool's choice; then δ, the kernel's gradient as the sum of δ × patch over the
    positions, the bias's as the sum of δ, and the gradient flowing back to the pixels —
    every number checked against the engine's own backward pass."""
    import numpy as np

    from nncli.cli.output import emit_json, show
    from nncli.session.runner import load_trained, run_config
    from nncli.tasks.base import preprocessing
    from nncli.views.explain_conv import explain_conv

    task, network, meta, path = load_trained(model)
    if not task.classifier or task.loss != "cross_entropy":
        raise click.UsageError("explain conv is for digit classifiers trained with --conv")
    channels = next((layer["out"] for layer in meta["layers"] if layer["type"] == "conv2d"), None)
    if channel is not None and channels is not None and channel > channels:
        raise click.BadParameter(
            f"the first convolution has channels 1 to {channels}; got {channel}", param_hint="--channel"
        )
    width = meta["layers"][0]["in"]
    if values is not None and len(values) not in (1, width):
        raise click.BadParameter(
            f"give one held-out index or {width} pixels; got {len(values)} numbers", param_hint="--input"
        )
    if values is not None and len(values) == width:
        x = preprocessing(meta).inputs(np.array([values]))[0]
        label = int(np.argmax(network.predict(x[None, :])[0]))  # an image of the user's: its own answer
        source = "the given image"
    else:
        dataset = task.load_data(run_config(meta))
        index = 0 if values is None else values[0]
        if index != int(index) or not 0 <= index < len(dataset.X_test):
            raise click.BadParameter(f"the held-out examples are 0 to {len(dataset.X_test) - 1}", param_hint="--input")
        x, label = dataset.X_test[int(index)].astype(np.float64), int(dataset.y_test[int(index)])
        source = f"held-out example {int(index)}"
    step = explain_conv(meta["layers"], network.state_dict(), x, label, None if channel is None else channel - 1)
    if as_json:
        emit_json({"event": "explain", "lesson": "conv", "model": str(path), "example": source, **step.to_json()})
    else:
        from nncli.render import draw

        show(draw(step, 100))
