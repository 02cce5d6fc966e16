"""The `nncli` command line.

Commands are thin: they parse options, call the library and hand its events to a sink.
Command modules import only click at module level — NumPy and Rich are imported inside the
command bodies — so `nncli --help` starts instantly.

This is also the one place where a run meets the outside world, and every way it can
end is decided here (docs/reliability.md, "Exit codes"):

- A failure is one or two plain lines on stderr and a documented exit code: 1 for a
  problem the user can fix, 2 for a usage error (click's own), 3 for a diverged run.
  `--debug` shows the traceback instead.
- Ctrl-C (SIGINT), SIGTERM and SIGHUP all interrupt the same way: a training run stops,
  saves what it learned and prints its summary; nncli exits 130, 143 or 129 (128 + the
  signal), with the terminal restored and no temporary file left. A second SIGTERM or
  SIGHUP ends it at once. A signal while nncli is still starting ends it quietly.
- A closed stdin or stdout reads or writes as /dev/null; a stdout that breaks or fills
  mid-run ends the output, not the work (see streams.py): exit 141 or 1, model saved.
"""

import os
import signal
import sys
import warnings

INTERRUPTS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _exit_while_starting(signum, frame):
    os._exit(128 + signum)  # nothing to save or restore yet, and no traceback from an import


_while_starting = {}
try:
    _while_starting = {signum: signal.signal(signum, _exit_while_starting) for signum in INTERRUPTS}
except ValueError:  # imported outside the main thread: signals are not ours to handle
    pass

import click  # noqa: E402  (after the handlers above: imports take most of the start-up)

from nncli import __version__  # noqa: E402
from nncli.cli import streams  # noqa: E402
from nncli.cli.lazy import LazyGroup  # noqa: E402
from nncli.errors import NncliError  # noqa: E402
from nncli.runtime import threads  # noqa: E402
from nncli.text import inert, message_lines  # noqa: E402

received = None  # the interrupting signal's number, once one has arrived


def interrupted_exit_code():
    """130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP: 128 + the signal that stopped nncli."""
    return 128 + (received or signal.SIGINT)


def _interrupt(signum, frame):
    """Turn SIGTERM and SIGHUP into what Ctrl-C is (a KeyboardInterrupt), remembering which."""
    global received
    first = received is None
    received = received or signum
    if first and signum != signal.SIGINT:
        for other in INTERRUPTS:
            if other != signal.SIGINT:
                signal.signal(other, signal.SIG_DFL)  # a second SIGTERM ends nncli at once
    raise KeyboardInterrupt


MIN_COLUMNS = 40  # narrower than this, nothing can be drawn: draw for 40 and let it wrap


def _at_least_columns(columns):
    """Make Rich (which reads $COLUMNS before asking the terminal) draw for at least
    `columns` columns, on a terminal or a COLUMNS=1 that is narrower."""
    import shutil

    if shutil.get_terminal_size((80, 24)).columns < columns:
        os.environ["COLUMNS"] = str(columns)


class NncliGroup(LazyGroup):
    def main(self, *args, **kwargs):
        """Run a command with signals as interrupts and stdout's failures contained."""
        global received
        received = None
        streams.lost = None
        streams.open_missing_streams()
        streams.write_any_encoding()
        _at_least_columns(MIN_COLUMNS)
        threads.one_unless_set()  # before any command loads NumPy: its products are small
        previous = {}
        try:
            previous = {signum: signal.signal(signum, _interrupt) for signum in INTERRUPTS}
        except ValueError:  # not the main thread (an embedding program): leave signals be
            pass
        kwargs["standalone_mode"] = False  # exit codes are decided below, not by click
        try:
            with warnings.catch_warnings():  # nncli speaks in its own messages, not NumPy's RuntimeWarnings
                warnings.simplefilter("ignore")
                code = super().main(*args, **kwargs)
        except click.exceptions.Abort:  # click's own Ctrl-C, during a prompt
            code = self._report("interrupted", interrupted_exit_code())
        except click.ClickException as error:
            self._show_click_error(error)
            code = error.exit_code
        except click.exceptions.Exit as done:
            code = done.exit_code
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        code = code if isinstance(code, int) else 0
        if streams.exit_code() is not None:
            code = code or streams.exit_code()
            if code == 1 and streams.lost is not None:
                self._report(f"cannot write the output ({streams.lost.strerror or streams.lost})", 1)
        sys.exit(code)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except SystemExit as done:
            return self._finish(done.code)
        except NncliError as error:
            return self._fail(ctx, str(error), error.exit_code)
        except KeyboardInterrupt:
            return self._fail(ctx, "interrupted", interrupted_exit_code())
        except OSError as error:
            if streams.is_output_error(error):
                streams.lose_stdout(error)
                return streams.exit_code()
            where = f"{inert(error.filename)}: " if error.filename else ""
            return self._fail(ctx, f"{where}{error.strerror or error}", 1)
        except MemoryError:
            return self._fail(ctx, "out of memory: try a smaller network, or fewer examples", 1)
        except Exception as error:  # a bug: say so plainly, trace it only on request
            return self._fail(
                ctx,
                f"unexpected error: {type(error).__name__}: {error}\nrun again with --debug to see where it happened",
                1,
            )

    def _finish(self, code):
        return code if isinstance(code, int) else (0 if code is None else 1)

    def _fail(self, ctx, message, code):
        if ctx.find_root().params.get("debug"):
            raise
        return self._report(message, code)

    def _show_click_error(self, error):
        """A usage error as briefly as any other failure, its text inert: what is wrong
        (click's own message), then where to read more — not click's four-line form."""
        lines = [inert(line, 240) for line in error.format_message().splitlines()]
        ctx = getattr(error, "ctx", None)
        if len(lines) == 1 and ctx is not None and ctx.command.get_help_option(ctx) is not None:
            lines.append(f"try '{inert(ctx.command_path)} --help'")
        try:
            click.echo("nncli: " + "\n".join(lines), err=True)
        except OSError:
            pass

    def _report(self, message, code):
        try:
            click.echo(f"nncli: {message_lines(message)}", err=True)
        except OSError:
            pass  # stderr is gone too: the exit code says it all
        return code


# Each command's module is imported only when the command runs (or --help lists it).
COMMANDS = {
    "train": "nncli.cli.train:train",
    "approx": "nncli.cli.train:approx",
    "evaluate": "nncli.cli.models:evaluate",
    "predict": "nncli.cli.models:predict",
    "inspect": "nncli.cli.inspect:inspect",
    "gradcheck": "nncli.cli.gradcheck:gradcheck",
    "visualize": "nncli.cli.visualize:visualize",
    "replay": "nncli.cli.replay:replay",
    "bench": "nncli.cli.bench:bench",
    "descend": "nncli.cli.descend:descend",
    "lr-find": "nncli.cli.lrfind:lr_find",
    "explain": "nncli.cli.explain:explain",
    "export": "nncli.cli.export:export",
    "compare": "nncli.cli.compare:compare",
    "learn": "nncli.cli.learn:learn",
    "probe": "nncli.cli.probe:probe",
    "draw": "nncli.cli.draw:draw",
    "play": "nncli.cli.play:play",
}


@click.group(cls=NncliGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nncli")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def main(debug):
    """See how neural networks learn: train, evaluate, explain and draw them.

    \b
    Start with:
      nncli learn              lessons: how networks learn, step by step
      nncli train xor          learn XOR with a 2-4-1 network
      nncli evaluate           measure the model you trained last
      nncli predict 1 0        ask it about an input
      nncli inspect weights    look at what it learned
      nncli visualize          see its decision boundary and its loss
      nncli approx sin         watch 32 neurons add up to sin(x)
    """


for _signum, _handler in _while_starting.items():  # started: NncliGroup.main takes over
    signal.signal(_signum, _handler)
