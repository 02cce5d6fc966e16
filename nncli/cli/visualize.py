"""`nncli visualize [MODEL]`: pictures of what a trained network learned and how."""

import click


@click.command()
@click.argument("model", required=False)
@click.option("--view", default=None, help="Draw only this one of the model's views  [default: all of them].")
@click.option("--lr", "rates", hidden=True, help="Retired: see `nncli compare linreg --vary lr=...`.")
@click.option(
    "--epoch",
    type=click.IntRange(min=0),
    default=None,
    help="Draw the weights as they were at this epoch (the nearest snapshot kept while training).",
)
@click.option("--svg", "svg_path", type=click.Path(), default=None, help="Also write what is drawn to this SVG file.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the numbers behind the pictures instead: one JSON line per view."
)
def visualize(model, view, rates, epoch, svg_path, as_json):
    """Pictures of MODEL (a path or stored name; default: the latest) in the terminal.

    Each task has its own views — a decision boundary and neuron tiles, a fitted line and
    its loss landscape, a function's curve, digits and their confusion matrix — and every
    model has its loss per epoch. Without --view, all of them are drawn, in order; a
    --view the model does not have lists the ones it has.
    """
    from nncli.cli.output import emit_json, stdout_console
    from nncli.render import draw
    from nncli.replay import lazy_dataset
    from nncli.tasks.runner import load_trained, run_config
    from nncli.views import History, resolve

    if rates is not None:
        raise click.UsageError(
            f"visualize --lr is now `nncli compare linreg --vary lr={rates}`: it trains each run afresh"
        )
    task, network, meta, path = load_trained(model)
    views = task.views
    if view is not None and view not in views:
        raise click.BadParameter(
            f"{path.name} is a {task.name} model; its views are {', '.join(views)}, not {view!r}", param_hint="'--view'"
        )
    chosen = [view] if view else list(views)
    if svg_path:
        check_output_path(svg_path, "the SVG")  # before any work: a long retraining must not end in "cannot write"

    config, history = run_config(meta), History.of_model(meta)
    if epoch is not None:
        history = at_epoch(network, meta, path, history, epoch)
    dataset = lazy_dataset(task, config, path)
    console = stdout_console()
    drawn = []
    for name in chosen:
        numbers = resolve(views[name])(network, dataset, config, history)
        if as_json:
            emit_json({"event": "view", "view": name, "epoch": history.epoch, **numbers.to_json()})
        if svg_path or not as_json:
            drawn.append(draw(numbers, console.width))
    if not as_json:
        for picture in drawn:
            console.print(picture)
            console.print()
    if svg_path:
        write_svg(svg_path, drawn, f"nncli visualize {path.name}", console.width)
        click.echo(f"pictures written to {svg_path}", err=True)


def at_epoch(network, meta, path, history, wanted):
    """Load the snapshot nearest epoch `wanted` into `network`; the History as it stood then."""
    from nncli.replay import snapshot_at

    if wanted > history.epoch:
        raise click.BadParameter(
            f"{path.name} trained for {history.epoch:,} epochs, not {wanted:,}", param_hint="'--epoch'"
        )
    epoch, state = snapshot_at(path, meta, wanted)
    network.load_state_dict(state)
    nearest = "" if epoch == wanted else f" (the snapshot nearest epoch {wanted:,})"
    click.echo(f"drawn at epoch {epoch:,}{nearest}", err=True)
    return history.at(epoch)


def check_output_path(output_path, what):
    """Fail before any work if `what` could not be written at `output_path`."""
    from pathlib import Path

    from nncli.errors import NncliError

    target = Path(output_path).expanduser()
    if target.is_dir():
        raise NncliError(f"cannot write {what} to {target}: it is a folder")
    if not target.absolute().parent.is_dir():
        raise NncliError(f"cannot write {what} to {target}: the folder {target.absolute().parent} does not exist")


def write_svg(svg_path, renderables, title, width):
    """Write the pictures as an SVG file, atomically: a temporary file renamed into place."""
    from pathlib import Path

    from nncli.errors import NncliError
    from nncli.render.svg import to_svg
    from nncli.store import _write_atomically

    target = Path(svg_path).expanduser()
    text = to_svg(renderables, title=title, width=max(width, 100))
    try:
        _write_atomically(target, lambda f: f.write(text.encode("utf-8")))
    except OSError as exc:
        raise NncliError(f"cannot write the SVG to {target}: {exc.strerror or exc}") from None
