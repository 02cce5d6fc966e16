"""`nncli train TASK`: train a network, watch it learn, save it."""

import click

from nncli.cli.controls import live_options
from nncli.cli.options import training_options
from nncli.tasks import defaults


@click.group()
def train():
    """Train a network on a task and save it to the model store."""


@train.command()
@training_options(defaults.XOR)
@live_options
def xor(**options):
    """Learn XOR: the classic 2-4-1 sigmoid network, trained by gradient descent on MSE."""
    run_training("xor", options)


@train.command()
@training_options(defaults.LINREG, hidden=False)
@live_options
@click.option("--data", type=click.Path(dir_okay=False), default=None, help="Fit a two-column CSV (x, y) instead.")
@click.option(
    "--points",
    type=click.IntRange(min=2, max=10_000_000),
    default=defaults.LINREG["points"],
    show_default=True,
    help="How many noisy points to generate.",
)
@click.option(
    "--slope", type=float, default=defaults.LINREG["slope"], show_default=True, help="m of the generated line."
)
@click.option(
    "--intercept", type=float, default=defaults.LINREG["intercept"], show_default=True, help="c of the generated line."
)
@click.option(
    "--noise",
    type=click.FloatRange(min=0),
    default=defaults.LINREG["noise"],
    show_default=True,
    help="Standard deviation of the noise.",
)
def linreg(**options):
    """Learn y = m·x + c from noisy points with one linear neuron, and compare the line it
    finds with the exact least-squares line."""
    options.update(hidden=defaults.LINREG["hidden"], activation=defaults.LINREG["activation"])
    run_training("linreg", options)


def digit_options(task_defaults):
    """What the digit tasks add to the training options: guards against overfitting."""

    def decorate(command):
        command = click.option(
            "--patience",
            type=click.IntRange(min=0),
            default=task_defaults["patience"],
            show_default=True,
            help="Stop after this many epochs without a better validation loss, keeping the best weights "
            "(0: never stop early).",
        )(command)
        return click.option(
            "--dropout",
            type=click.FloatRange(0, 1, max_open=True),
            default=task_defaults["dropout"],
            show_default=True,
            help="While training, zero each hidden neuron's output with this probability.",
        )(command)

    return decorate


@train.command()
@training_options(defaults.DIGITS)
@digit_options(defaults.DIGITS)
@live_options
def digits(**options):
    """Learn the 8×8 handwritten digits shipped with nncli: a 64-128-64-10 ReLU network,
    trained with Adam on the cross-entropy on 80 % of the 1,797 digits (a tenth of them set
    aside to validate each epoch) and measured on the other 20 %."""
    run_training("digits", options)


@train.command()
@training_options(defaults.MNIST)
@digit_options(defaults.MNIST)
@live_options
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="The folder holding the four MNIST IDX files, gzip'd or not  "
    "[default: the model store's, once --download has filled it].",
)
@click.option(
    "--download",
    is_flag=True,
    help="Fetch the four files (about 11 MB) into the model store (or --data-dir), checking their SHA-256 sums.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Learn from only N of the training images, chosen by --seed.",
)
def mnist(**options):
    """Learn MNIST's 28×28 handwritten digits with the classic 784-128-64-10 network
    (109,386 parameters), measured on the 10,000 test images."""
    from pathlib import Path

    if options["data_dir"] is not None:
        options["data_dir"] = str(Path(options["data_dir"]).expanduser().absolute())  # evaluate may run elsewhere
    if options["download"]:
        from nncli.mnist_download import fetch
        from nncli.tasks.mnist import store_folder

        say = (
            (lambda name, url: None)
            if options["quiet"]
            else (lambda name, url: click.echo(f"downloading {url}", err=True))
        )
        options["data_dir"] = str(fetch(options["data_dir"] or store_folder(), on_download=say))
    run_training("mnist", options)


def run_training(task_name, options):
    from nncli import store
    from nncli.cli.controls import watched_views
    from nncli.cli.output import Live, emit_json, show_result, training_sink
    from nncli.config import RunConfig
    from nncli.errors import DivergedError
    from nncli.tasks import get_task
    from nncli.tasks.runner import train_task

    as_json, quiet = options.pop("as_json"), options.pop("quiet")
    save, no_save = options.pop("save"), options.pop("no_save")
    watch, pace = options.pop("watch"), options.pop("pace")
    if no_save and save:
        raise click.UsageError("--save and --no-save contradict each other: choose one")
    views = watched_views(get_task(task_name), watch)
    if options["engine"] == "scalar" and get_task(task_name).loss == "cross_entropy":
        raise click.UsageError("the scalar engine trains MSE and BCE networks; use --engine tensor for this task")
    if options["engine"] == "scalar":
        options["dtype"] = "float64"  # the scalar engine computes in Python floats
    save_path = None if no_save else (save or store.default_model_path(task_name))
    task = get_task(task_name)
    config = RunConfig.from_dict(options)
    try:
        with training_sink(as_json, quiet, task.title, Live(task, config, views, pace)) as (emit, watching):
            outcome = train_task(task, config, save_path, emit, watching)
    except DivergedError as error:
        if as_json:  # scripts learn of it on stdout too; the exit code (3) says the rest
            emit_json({"event": "diverged", "epoch": error.epoch, "message": str(error)})
        raise
    if not as_json:
        show_result(outcome, config, task.result)
    if outcome.result.interrupted:
        where = f"saved what it learned to {outcome.summary['model']}" if outcome.summary["model"] else "nothing saved"
        click.echo(f"nncli: interrupted at epoch {outcome.result.epochs_run}; {where}", err=True)
        raise SystemExit(130)
