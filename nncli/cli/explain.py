"""`nncli explain descent | backprop`: one step of learning with every number written out."""

import math

import click

from nncli.cli.options import MAX_SEED, PositiveFloat, model_argument

MAX_STEPS = 1000


class Numbers(click.ParamType):
    """Comma-separated finite numbers: "1,0" or "0.5,-2"."""

    name = "numbers"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        numbers = []
        for part in str(value).split(","):
            try:
                number = float(part)
            except ValueError:
                self.fail(f"{part.strip()!r} is not a number (give comma-separated numbers like 1,0)", param, ctx)
            if not math.isfinite(number):
                self.fail(f"{part.strip()!r} is not a finite number", param, ctx)
            numbers.append(number)
        return tuple(numbers)


class FiniteFloat(click.ParamType):
    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def example_options(command):
    """--input and --target, shared by the commands that run a network on one example."""
    command = click.option(
        "--target",
        type=FiniteFloat(),
        default=None,
        help="The answer it should give: a class label, or a value  [default: the data's, or its own answer].",
    )(command)
    return click.option(
        "--input",
        "values",
        type=Numbers(),
        default=None,
        help="One input, comma-separated (e.g. 1,0)  [default: the first training example].",
    )(command)


@click.group()
def explain():
    """One step of learning, every number written out: gradient descent, backpropagation."""


@explain.command(short_help="One gradient-descent step on y = m·x + c, written out.")
@click.option(
    "--points", type=click.IntRange(1, 20), default=4, show_default=True, help="Points on a line near y = 2x + 1."
)
@click.option("--data", type=click.Path(dir_okay=False), default=None, help="A CSV of x,y rows instead (at most 20).")
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
    from nncli.render.explain import descent_view
    from nncli.views.explain import MAX_POINTS, descent_steps, lesson_points, lesson_start

    if data is not None:
        from nncli.data import read_csv

        table = read_csv(data, n_columns=2)
        if len(table) > MAX_POINTS:
            raise click.BadParameter(
                f"{data} has {len(table)} rows; explain is for reading, so at most {MAX_POINTS}", param_hint="--data"
            )
        x, y = table[:, 0], table[:, 1]
        source = f"from {data}"
    else:
        x, y = lesson_points(points, seed)
        source = f"near y = 2x + 1, seed {seed}"
    start_m, start_c = lesson_start(seed)
    result = descent_steps(x, y, start_m if m is None else m, start_c if c is None else c, lr, steps)
    if as_json:
        emit_json({"event": "explain", "lesson": "descent", "steps": [step.as_dict() for step in result]})
    else:
        show(descent_view(result, source))


@explain.command(short_help="One forward and backward pass of a model, written out.")
@model_argument
@example_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def backprop(model, values, target, as_json):
    """One forward and backward pass of MODEL (default: the latest) on one example, layer by
    layer: each neuron's z = w·x + b and a = σ(z), the loss, each δ by the chain rule, each
    weight's gradient and its update — every number checked against the autograd engine."""
    from nncli.cli.output import emit_json, show
    from nncli.render.explain import backprop_view
    from nncli.session.runner import load_trained
    from nncli.views.explain import backprop_pass

    task, network, meta, path = load_trained(model)
    example = chosen_example(task, network, meta, values, target, path)
    state = network.state_dict()
    result = backprop_pass(meta["layers"], state, task.loss, example.x, example.target, meta["config"]["lr"])
    if as_json:
        emit_json(
            {
                "event": "explain",
                "lesson": "backprop",
                "model": str(path),
                "example": example.source,
                **result.as_dict(),
            }
        )
        return
    from nncli.text import inert

    heading = f"Backpropagation through {inert(path.name)} on {example.source}, target {example.shown_target}"
    view = backprop_view(result, heading)
    if meta["config"].get("optimizer", "sgd") != "sgd":
        note = f"(the model was trained with {meta['config']['optimizer']}, whose steps differ: shown is plain SGD)"
        show(view, f"[dim]{note}[/]")
    else:
        show(view)


@explain.command(short_help="One convolution of a CNN, forward and backward, written out.")
@click.argument("model", required=False)
@click.option(
    "--input",
    "values",
    type=Numbers(),
    default=None,
    help="A held-out example's index (e.g. 7), or one image as its pixels, comma-separated  [default: 0].",
)
@click.option("--channel", type=click.IntRange(min=0), default=None, help="The output channel to follow.")
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
    step = explain_conv(meta["layers"], network.state_dict(), x, label, channel)
    if as_json:
        emit_json({"event": "explain", "lesson": "conv", "model": str(path), "example": source, **step.to_json()})
    else:
        from nncli.render import draw

        show(draw(step, 100))


def chosen_example(task, network, meta, values, target, path):
    """The example of `--input`/`--target`, the user's or the first training example: an
    Example (x as the network sees it — the raw input through the model's preprocessing,
    as `predict` takes it — and its target).

    Usage errors (exit 2) for the wrong count of inputs or a target the task can't have.
    The task's data (rebuilt as evaluate does, never from a file the model names) are
    loaded only when needed: for the first example, or to look up the target of the
    user's input."""
    from types import SimpleNamespace as Example

    import numpy as np

    from nncli.errors import NncliError
    from nncli.session.runner import rebuild_data, run_config
    from nncli.tasks.base import preprocessing

    prep = preprocessing(meta)
    scaling = prep.scaling
    if values is not None and len(values) != prep.width:
        raise click.BadParameter(
            f"the model takes {prep.width} input{'s' if prep.width != 1 else ''}; got {len(values)}",
            param_hint="--input",
        )
    dataset = None
    if values is None or target is None:
        try:
            dataset = rebuild_data(task, run_config(meta), path)
        except NncliError as error:
            if values is None:
                raise NncliError(
                    f"{path.name}: no example to use without its training data;\n"
                    "give one with --input (and --target for its answer)"
                ) from error
    if values is None:
        x, data_target = dataset.X_train[0].astype(np.float64), dataset.y_train[0]
        # a dataset whose held-out part is its training part (XOR's truth table, a csv model's kept rows)
        kept = dataset.X_test is dataset.X_train
        source = "the first example of its data" if kept else "the first training example"
    else:
        x = prep.inputs(np.array([values]))[0]
        data_target = _target_in_data(dataset, x)
        source = f"input ({', '.join(f'{v:g}' for v in values)})"
    if target is not None:
        return Example(x=x, target=_checked_target(task, meta, target), source=source, shown_target=f"{target:g}")
    if data_target is not None:
        data_target = np.atleast_1d(np.asarray(data_target, dtype=np.float64))
        return Example(x=x, target=data_target, source=source, shown_target=_shown(data_target, scaling))
    if task.classifier:  # an input the data doesn't hold: its own answer is the target
        output = network.predict(x[None, :])[0]
        output = np.array([float(output.argmax())]) if task.loss == "cross_entropy" else np.round(output)
        shown = f"{_shown(output, scaling)} (its own answer; give --target to choose)"
        return Example(x=x, target=output, source=source, shown_target=shown)
    raise click.UsageError("give --target: the output the network should give for this input")


def _target_in_data(dataset, x):
    import numpy as np

    if dataset is None:
        return None
    matches = np.flatnonzero(np.all(np.isclose(dataset.X_train, x, rtol=0, atol=1e-9), axis=1))
    return dataset.y_train[matches[0]] if len(matches) else None


def _shown(target, scaling):
    """A target in the user's units, as text."""
    values = [float(t) for t in target]
    if "y_mean" in scaling:
        values = [v * s + m for v, s, m in zip(values, scaling["y_std"], scaling["y_mean"])]
    return ", ".join(f"{v:.4g}" for v in values)


def _checked_target(task, meta, target):
    """--target in the network's own units; a usage error if the task has no such label."""
    import numpy as np

    outputs = next(e["out"] for e in reversed(meta["layers"]) if e["type"] == "linear")
    if task.loss == "cross_entropy":
        if target != int(target) or not 0 <= target < outputs:
            raise click.BadParameter(f"the labels are 0 to {outputs - 1}; got {target:g}", param_hint="--target")
        return np.array([float(target)])
    if task.classifier and target not in (0, 1):
        raise click.BadParameter(f"the labels are 0 and 1; got {target:g}", param_hint="--target")
    scaling = meta.get("input_scaling") or {}
    if "y_mean" in scaling:
        target = (target - scaling["y_mean"][0]) / scaling["y_std"][0]
    return np.full(outputs, float(target))
