"""`nncli visualize [MODEL]`: pictures of what a trained network learned and how."""

import click

from nncli.cli.options import model_argument, output_file


@click.command()
@model_argument
@click.option("--view", default=None, help="Draw only this one of the model's views  [default: all of them].")
@click.option("--lr", "rates", hidden=True, help="Retired: see `nncli compare linreg --vary lr=...`.")
@click.option(
    "--epoch",
    type=click.IntRange(min=0),
    default=None,
    help="Draw the weights as they were at this epoch (the nearest snapshot kept while training).",
)
@output_file("--svg", "svg_path", help="Also write what is drawn to this SVG file.")
@output_file("--html", "html_path", help="Also write what is drawn as one page, to open in a browser offline.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the numbers behind the pictures instead: one JSON line per view."
)
def visualize(model, view, rates, epoch, svg_path, html_path, as_json):
    """Pictures of MODEL (a path or stored name; default: the latest) in the terminal.

    Each task has its own views — a decision boundary and neuron tiles, a fitted line and
    its loss landscape, a function's curve, digits and their confusion matrix — and every
    model has its loss per epoch. Without --view, all of them are drawn, in order; a
    --view the model does not have lists the ones it has. --svg FILE and --html FILE also
    write them to a file, drawn as shapes where a view has a vector drawing.
    """
    from nncli.cli.output import emit_json, stdout_console
    from nncli.errors import ModelFileError
    from nncli.render import draw
    from nncli.session.replay import lazy_dataset
    from nncli.session.runner import load_trained, run_config
    from nncli.text import inert
    from nncli.views import History, resolve

    if rates is not None:
        raise click.UsageError(
            f"visualize --lr is now `nncli compare linreg --vary lr={rates}`: it trains each run afresh"
        )
    task, network, meta, path = load_trained(model)
    name = inert(path.name)
    views = task.views
    if view is not None and view not in views:
        raise click.BadParameter(
            f"{name} is a {task.name} model; its views are {', '.join(views)}, not {view!r}", param_hint="'--view'"
        )
    chosen = [view] if view else list(views)
    if svg_path:
        check_output_path(svg_path, "the SVG")  # before any work: a long retraining must not end in "cannot write"
    if html_path:
        check_output_path(html_path, "the page")

    config, history = run_config(meta), History.of_model(meta)
    if epoch is not None:
        history = at_epoch(network, meta, path, history, epoch)
    dataset = lazy_dataset(task, config, path)
    console = stdout_console()
    drawn, all_numbers = [], []
    for view_name in chosen:
        try:
            numbers = resolve(views[view_name])(network, dataset, config, history)
        except KeyError as missing:  # a file that passed the store's checks but lacks a task's field
            raise ModelFileError(
                f"the model lacks {missing} in its metadata, which the {view_name} view needs"
            ) from None
        if as_json:
            emit_json({"event": "view", "view": view_name, "epoch": history.epoch, **numbers.to_json()})
        all_numbers.append(numbers)
        if not as_json:
            drawn.append(draw(numbers, console.width))
    if not as_json:
        for picture in drawn:
            console.print(picture)
            console.print()
    if svg_path:
        write_svg(svg_path, all_numbers, f"nncli visualize {name}")
        click.echo(f"pictures written to {inert(svg_path, 1000)}", err=True)
    if html_path:
        write_page(html_path, all_numbers, f"nncli visualize {name}")
        click.echo(f"page written to {inert(html_path, 1000)}", err=True)


def at_epoch(network, meta, path, history, wanted):
    """Load the snapshot nearest epoch `wanted` into `network`; the History as it stood then."""
    from nncli.session.replay import snapshot_at
    from nncli.text import inert

    if wanted > history.epoch:
        raise click.BadParameter(
            f"{inert(path.name)} trained for {history.epoch:,} epochs, not {wanted:,}", param_hint="'--epoch'"
        )
    epoch, state = snapshot_at(path, meta, wanted)
    network.load_state_dict(state)
    nearest = "" if epoch == wanted else f" (the snapshot nearest epoch {wanted:,})"
    click.echo(f"drawn at epoch {epoch:,}{nearest}", err=True)
    return history.at(epoch)


def check_output_path(output_path, what):
    """Fail before any work if `what` could not be written at `output_path`."""
    from nncli.store import write_target

    write_target(output_path, f"write {what}")


def write_svg(svg_path, pictures, title, width=100):
    """Write pictures as one SVG file, atomically. Each of `pictures` is a view's Numbers,
    drawn as shapes where it has a vector drawing and as the terminal draws it (`width`
    columns) otherwise, or a Rich renderable, drawn as the terminal draws it."""
    from nncli.render import draw
    from nncli.render.svg import to_svg
    from nncli.render.vector import svg
    from nncli.render.vector.page import svg_file
    from nncli.store import write_atomically
    from nncli.views import Numbers

    def drawn(picture):
        if not isinstance(picture, Numbers):
            return to_svg([picture], title="", width=max(width, 100))
        return svg(picture) or to_svg([draw(picture, 100)], title="", width=100)

    text = svg_file([drawn(picture) for picture in pictures], title)
    write_atomically(svg_path, lambda f: f.write(text.encode("utf-8")), "write the SVG")


def write_page(html_path, all_numbers, title):
    """Write the views' pictures as one self-contained page, atomically."""
    from nncli.render.vector.page import pictures_page
    from nncli.store import write_atomically

    text = pictures_page(title, all_numbers)
    write_atomically(html_path, lambda f: f.write(text.encode("utf-8")), "write the page")
