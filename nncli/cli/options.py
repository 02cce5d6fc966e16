"""Option types and the shared training options, validated by click (bad values: exit 2)."""

import math

import click

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
OPTIMIZERS = ("sgd", "momentum", "adam")
INITS = ("pytorch", "xavier", "he")
MAX_LAYER_SIZE = 1_000_000
MAX_SEED = 2**32 - 1


class FiniteFloat(click.ParamType):
    """A finite number, optionally at least `min` (or, with `min_open`, above it) and
    below `max`: NaN and infinities are never accepted, whatever the range."""

    name = "number"

    def __init__(self, min=None, max=None, min_open=False, max_open=False):
        self.min, self.max, self.min_open, self.max_open = min, max, min_open, max_open

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} must be a finite number", param, ctx)
        too_low = self.min is not None and (number <= self.min if self.min_open else number < self.min)
        too_high = self.max is not None and (number >= self.max if self.max_open else number > self.max)
        if too_low or too_high:
            self.fail(f"{value!r} must be {self.describe()}", param, ctx)
        return number

    def describe(self):
        low = None if self.min is None else f"{'greater than' if self.min_open else 'at least'} {self.min:g}"
        high = None if self.max is None else f"{'less than' if self.max_open else 'at most'} {self.max:g}"
        return "a finite number " + " and ".join(part for part in (low, high) if part)


class PositiveFloat(FiniteFloat):
    """A finite number greater than zero (a learning rate, say)."""

    def __init__(self):
        super().__init__(min=0, min_open=True)


class NonNegativeFloat(FiniteFloat):
    """A finite number, zero or more (a weight decay, a noise level)."""

    def __init__(self):
        super().__init__(min=0)


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
            if not (part.isascii() and part.isdigit()) or int(part) < 1:  # "²" is a digit to Python
                self.fail(f"{value!r} is not a list of positive integers like 128,64", param, ctx)
            if int(part) > MAX_LAYER_SIZE:
                self.fail(
                    f"a layer of {int(part):,} neurons is more than nncli allows ({MAX_LAYER_SIZE:,})", param, ctx
                )
            sizes.append(int(part))
        return tuple(sizes)


def _show(value):
    return ",".join(map(str, value)) if isinstance(value, tuple) else value


def training_options(defaults, hidden=True):
    """The options every `train` command shares, with this task's defaults."""

    def decorate(command):
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
                "--seed",
                type=click.IntRange(0, MAX_SEED),
                default=0,
                show_default=True,
                help="Seed for data, initial weights and batches (0 to 2**32 - 1).",
            ),
            click.option(
                "--engine",
                type=click.Choice(("tensor", "scalar")),
                default="tensor",
                show_default=True,
                help="NumPy tensors, or one Value per number (slow, transparent).",
            ),
            click.option(
                "--dtype",
                type=click.Choice(("float32", "float64")),
                default="float32",
                show_default=True,
                help="Precision of weights and arithmetic: float32 is faster, float64 exact for checks.",
            ),
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
