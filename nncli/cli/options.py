"""Option types and the shared training options, validated by click (bad values: exit 2)."""

import functools
import math

import click

from nncli.settings import MAX_CHANNELS, MAX_CONV_LAYERS
from nncli.settings import MAX_LAYER as MAX_LAYER_SIZE
from nncli.settings import MAX_LAYERS as MAX_HIDDEN_LAYERS

SIZES_SYNTAX = "sizes like 128,64, SIZExCOUNT for COUNT layers of SIZE (32x10, 64,32x4,16), or 0 for none"


class FiniteFloat(click.FloatRange):
    """A finite number, optionally at least `min` (or, with `min_open`, above it) and
    below `max`: NaN and infinities are never accepted, whatever the range (click's
    FloatRange, whose range --help shows, takes NaN: every comparison with it is false)."""

    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
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


class FeatureList(click.ParamType):
    """A comma-separated list of the Playground's input features, as one canonical string."""

    name = "features"

    def convert(self, value, param, ctx):
        from nncli.feature_names import parse_features

        try:
            return ",".join(parse_features(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class Interval(click.ParamType):
    """LO,HI: two numbers, each may be a formula without x ("-pi,pi", "0,2*pi")."""

    name = "lo,hi"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        from nncli.formula import FormulaError
        from nncli.tasks.approx import evaluate_number

        text = str(value)
        parts = text.split(",")
        if len(parts) != 2:
            self.fail(f"{value!r} is not LO,HI (two numbers, e.g. -3,3 or -pi,pi)", param, ctx)
        bounds = []
        for part, offset in zip(parts, (0, len(parts[0]) + 1)):
            try:
                bounds.append(evaluate_number(part))
            except FormulaError as error:  # point at the bad part of the whole LO,HI
                where = FormulaError(error.reason, text, offset + error.position, error.length)
                self.fail(f"{where}\n{where.pointer()}", param, ctx)
        lo, hi = bounds
        if not lo < hi:
            self.fail(f"{value!r}: LO must be less than HI", param, ctx)
        return lo, hi


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
        shown = ",".join(map(str, hidden)) or "0"
        return [
            f"warning: --residual added no skip connection: no hidden layer after the first is as wide as its "
            f"input (--hidden {shown}); give equal widths, e.g. --hidden 32x4"
        ]
    return []


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
    """An option naming a file to write: --svg FILE, --html FILE, one name and kind everywhere
    ("-": stdout)."""
    return click.option(flag, dest, type=click.Path(), metavar="FILE", default=None, help=f"{help} (- for stdout)")


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
