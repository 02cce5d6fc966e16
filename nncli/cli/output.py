"""The two streams: JSON Lines on stdout for scripts, Rich for people (progress on stderr,
results on stdout). Rich is imported only when something is drawn."""

import contextlib
import dataclasses
import json
import math
import sys


def plain(value):
    """`value` made JSON-safe: NaN and infinities become null (a diverged run says so)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def emit_json(event):
    """One JSON Lines event on stdout. If stdout has gone (a reader that quit, a full
    disk), the event is dropped and the run goes on: see nncli.cli.streams."""
    from nncli.cli.streams import write_out

    write_out(json.dumps(plain(event), allow_nan=False) + "\n")


def stdout_console(**options):
    """A Rich console on stdout (made with Console's `options`) whose broken pipe is
    reported like any other stdout failure (Rich's own reaction is to exit 1, which means
    "a problem you can fix")."""
    from rich.console import Console

    class StdoutConsole(Console):
        def on_broken_pipe(self):
            self.quiet = True
            raise BrokenPipeError(32, "Broken pipe")

    return StdoutConsole(**options)


def show(*renderables):
    console = stdout_console()
    for renderable in renderables:
        console.print(renderable)


def show_result(outcome, config, views):
    """Draw the views named `views` (as "module.function" under nncli.views) of a finished
    run on stdout."""
    from nncli.render import draw
    from nncli.views import History, resolve

    result = outcome.result
    history = History(result.history, result.epochs_run, outcome.summary, layer_stats=result.layer_stats)
    console = stdout_console()
    for name in views:
        console.print(draw(resolve(name)(outcome.network, outcome.dataset, config, history), console.width))


@contextlib.contextmanager
def training_sink(as_json, quiet, title, live=None):
    """Where a run's events go, and what watches it: yields (emit, watch) for
    `runner.train_task`.

    Events go to JSON Lines, nowhere (--quiet) or the progress view on stderr. On a
    terminal that view is the live panel, and `live` (a Live: the task, its config, the
    views to watch and the pace) adds the watched views and, when stdin is a terminal too,
    the keys; `watch` is then what builds the training loop's controls. Piped, quiet or
    JSON, `watch` only paces training (if `--pace` asks), and stdin is never read.
    With `live.serve` (--serve), the live page is served besides, whatever the streams:
    it gets frames of the same views, and its buttons act as the keys do.

    A run that diverges ends with a "diverged" event on the JSON stream (the exit code, 3,
    says the rest).
    """
    from nncli.errors import DivergedError

    with serving(live, title) as page:
        if as_json:
            try:
                yield page.heard(emit_json), page.watching()
            except DivergedError as error:
                emit_json({"event": "diverged", "epoch": error.epoch, "message": str(error)})
                raise
            return
        if quiet:
            yield page.heard(lambda event: None), page.watching()
            return
        from nncli.render import animates
        from nncli.render.progress import TrainingProgress

        with TrainingProgress(title) as progress:
            if live is None or not animates(progress.console):
                yield page.heard(progress), page.watching()
                return
            with reading_keys() as keys:

                def watch(network, dataset):
                    from nncli.views.live import Watch

                    watcher = Watch(live.task, live.views, network, dataset, live.config)
                    progress.watching(watcher, keys is not None)
                    controls = page.controls(keys, network, dataset)
                    controls.on_frame = both(
                        lambda epoch, history: progress.show_frame(
                            epoch, history, controls.status, controls.numbers, controls.detail
                        ),
                        controls.on_frame,
                    )
                    controls.on_epoch = both(watcher.record, controls.on_epoch)
                    controls.on_views = progress.next_views
                    return controls

                yield page.heard(progress), watch


@contextlib.contextmanager
def serving(live, title):
    """The live page of a run (`--serve`), or a stand-in that serves nothing; either way an
    object whose `heard(emit)`, `watching()` and `controls(keys, …)` make the sink's emit,
    its watch, and the live panel's controls."""
    if live is None or live.serve is None:
        yield Unserved(live)
        return
    from nncli.cli.serve import LivePage

    page = LivePage(live.serve, title)
    sys.stderr.write(f"nncli: the live page is at {page.address} (on this computer only, until the run ends)\n")
    sys.stderr.flush()
    served = Served(page, live)
    try:
        yield served
    except BaseException as error:
        page.close(served.ending_of(error))
        raise
    page.close()


class Unserved:
    """No live page: events pass untouched, and the controls only pace (if `--pace`) and
    read the keys they are given."""

    def __init__(self, live):
        self.pace = live.pace if live is not None else None

    def heard(self, emit):
        return emit

    def watching(self):
        """What watches a run with no panel: controls that pace it (if --pace), or None."""
        if self.pace is None:
            return None
        return lambda network, dataset: self.controls(None, network, dataset)

    def controls(self, keys, network, dataset):
        """The training loop's controls, reading `keys` (a terminal reader, or None)."""
        from nncli.cli.controls import Controls

        controls = Controls(pace=self.pace, keys=keys)
        controls.begin()
        return controls


def both(first, second):
    """A function calling `first`, then `second` unless it is None, with the same arguments."""
    if second is None:
        return first

    def call(*args):
        first(*args)
        second(*args)

    return call


class Served(Unserved):
    """The live page's side of a run: its own Watch of the live views, fed the run's
    events, a frame for the page whenever the controls draw one, and the last frame and
    how the run ended after the summary."""

    def __init__(self, page, live):
        super().__init__(live)
        from nncli.render.html import StyleSheet

        self.page, self.live = page, live
        self.watcher, self.history, self.sheet = None, {}, StyleSheet()

    def heard(self, emit):
        def hear(event):
            emit(event)
            kind = event["event"]
            if kind == "summary":  # the last frame (if there were frames), and how the run ended
                from nncli.render.progress import ending, final_metrics

                if self.watcher is not None:
                    frame = self.watcher.frame(event["epochs"], self.history)
                    frame.metrics = final_metrics(event)
                    self.show(frame, ending(event))
                self.page.end(ending(event))
            elif self.watcher is None:
                return
            elif kind == "epoch":
                self.watcher.log(event)
            elif kind == "layer_stats":
                self.watcher.layer_stats.append(event)

        return hear

    def watching(self):
        return lambda network, dataset: self.controls(None, network, dataset)

    def controls(self, keys, network, dataset):
        """Controls that read `keys` and the page's buttons, and draw each frame for the page."""
        from nncli.views.live import Watch

        self.watcher = Watch(self.live.task, self.live.views, network, dataset, self.live.config)
        controls = super().controls(self.page.reader(keys), network, dataset)

        def on_frame(epoch, history):
            self.history = history
            status = controls.status
            self.show(self.watcher.frame(epoch, history, controls.numbers, fresh=status == "paused"), status)

        controls.on_frame, controls.on_epoch = on_frame, self.watcher.record
        return controls

    def show(self, frame, status):
        from nncli.render.numbers import format_metrics
        from nncli.render.vector.live import frame_event

        epochs = self.live.config.epochs
        parts = (f"epoch {frame.epoch:,}/{epochs:,}", format_metrics(frame.metrics, " · "), status)
        label = " · ".join(part for part in parts if part)
        self.page.show(frame_event(list(frame.views.values()), label, self.sheet))

    @staticmethod
    def ending_of(error):
        from nncli.errors import DivergedError

        if isinstance(error, DivergedError):
            return "diverged" + (f" at epoch {error.epoch:,}" if error.epoch else "")
        return "interrupted" if isinstance(error, KeyboardInterrupt) else "stopped"


@dataclasses.dataclass
class Live:
    """What the live panel watches: `views` of `task`, trained with `config`, at most
    `pace` epochs per second (None: as fast as it goes), and served on port `serve`."""

    task: object
    config: object
    views: tuple
    pace: float | None = None
    serve: int | None = None  # the port of the live page (0: a free one), or None


@contextlib.contextmanager
def reading_keys():
    """A reader of the keys on stdin while it is a terminal this platform can read
    (restored on the way out), else None."""
    from nncli.cli.terminal import open_input

    with open_input(sys.stdin) as keys:
        yield keys


def say_health(summary):
    """Tell a person, on stderr, that a finished run went wrong: that it learned nothing,
    the verdict on why, and where a model that was not saved would have gone."""
    from nncli.text import inert

    lines = [summary[key] for key in ("failure", "verdict") if key in summary]
    if "not_saved" in summary:
        reason = summary["not_saved"]["reason"]
        lines.append(f"not saved: {reason}; --force replaces it, --save PATH keeps this run elsewhere")
    if "saved_aside" in summary:
        lines.append(
            f"{inert(summary['saved_aside'])} is in use by another program and was left as it was; "
            f"this run is saved as {inert(summary['model'])}"
        )
    for line in lines:
        sys.stderr.write(f"nncli: {line}\n")


def end_if_interrupted(outcome):
    """After a run that a signal stopped (and that saved what it had learned): say so on
    stderr and exit with the signal's code (130 for Ctrl-C, 143 SIGTERM, 129 SIGHUP)."""
    import click

    from nncli.cli import interrupted_exit_code

    if not outcome.result.interrupted:
        return
    from nncli.text import inert

    model = outcome.summary["model"]
    where = f"saved what it learned to {inert(model, 4096)}" if model else "nothing saved"
    click.echo(f"nncli: interrupted at epoch {outcome.result.epochs_run}; {where}", err=True)
    raise SystemExit(interrupted_exit_code())


STDOUT = "-"  # as a FILE to write: stdout, which then carries that file alone


def check_output_path(output_path, what):
    """Fail before any work if `what` could not be written at `output_path` ("-": stdout)."""
    from nncli.store import write_target

    if output_path != STDOUT:
        write_target(output_path, f"write {what}")


def to_stdout(as_json=False, **outputs):
    """True if one of `outputs` (an option's name → its FILE) is "-": stdout then carries
    that file and nothing else. A usage error if two are, or one is beside --json."""
    import click

    taken = ["--" + name for name, path in outputs.items() if path == STDOUT]
    if len(taken) > 1:
        raise click.UsageError(f"{' and '.join(taken)} cannot both write to stdout (-): give one of them a file")
    if taken and as_json:
        raise click.UsageError(f"--json writes to stdout, so {taken[0]} - cannot: give it a file")
    return bool(taken)


def write_output(path, text, what):
    """Write `text` as the file `path`, atomically, or to stdout for "-"."""
    from nncli.cli.streams import write_out_bytes
    from nncli.store import write_atomically

    if path == STDOUT:
        write_out_bytes(text.encode("utf-8"))
    else:
        write_atomically(path, lambda f: f.write(text.encode("utf-8")), f"write {what}")


def say_written(path, what):
    """Say on stderr where `what` was written (nothing for stdout, which shows it)."""
    import click

    from nncli.text import inert

    if path != STDOUT:
        click.echo(f"{what} written to {inert(path, 1000)}", err=True)


def write_svg(svg_path, pictures, title, width=100):
    """Write pictures as one SVG file, atomically (or to stdout for "-"). Each of `pictures`
    is a view's Numbers, drawn as shapes where it has a vector drawing and as the terminal
    draws it (`width` columns) otherwise, or a Rich renderable, drawn as the terminal draws it."""
    from nncli.render.vector.page import picture_svg, svg_file

    write_output(svg_path, svg_file([picture_svg(picture, width) for picture in pictures], title), "the SVG")


def write_page(html_path, all_numbers, title):
    """Write the views' pictures as one self-contained page, atomically (or to stdout for "-")."""
    from nncli.render.vector.page import pictures_page

    write_output(html_path, pictures_page(title, all_numbers), "the page")
