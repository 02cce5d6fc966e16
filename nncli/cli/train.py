"""`nncli train TASK`: train a network, watch it learn, save it."""

import click

from nncli.cli.options import training_options
from nncli.tasks import defaults

TITLES = {
    "xor": "XOR with a 2-4-1 network",
    "linreg": "y = m·x + c by gradient descent",
}


@click.group()
def train():
    """Train a network on a task and save it to the model store."""


@train.command()
@training_options(defaults.XOR)
def xor(**options):
    """Learn XOR: the classic 2-4-1 sigmoid network, trained by gradient descent on MSE."""
    run_training("xor", options)


@train.command()
@training_options(defaults.LINREG, hidden=False)
@click.option("--data", type=click.Path(dir_okay=False), default=None, help="Fit a two-column CSV (x, y) instead.")
@click.option("--points", type=click.IntRange(min=2, max=10_000_000), default=defaults.LINREG["points"], show_default=True, help="How many noisy points to generate.")
@click.option("--slope", type=float, default=defaults.LINREG["slope"], show_default=True, help="m of the generated line.")
@click.option("--intercept", type=float, default=defaults.LINREG["intercept"], show_default=True, help="c of the generated line.")
@click.option("--noise", type=click.FloatRange(min=0), default=defaults.LINREG["noise"], show_default=True, help="Standard deviation of the noise.")
def linreg(**options):
    """Learn y = m·x + c from noisy points with one linear neuron, and compare the line it
    finds with the exact least-squares line."""
    options.update(hidden=defaults.LINREG["hidden"], activation=defaults.LINREG["activation"])
    run_training("linreg", options)


def run_training(task_name, options):
    from nncli import store
    from nncli.cli.output import emit_json, show, training_sink
    from nncli.errors import DivergedError
    from nncli.render.results import result_view
    from nncli.tasks import get_task
    from nncli.tasks.runner import train_task

    as_json, quiet = options.pop("as_json"), options.pop("quiet")
    save, no_save = options.pop("save"), options.pop("no_save")
    if no_save and save:
        raise click.UsageError("--save and --no-save contradict each other: choose one")
    if options["engine"] == "scalar":
        options["dtype"] = "float64"  # the scalar engine computes in Python floats
    save_path = None if no_save else (save or store.default_model_path(task_name))
    task = get_task(task_name)
    try:
        with training_sink(as_json, quiet, TITLES[task_name]) as emit:
            outcome = train_task(task, options, save_path, emit)
    except DivergedError as error:
        if as_json:  # scripts learn of it on stdout too; the exit code (3) says the rest
            emit_json({"event": "diverged", "epoch": error.epoch, "message": str(error)})
        raise
    if not as_json:
        show(*result_view(task, outcome))
    if outcome.result.interrupted:
        where = f"saved what it learned to {outcome.summary['model']}" if outcome.summary["model"] else "nothing saved"
        click.echo(f"nncli: interrupted at epoch {outcome.result.epochs_run}; {where}", err=True)
        raise SystemExit(130)
