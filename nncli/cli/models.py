"""`nncli evaluate` and `nncli predict`: use a trained model."""

import sys

import click

from nncli.cli.options import model_argument


@click.command()
@model_argument
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    default=None,
    help="A CSV of inputs then targets to evaluate on (- for stdin).",
)
@click.option("--drop-missing", is_flag=True, help="With --data: leave out rows with a missing value.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate(model, data, drop_missing, as_json):
    """Measure MODEL (a path or stored name; default: the latest) on its task's held-out
    data, or on --data FILE: rows of raw inputs (as `predict` takes them) and targets."""
    from nncli.cli.output import emit_json, show
    from nncli.session.runner import evaluate_model, load_trained

    if drop_missing and data is None:
        raise click.UsageError("--drop-missing leaves rows out of --data FILE: give the file")
    task, network, meta, path = load_trained(model)
    metrics, source, examples = evaluate_model(task, network, meta, data, path, drop_missing)
    if as_json:
        emit_json(
            {
                "event": "evaluate",
                "task": task.name,
                "model": str(path),
                "data": source,
                "examples": examples,
                **metrics,
            }
        )
    else:
        from nncli.render import draw
        from nncli.render.numbers import counted
        from nncli.text import markup_safe
        from nncli.views import resolve

        show(
            # the path and the data's description may hold text from files: shown inert
            f"[bold]{task.name}[/] model {markup_safe(path, 1000)} on {markup_safe(source, 1000)} "
            f"({counted(examples, 'example')})",
            draw(resolve(task.evaluation)(metrics)),
        )


# Unknown "options" are values: `nncli predict -1.5` is an input, not a flag.
@click.command(context_settings={"ignore_unknown_options": True})
@model_argument
@click.argument("values", nargs=-1)
@click.option(
    "--image",
    "images",
    type=click.Path(dir_okay=False),
    multiple=True,
    help="A digit to read: a PGM or PBM image (P1–P6) or a text grid of numbers, any size (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per input.")
def predict(model, values, images, as_json):
    """Ask MODEL (default: the latest) for its outputs.

    \b
    Inputs come as arguments: `nncli predict 1 0` (one row of a
    two-input model), or one comma-separated row per argument:
    `nncli predict xor 0,1 1,1`; or as CSV rows on stdin:
    `printf '0,1\\n1,1\\n' | nncli predict`. A digit model also
    reads images: `nncli predict digits --image 7.pgm`, made into
    the image the network reads as `nncli draw` makes a drawing.
    """
    from nncli.cli.output import emit_json, show
    from nncli.session.runner import load_trained

    if model is not None and _is_number_row(model):
        model, values = None, (model, *values)
    task, network, meta, path = load_trained(model)
    width = task.input_width(meta)
    if images:
        if values:
            raise click.UsageError("give the inputs as values or as --image files, not both")
        results = _read_images(task, network, meta, images)
    elif values:
        from nncli.text import inert

        rows = list(values)
        inputs = " ".join(["1", "0"] * width)[: 2 * width - 1] if width <= 4 else f"x1 x2 … x{width}"
        example = f"nncli predict {inert(model)} {inputs}" if model else f"nncli predict {inputs}"
        for value in values:
            if not all(_is_number_row(cell) for cell in value.split(",")):
                raise click.UsageError(
                    f"{inert(value)!r} is not a number: give the model's {width} input(s) as numbers, e.g. `{example}`"
                )
        if all("," not in v for v in values) and width > 1:
            if len(values) % width:
                got = f"{len(values)} value" + ("s" if len(values) != 1 else "")
                raise click.UsageError(f"the model takes {width} inputs per row; got {got} (e.g. `{example}`)")
            rows = [",".join(values[i : i + width]) for i in range(0, len(values), width)]
        X = task.read_inputs(rows, "input", meta)
    elif not sys.stdin.isatty():
        X = task.read_inputs(sys.stdin, "stdin", meta)
    else:
        raise click.UsageError(f"give the model's {width} input value(s) as arguments, or pipe CSV rows to stdin")
    if not images:
        results = task.predict(network, X, meta)
    if as_json:
        for row in results:
            emit_json({"event": "prediction", **row})
    else:
        from nncli.render import draw
        from nncli.views import resolve

        show(draw(resolve(task.prediction)(results)))


def _read_images(task, network, meta, images):
    """predict's rows for digit image files, read as `nncli draw` reads a drawing."""
    from nncli.data.image import read_image
    from nncli.views.drawing import image_side, reading

    image_side(task, meta)  # a model that reads no images says so before any file is read
    return [reading(task, network, meta, read_image(image)).row for image in images]


def _is_number_row(text):
    try:
        [float(cell) for cell in text.split(",")]
    except ValueError:
        return False
    return True
