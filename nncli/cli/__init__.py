"""The `nncli` command line.

Commands are thin: they parse options, call the library and hand its events to a sink.
Command modules import only click at module level — NumPy and Rich are imported inside the
command bodies — so `nncli --help` starts instantly.

Every failure ends here as one or two plain lines on stderr and a documented exit code:
1 for a problem the user can fix, 2 for a usage error (click's own), 3 for a diverged
run, 130 for Ctrl-C. `--debug` shows the traceback instead.
"""

import sys

import click

from nncli import __version__
from nncli.errors import NncliError


class NncliGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except NncliError as error:
            self._fail(ctx, str(error), error.exit_code)
        except KeyboardInterrupt:
            self._fail(ctx, "interrupted", 130)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`): nothing more to say
            ctx.exit(1)
        except Exception as error:  # a bug: say so plainly, trace it only on request
            self._fail(
                ctx,
                f"unexpected error: {type(error).__name__}: {error}\nrun again with --debug to see where it happened",
                1,
            )

    def _fail(self, ctx, message, code):
        if ctx.find_root().params.get("debug"):
            raise
        click.echo(f"nncli: {message}", err=True)
        ctx.exit(code)


@click.group(cls=NncliGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    """


def _register():
    from nncli.cli.approx import approx
    from nncli.cli.bench import bench
    from nncli.cli.compare import compare
    from nncli.cli.descend import descend
    from nncli.cli.explain import explain
    from nncli.cli.export import export
    from nncli.cli.gradcheck import gradcheck
    from nncli.cli.graph import graph
    from nncli.cli.inspect import inspect
    from nncli.cli.learn import learn
    from nncli.cli.lrfind import lr_find
    from nncli.cli.models import evaluate, predict
    from nncli.cli.replay import replay
    from nncli.cli.train import train
    from nncli.cli.visualize import visualize

    for command in (train, approx, evaluate, predict, inspect, gradcheck):
        main.add_command(command)
    main.add_command(visualize)
    main.add_command(replay)
    inspect.add_command(graph)
    main.add_command(bench)
    main.add_command(descend)
    main.add_command(lr_find)
    main.add_command(explain)
    main.add_command(export)
    main.add_command(compare)
    main.add_command(learn)


_register()
