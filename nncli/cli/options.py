"""Option types and the shared training options, validated by click (bad values: exit 2)."""

import functools
import math

import click

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
OPTIMIZERS = ("sgd", "momentum", "adam")
INITS = ("pytorch", "xavier", "he")
MAX_LAYER_SIZE = 1_000_000


class PositiveFloat(click.ParamType):
    """A finite number greater than zero (a learning rate, say)."""

    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} must be a finite number greater than 0", param, ctx)
        return number


class NonNegativeFloat(PositiveFloat):
    def convert(self, value, param, ctx):
        if value in (0, "0", "0.0"):
            return 0.0
        return super().convert(value, param, ctx)


class LayerSizes(click.ParamType):
    """Hidden layer sizes as a comma-separated list of positive integers: "128,64"."""

    name = "sizes"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        if text in ("", "none"):
            return ()
        sizes = []
        for part in text.split(","):
            part = part.strip()
            if not part.isdigit() or int(part) < 1:
                self.fail(f"{value!r} is not a list of positive integers like 128,64", param, ctx)
            if int(part) > MAX_LAYER_SIZE:
                self.fail(
                    f"a layer of {int(part):,} neurons is more than nncli allows ({MAX_LAYER_SIZE:,})", param, ctx
                )
            sizes.append(int(part))
        return tuple(sizes)


def _show(value):
    return ",".join(map(str, value)) if isinstance(value, tuple) else value


def training_options(defaults, hidden=True, ends=(1, 1)):
    """The options every `train` command shares, with this task's defaults. `ends` are the
    network's input and output widths, which size the work when BLAS threads are chosen."""

    def decorate(command):
        command = _choosing_threads(command, ends)
        options = [
            click.option(
                "--epochs",
                type=click.IntRange(min=1),
                default=defaults["epochs"],
                show_default=True,
                help="Passes over the training data.",
            ),
            click.option(
                "--lr",
                type=PositiveFloat(),
                default=defaults["lr"],
                show_default=True,
                help="Learning rate: the size of each gradient step.",
            ),
            click.option(
                "--batch-size",
                type=click.IntRange(min=1),
                default=defaults["batch_size"],
                show_default="all" if defaults["batch_size"] is None else True,
                help="Examples per gradient step.",
            ),
            click.option(
                "--optimizer",
                type=click.Choice(OPTIMIZERS),
                default=defaults["optimizer"],
                show_default=True,
                help="sgd, sgd with momentum 0.9, or adam.",
            ),
            click.option(
                "--weight-decay",
                type=NonNegativeFloat(),
                default=0.0,
                show_default=True,
                help="L2 penalty pulling weights towards zero.",
            ),
            click.option(
                "--init",
                "init",
                type=click.Choice(INITS),
                default=defaults.get("init", "pytorch"),
                show_default=True,
                help="How the weights start.",
            ),
            click.option(
                "--seed", type=int, default=0, show_default=True, help="Seed for data, initial weights and batches."
            ),
            click.option(
                "--engine",
                type=click.Choice(("tensor", "scalar")),
                default="tensor",
                show_default=True,
                help="NumPy tensors, or one Value per number (slow, transparent).",
            ),
            click.option("--dtype", type=click.Choice(("float32", "float64")), default="float32", show_default=True),
            click.option(
                "--save",
                "save",
                type=click.Path(dir_okay=False),
                default=None,
                help="Where to save the model  [default: the model store].",
            ),
            click.option("--no-save", is_flag=True, help="Don't save the model."),
            click.option(
                "--log-every",
                type=click.IntRange(min=1),
                default=None,
                help="Report every N epochs  [default: about 100 reports].",
            ),
            click.option("--json", "as_json", is_flag=True, help="Write JSON Lines events to stdout."),
            click.option("--quiet", "-q", is_flag=True, help="Show only the result."),
            click.option(
                "--threads",
                type=click.IntRange(min=1, max=1024),
                default=None,
                help="BLAS threads for the matrix products  [default: 1 for small networks, every core for "
                "big ones; OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, if set, decide].",
            ),
        ]
        if hidden:
            options[3:3] = [
                click.option(
                    "--hidden",
                    type=LayerSizes(),
                    default=_show(defaults["hidden"]),
                    show_default=True,
                    help="Hidden layer sizes, e.g. 16 or 128,64.",
                ),
                click.option(
                    "--activation",
                    type=click.Choice(ACTIVATIONS),
                    default=defaults["activation"],
                    show_default=True,
                    help="Hidden layers' activation.",
                ),
            ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _choosing_threads(command, ends):
    """Wrap a training command so that its BLAS threads are chosen before NumPy loads."""

    @functools.wraps(command)
    def run(*args, **options):
        from nncli import threads

        sizes = [ends[0], *options.get("hidden", ()), ends[1]]
        batch = options["batch_size"] or options.get("points") or options.get("samples") or 1
        threads.setup(options.pop("threads"), sizes, batch)
        return command(*args, **options)

    return run
