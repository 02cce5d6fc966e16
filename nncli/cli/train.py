"""`nncli train TASK`: train a network, watch it learn, save it."""

import click

from nncli.cli.controls import live_options
from nncli.cli.data_options import features_option, point_options, table_options, test_fraction_option
from nncli.cli.options import (
    ChannelCounts,
    FiniteFloat,
    NonNegativeFloat,
    choosing_threads,
    limit_option,
    training_options,
)
from nncli.config import MAX_COUNT, MAX_SHIFT, MAX_SIZE
from nncli.tasks import defaults


class TaskGroup(click.Group):
    """`nncli train` alone names the tasks in one line, not the whole help."""

    def parse_args(self, ctx, args):
        if not args:
            tasks = ", ".join(self.list_commands(ctx))
            click.echo(f"nncli: name a task: {tasks} (nncli train --help says what each does)", err=True)
            ctx.exit(2)
        return super().parse_args(ctx, args)


@click.group(cls=TaskGroup)
def train():
    """Train a network on a task and save it to the model store."""


@train.command()
@training_options(defaults.XOR, ends=(2, 1))
@features_option()
@limit_option("four rows of the truth table (the held-out data are all four)")
@live_options
def xor(**options):
    """Learn XOR: the classic 2-4-1 sigmoid network, trained by gradient descent on MSE."""
    run_training("xor", options)


@train.command()
@training_options(defaults.CIRCLE, ends=(2, 1))
@live_options
@point_options(defaults.CIRCLE)
def circle(**options):
    """Tell a disc from the ring around it (TensorFlow Playground's circle): no straight
    line can, a few hidden neurons or the features x1^2,x2^2 can."""
    run_training("circle", options)


@train.command()
@training_options(defaults.GAUSS, ends=(2, 1))
@live_options
@point_options(defaults.GAUSS, noise_help="The spread (standard deviation) of each of the two clouds.")
def gauss(**options):
    """Tell two Gaussian clouds of points apart (TensorFlow Playground's gauss): one
    straight line does."""
    run_training("gauss", options)


@train.command()
@training_options(defaults.SPIRAL, ends=(2, defaults.MAX_CLASSES))
@live_options
@point_options(defaults.SPIRAL)
@click.option(
    "--classes",
    type=click.IntRange(2, defaults.MAX_CLASSES),
    default=defaults.SPIRAL["classes"],
    show_default=True,
    help=f"Spiral arms, one class each (2 to {defaults.MAX_CLASSES}; 2 is the Playground's spiral).",
)
def spiral(**options):
    """Tell spiral arms apart, one class each (CS231n's three; softmax and cross-entropy)."""
    run_training("spiral", options)


@train.command()
@training_options(defaults.MOONS, ends=(2, 1))
@live_options
@point_options(defaults.MOONS)
def moons(**options):
    """Tell two interleaving half moons apart (scikit-learn's make_moons, micrograd's demo)."""
    run_training("moons", options)


@train.command("csv")
@training_options(defaults.CSV)
@live_options
@table_options(defaults.CSV)
def csv_table(**options):
    """Learn to predict one column of your own CSV table (--target) from the others: a
    classifier for class labels, a regression for numbers."""
    from pathlib import Path

    options["data"] = str(Path(options["data"]).expanduser())
    run_training("csv", options)


@train.command()
@training_options(defaults.LINREG, hidden=False)
@live_options
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    default=None,
    help="Fit a two-column CSV (x, y) instead, holding out --test-fraction of its points.",
)
@test_fraction_option(0.3)
@click.option(
    "--points",
    type=click.IntRange(min=2, max=MAX_SIZE),
    default=defaults.LINREG["points"],
    show_default=True,
    help="How many noisy points to generate.",
)
@click.option(
    "--slope", type=FiniteFloat(), default=defaults.LINREG["slope"], show_default=True, help="m of the generated line."
)
@click.option(
    "--intercept",
    type=FiniteFloat(),
    default=defaults.LINREG["intercept"],
    show_default=True,
    help="c of the generated line.",
)
@click.option(
    "--noise",
    type=NonNegativeFloat(),
    default=defaults.LINREG["noise"],
    show_default=True,
    help="Standard deviation of the noise.",
)
def linreg(**options):
    """Learn y = m·x + c from noisy points with one linear neuron, and compare the line it
    finds with the exact least-squares line."""
    run_training("linreg", fixed_options("linreg", options))


def digit_options(task_defaults):
    """What the digit tasks add to the training options: guards against overfitting, too
    few examples to cause it, and convolutions."""

    def decorate(command):
        command = limit_option("training images")(command)
        command = click.option(
            "--conv",
            type=ChannelCounts(),
            default="0",
            help="Convolutions first: 3×3 kernels, this many per layer (8,16), each followed by the activation "
            "and a 2×2 max-pool, then the --hidden layers (--batchnorm and --dropout act on those)  [default: none].",
        )(command)
        command = click.option(
            "--patience",
            type=click.IntRange(min=0, max=MAX_COUNT),
            default=task_defaults["patience"],
            show_default=True,
            help="Stop after this many epochs without a better validation loss, keeping the best weights "
            "(0: never stop early).",
        )(command)
        return click.option(
            "--dropout",
            type=FiniteFloat(0, 1, max_open=True),
            default=task_defaults["dropout"],
            show_default=True,
            help="While training, zero each hidden neuron's output with this probability.",
        )(command)

    return decorate


@train.command()
@training_options(defaults.DIGITS, ends=(64, 10))
@digit_options(defaults.DIGITS)
@live_options
@click.option(
    "--shift",
    type=click.IntRange(0, MAX_SHIFT),
    default=0,
    show_default=True,
    help=f"Place each digit at a random offset on an (8+N)×(8+N) canvas, for learning and testing alike "
    f"(0 to {MAX_SHIFT}): where a fully connected net must learn every place apart, a --conv net need not.",
)
def digits(**options):
    """Learn the 8×8 handwritten digits shipped with nncli: a 64-128-64-10 ReLU network,
    trained with Adam on the cross-entropy on 80 % of the 1,797 digits (a tenth of them set
    aside to validate each epoch) and measured on the other 20 %."""
    run_training("digits", options)


@train.command()
@training_options(defaults.MNIST, ends=(784, 10))
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
def mnist(**options):
    """Learn MNIST's 28×28 digits with the classic 784-128-64-10 network (109,386
    parameters), measured on the 10,000 handwritten test images."""
    from pathlib import Path

    if options["data_dir"] is not None:
        options["data_dir"] = str(Path(options["data_dir"]).expanduser().absolute())  # evaluate may run elsewhere
    if options["download"]:
        from nncli.data.mnist_download import fetch
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
    from nncli.cli.options import check_deep_options
    from nncli.cli.output import Live, end_if_interrupted, say_health, show_result, training_sink
    from nncli.session.runner import train_task
    from nncli.tasks import get_task
    from nncli.text import inert

    as_json, quiet = options.pop("as_json"), options.pop("quiet")
    save, no_save, force = options.pop("save"), options.pop("no_save"), options.pop("force")
    if no_save and save:
        raise click.UsageError("--save and --no-save contradict each other: choose one")
    for warning in check_deep_options(options):
        click.echo(f"nncli: {warning}", err=True)
    watch, pace = options.pop("watch"), options.pop("pace")
    views = watched_views(get_task(task_name), watch)
    save_path = None if no_save else (save or store.default_model_path(task_name))
    task = get_task(task_name)
    config = run_config(task, options)
    with training_sink(as_json, quiet, task.title, Live(task, config, views, pace)) as (emit, watching):
        outcome = train_task(task, config, save_path, emit, force, watch=watching)  # diverged: a "diverged" event
    for note in outcome.dataset.notes:  # they may name a file's columns: shown inert
        click.echo(f"nncli: {inert(note, 1000)}", err=True)
    if not as_json:
        show_result(outcome, config, task.result)
        say_health(outcome.summary)
    end_if_interrupted(outcome)


def fixed_options(task_name, options):
    """Fill in the settings a task's `train` command fixes without an option (linreg's
    lone neuron: no hidden layer, no activation), so `options` make its RunConfig."""
    task_defaults = getattr(defaults, task_name.upper(), {})
    for fixed in ("hidden", "activation"):
        if fixed not in options and fixed in task_defaults:
            options[fixed] = task_defaults[fixed]
    return options


def run_config(task, options):
    """The RunConfig of a training command's options (what is left once the command's own
    flags — saving, output — are taken out)."""
    from nncli.config import RunConfig

    if options.get("engine") == "scalar":
        options["dtype"] = "float64"  # the scalar engine computes in Python floats
    return RunConfig.from_dict(options)


def like_train(name, run, leave_out, extra_params, help, short_help):
    """A command on task `name` that takes `nncli train NAME`'s options (less `leave_out`,
    plus `extra_params`) and hands them to `run(name, options)`, its BLAS threads chosen
    as training chooses them: what compare and lr-find are made of."""
    train_command = train.commands[name]

    def callback(**options):
        run(name, options)

    return click.Command(
        name,
        callback=choosing_threads(callback, getattr(train_command.callback, "ends", (1, 1))),
        params=[p for p in train_command.params if p.name not in leave_out] + extra_params,
        help=help,
        short_help=short_help,
    )
