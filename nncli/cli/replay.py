"""`nncli replay [MODEL]`: the training of a model again, frame by frame, from the
snapshots of its weights — in the terminal, or as one HTML page to share."""

import math

import click

from nncli.cli.options import model_argument, output_file


class FramesPerSecond(click.ParamType):
    name = "fps"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or not 0 < number <= 60:
            self.fail(f"{value!r} must be a number of frames per second above 0, at most 60", param, ctx)
        return number


@click.command(short_help="Play a model's training again, frame by frame.")
@model_argument
@click.option(
    "--view", "view_names", multiple=True, help="A view to replay (repeatable)  [default: the task's live views]."
)
@click.option("--fps", type=FramesPerSecond(), default=8.0, show_default=True, help="Frames per second on a terminal.")
@output_file("--html", "html_path", help="Write every frame into one HTML page instead.")
@click.option("--json", "as_json", is_flag=True, help="Print each frame's numbers as JSON Lines instead.")
def replay(model, view_names, fps, html_path, as_json):
    """Play the training of MODEL (a path or stored name; default: the latest) again: its
    views recomputed from each snapshot of the weights kept while it trained (about
    sixty, dense at the start, where learning is fastest).

    \b
    On a terminal: space pauses and resumes, n (or →) steps one frame while
    paused, q stops. Piped, it lists the frames' epochs and losses and draws
    the last frame. --html FILE writes one self-contained page (play/pause,
    a slider over the epochs) that opens in any browser, offline.
    """
    from nncli.cli.output import emit_json, stdout_console
    from nncli.cli.visualize import check_output_path
    from nncli.render import animates
    from nncli.session.replay import frames, lazy_dataset, load_frames_source
    from nncli.session.runner import load_trained, run_config
    from nncli.text import inert

    task, network, meta, path = load_trained(model)
    names = check_views(task, path, view_names) or list(task.watch)
    if html_path:
        check_output_path(html_path, "the page")  # before any work
    load_frames_source(path, meta)  # says so at once when the model has no snapshots
    config = run_config(meta)
    all_frames = frames(task, network, meta, path, names, config, lazy_dataset(task, config, path))
    if as_json:
        for frame in all_frames:
            for name, numbers in frame.views.items():
                emit_json(
                    {"event": "frame", "epoch": frame.epoch, "loss": frame.loss, "view": name, **numbers.to_json()}
                )
        return
    if html_path:
        write_page(html_path, all_frames, f"nncli replay {path.name}: {task.title}")
        click.echo(f"replay written to {inert(html_path, 1000)}", err=True)
        return
    console = stdout_console()
    if animates(console):
        with_loss = list(dict.fromkeys(["loss", *names]))
        shown = frames(task, network, meta, path, with_loss, config, lazy_dataset(task, config, path))
        play(console, shown, fps, f"replay · {task.title}", meta.get("epochs_run", 0))
    else:
        list_frames(console, all_frames)


def check_views(task, path, view_names):
    for name in view_names:
        if name not in task.views:
            raise click.BadParameter(
                f"{path.name} is a {task.name} model; its views are {', '.join(task.views)}, not {name!r}",
                param_hint="'--view'",
            )
    return list(dict.fromkeys(view_names))


def pictures(frame, width):
    from rich.text import Text

    from nncli.render import draw

    heading = Text(f"epoch {frame.epoch:,}   training loss {frame.loss:.6g}", style="bold")
    return [heading, *(draw(numbers, width) for numbers in frame.views.values())]


def play(console, all_frames, fps, title, epochs):
    """Animate the frames in the live panel of training, at `fps`, with its keys: space
    pauses and resumes, n (or →) steps one frame while paused, q stops."""
    from nncli.cli.controls import Controls
    from nncli.cli.controls import play as play_frames
    from nncli.cli.output import reading_keys
    from nncli.render.live import LivePanel
    from nncli.views.live import Frame

    with reading_keys() as keys:
        panel = LivePanel(console, title, epochs, keys is not None)
        panel.start()
        try:
            frames = (Frame(f.epoch, {"loss": f.loss}, f.views) for f in all_frames)
            controls = Controls(pace=fps, keys=keys)
            stopped = play_frames(frames, lambda frame, status: panel.show(frame, status), controls)
            panel.finish("done" if stopped is None else f"stopped at epoch {stopped:,}")
        finally:
            panel.stop()


def list_frames(console, all_frames):
    """Piped: one line per frame (its epoch and loss), then the last frame's pictures."""
    last = None
    for frame in all_frames:
        console.print(f"epoch {frame.epoch:>7,}  training loss {frame.loss:.6g}", highlight=False)
        last = frame
    console.print()
    for picture in pictures(last, console.width):
        console.print(picture)


def write_page(html_path, all_frames, title):
    from nncli.render.html import StyleSheet
    from nncli.render.vector.page import markup, replay_page
    from nncli.store import write_atomically

    sheet = StyleSheet()  # for the pictures that have only a terminal drawing
    drawn = [
        {"epoch": f.epoch, "loss": f.loss, "html": "".join(markup(n, sheet) for n in f.views.values())}
        for f in all_frames
    ]
    text = replay_page(title, drawn, sheet.css())
    write_atomically(html_path, lambda f: f.write(text.encode("utf-8")), "write the page")
