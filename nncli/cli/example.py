"""The one example a command runs a network on (explain, inspect network, inspect graph):
the user's --input and --target, or the first example of the model's own data."""

import math

import click

from nncli.cli.options import FiniteFloat


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
