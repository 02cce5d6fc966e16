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

    A run that diverges ends with a "diverged" event on the JSON stream (the exit code, 3,
    says the rest).
    """
    from nncli.cli.controls import Controls
    from nncli.errors import DivergedError

    pace = live.pace if live is not None else None
    paced = None if pace is None else (lambda network, dataset: Controls(pace=pace))
    if as_json:
        try:
            yield emit_json, paced
        except DivergedError as error:
            emit_json({"event": "diverged", "epoch": error.epoch, "message": str(error)})
            raise
        return
    if quiet:
        yield (lambda event: None), paced
        return
    from nncli.render import animates
    from nncli.render.progress import TrainingProgress

    with TrainingProgress(title) as progress:
        if live is None or not animates(progress.console):
            yield progress, paced
            return
        with reading_keys() as keys:
            controls = Controls(pace=pace, keys=keys)

            def watch(network, dataset):
                from nncli.views.live import Watch

                watcher = Watch(live.task, live.views, network, dataset, live.config)
                progress.watching(watcher, keys is not None)
                controls.on_frame = lambda epoch, history: progress.show_frame(
                    epoch, history, controls.status, controls.numbers, controls.detail
                )
                controls.on_epoch = watcher.record
                controls.on_views = progress.next_views
                controls.begin()
                return controls

            yield progress, watch


@dataclasses.dataclass
class Live:
    """What the live panel watches: `views` of `task`, trained with `config`, at most
    `pace` epochs per second (None: as fast as it goes)."""

    task: object
    config: object
    views: tuple
    pace: float | None = None


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
