"""Option types and the shared training options, validated by click (bad values: exit 2)."""

import functools
import math

import click

from nncli.config import DTYPES, ENGINES, INITS, MAX_CHANNELS, MAX_CONV_LAYERS, MAX_COUNT, MAX_SIZE, OPTIMIZERS
from nncli.config import HIDDEN_ACTIVATIONS as ACTIVATIONS
from nncli.config import MAX_LAYERS as MAX_HIDDEN_LAYERS

MAX_LAYER_SIZE = 1_000_000
SIZES_SYNTAX = "sizes like 128,64, SIZExCOUNT for COUNT layers of SIZE (32x10, 64,32x4,16), or 0 for none"
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
    """Hidden layer sizes: "128,64"; "32x10" is ten layers of 32, and "64,32x4,16" mixes
    both; "0" or "" means no hidden layer at all."""

    name = "sizes"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).strip().lower()
        if text in ("", "0", "none"):
            return ()
        parts = []  # (size, count)
        for part in text.split(","):
            size, times, count = part.strip().partition("x")
            # "²" is a digit to Python: sizes are ASCII digits only
            if not (_is_count(size) and (not times or _is_count(count))):
                self.fail(f"{part.strip()!r} is not a layer size; give {SIZES_SYNTAX}", param, ctx)
            parts.append((int(size), int(count) if times else 1))
        for size, _count in parts:
            if size > MAX_LAYER_SIZE:
                self.fail(f"a layer of {size:,} neurons is more than nncli allows ({MAX_LAYER_SIZE:,})", param, ctx)
        layers = sum(count for _size, count in parts)
        if layers > MAX_HIDDEN_LAYERS:  # counted before the list is made, so 32x10000000000 costs nothing
            self.fail(
                f"{value!r} makes {layers:,} hidden layers, more than nncli allows ({MAX_HIDDEN_LAYERS:,}); "
                f"give {SIZES_SYNTAX}",
                param,
                ctx,
            )
        return tuple(size for size, count in parts for _ in range(count))


class ChannelCounts(click.ParamType):
    """Channels of each convolution: "8,16"; "0" or "none" means no convolution."""

    name = "channels"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).strip().lower()
        if text in ("", "0", "none"):
            return ()
        parts = [part.strip() for part in text.split(",")]
        if not all(_is_count(part) for part in parts):
            self.fail(f"{value!r} is not a list of channel counts; give counts like 8,16, or 0 for none", param, ctx)
        if len(parts) > MAX_CONV_LAYERS:
            self.fail(f"{len(parts)} convolutions, more than nncli builds ({MAX_CONV_LAYERS})", param, ctx)
        counts = tuple(int(part) for part in parts)
        if max(counts) > MAX_CHANNELS:
            self.fail(
                f"a convolution of {max(counts):,} channels is more than nncli allows ({MAX_CHANNELS:,})", param, ctx
            )
        return counts


def _is_count(text):
    return text.isascii() and text.isdigit() and int(text) >= 1


def check_deep_options(options):
    """Usage errors and warnings for --batchnorm and --residual, before anything is built.

    Returns the warnings to show (a list of lines); raises click.UsageError for batch norm
    on batches of one, whose variance is undefined (PyTorch refuses them too).
    """
    hidden = options.get("hidden", ())
    if options.get("batchnorm") and options.get("batch_size") == 1:
        raise click.UsageError(
            "--batchnorm needs --batch-size 2 or more: it normalises each feature by the batch's own mean "
            "and variance, and one example has no variance"
        )
    if options.get("engine") == "scalar" and (options.get("batchnorm") or options.get("residual")):
        raise click.UsageError("the scalar engine builds plain layers: --batchnorm and --residual need --engine tensor")
    if options.get("conv") and options.get("engine") == "scalar":
        raise click.UsageError("the scalar engine builds plain layers: --conv needs --engine tensor")
    if options.get("conv") and options.get("residual"):
        raise click.UsageError(
            "--residual skips dense layers of equal width, and --conv builds no such chain: choose one"
        )
    if options.get("residual") and not any(a == b for a, b in zip(hidden, hidden[1:])):
        shown = _show(hidden) or "0"
        return [
            f"warning: --residual added no skip connection: no hidden layer after the first is as wide as its "
            f"input (--hidden {shown}); give equal widths, e.g. --hidden 32x4"
        ]
    return []


def limit_option(what="training examples"):
    """`--limit N`: learn from only N of the task's training examples, chosen by --seed
    (the held-out data stay as they are, so too little data shows as overfitting)."""
    return click.option(
        "--limit",
        type=click.IntRange(min=1, max=MAX_SIZE),
        default=None,
        help=f"Learn from only N of the {what}, chosen by --seed  [default: all of them].",
    )


def _show(value):
    return ",".join(map(str, value)) if isinstance(value, tuple) else value


def training_options(defaults, hidden=True, ends=(1, 1)):
    """The options every `train` command shares, with this task's defaults. `ends` are the
    network's input and output widths, which size the work when BLAS threads are chosen."""

    def decorate(command):
        command = choosing_threads(command, ends)
        options = [
            click.option(
                "--epochs",
                type=click.IntRange(min=1, max=MAX_COUNT),
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
                type=click.IntRange(min=1, max=MAX_COUNT),
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
                help="How the weights start (normal: N(0, 1), small: N(0, 0.01²) — to see bad starts fail).",
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
                type=click.Choice(ENGINES),
                default="tensor",
                show_default=True,
                help="NumPy tensors, or one Value per number (slow, transparent).",
            ),
            click.option(
                "--dtype",
                type=click.Choice(DTYPES),
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
                "--force", is_flag=True, help="Save even a run that learned nothing over a better model of that name."
            ),
            click.option(
                "--log-every",
                type=click.IntRange(min=1, max=MAX_COUNT),
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
                    help="Hidden layer sizes: 16, 128,64, 32x10 (ten of 32), 64,32x4,16; 0 for none.",
                ),
                click.option(
                    "--activation",
                    type=click.Choice(ACTIVATIONS),
                    default=defaults["activation"],
                    show_default=True,
                    help="Hidden layers' activation.",
                ),
                click.option(
                    "--batchnorm",
                    is_flag=True,
                    help="Batch-normalise each hidden layer, between its linear part and its activation.",
                ),
                click.option(
                    "--residual",
                    is_flag=True,
                    help="Add x + layer(x) skips around each hidden layer after the first that keeps its width.",
                ),
            ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def choosing_threads(command, ends):
    """Wrap a training command so that its BLAS threads are chosen before NumPy loads
    (`ends`: the network's input and output widths; the wrapper keeps them, so that
    commands built on a train command's options — compare, lr-find — choose alike)."""

    @functools.wraps(command)
    def run(*args, **options):
        from nncli.runtime import memory, threads

        sizes = [ends[0], *options.get("hidden", ()), ends[1]]
        batch = options["batch_size"] or options.get("points") or options.get("samples") or 1
        threads.setup(options.pop("threads"), sizes, batch)
        memory.keep_freed_memory()  # each step's arrays reuse the last step's memory
        return command(*args, **options)

    run.ends = ends
    return run


def output_file(flag, dest, help):
    """An option naming a file to write: --svg FILE, --html FILE, one name and kind everywhere."""
    return click.option(flag, dest, type=click.Path(), metavar="FILE", default=None, help=help)


def complete_model(ctx, param, incomplete):
    """Shell completion of a MODEL argument: the names of the models in the store, and
    files, as for any path."""
    from click.shell_completion import CompletionItem

    from nncli.store import model_home

    try:
        names = sorted(p.stem for p in model_home().glob("*.npz") if not p.name.startswith("."))
    except OSError:
        names = []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)] + [
        CompletionItem(incomplete, type="file")
    ]


def model_argument(command):
    """The optional MODEL argument: a path or a stored name (completed by the shell)."""
    return click.argument("model", required=False, shell_complete=complete_model)(command)
