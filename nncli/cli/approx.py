"""`nncli approx FUNC`: watch a network approximate a function — trained, or built by hand."""

import click

from nncli.cli.controls import live_options
from nncli.cli.options import ACTIVATIONS, LayerSizes, training_options
from nncli.tasks import defaults

APPROX_ACTIVATIONS = ACTIVATIONS + ("step",)
MAX_NEURONS = 10_000  # per layer: every picture evaluates each neuron on a fine grid
TRAINING_ONLY = ("epochs", "lr", "batch_size", "optimizer", "weight_decay", "init", "engine", "log_every")


class Domain(click.ParamType):
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


@click.command()
@click.argument("func", required=False, metavar="[FUNC]")
@click.option(
    "--expr",
    default=None,
    metavar="FORMULA",
    help='Any formula in x instead, e.g. "x**3 - x" or "exp(-x**2)*sin(5*x)".',
)
@click.option(
    "--domain",
    type=Domain(),
    default=None,
    help="The interval to approximate on, e.g. -3,3 or -pi,pi  [default: per function; -2,2 for --expr].",
)
@click.option(
    "--method",
    type=click.Choice(("train", "construct")),
    default="train",
    show_default=True,
    help="Fit by gradient descent, or set the weights by hand.",
)
@click.option(
    "--hidden",
    type=LayerSizes(),
    default="32",
    show_default=True,
    help="Hidden layer sizes: 32 (one layer of 32 neurons) or 32,32.",
)
@click.option(
    "--activation",
    type=click.Choice(APPROX_ACTIVATIONS),
    default=None,
    help="The hidden neurons' activation  [default: tanh to train, step to construct].",
)
@click.option(
    "--neurons",
    "show_neurons",
    is_flag=True,
    help="Also show every neuron's curve, the sum built neuron by neuron, and a table of w, b, v.",
)
@click.option(
    "--samples",
    type=click.IntRange(min=2, max=1_000_000),
    default=defaults.APPROX["samples"],
    show_default=True,
    help="Points of the target to learn from.",
)
@training_options(defaults.APPROX, hidden=False)
@live_options
@click.pass_context
def approx(ctx, func, expr, domain, method, show_neurons, **options):
    """Approximate a function with one hidden layer of neurons, and watch the sum of their
    curves trace it.

    \b
    FUNC: sin, cos, abs, square, cube, step, sawtooth, gaussian (or bump), relu.
    Or any formula in x with --expr: numbers, x, pi, e, + - * / **, brackets,
    and the functions sin cos tan exp log sqrt abs tanh sinh cosh asin acos
    atan log2 log10 sign floor ceil relu sigmoid step min max.

    \b
    Examples:
      nncli approx sin                        train 32 tanh neurons on sin(x)
      nncli approx --expr "x**3 - x"          any formula
      nncli approx sin --method construct --activation step --hidden 50 --neurons
                                              build it by hand from 50 steps
    """
    from nncli import store
    from nncli.cli.controls import watched_views
    from nncli.cli.output import Live, end_if_interrupted, say_health, show_result, training_sink
    from nncli.config import RunConfig
    from nncli.formula import FormulaError
    from nncli.tasks.approx import CONSTRUCTIBLE, TARGETS, ApproxTask, resolve_target, run_approx
    from nncli.text import inert

    if (func is None) == (expr is None):
        names = ", ".join(TARGETS)
        choice = "not both" if func else 'e.g. `nncli approx sin` or `nncli approx --expr "x**3 - x"`'
        raise click.UsageError(f"give a function ({names}) or a formula with --expr: {choice}")
    if func is not None and func not in TARGETS:
        import difflib

        close = difflib.get_close_matches(func, TARGETS, n=1, cutoff=0.6)
        guess = f"did you mean {close[0]}? " if close else ""
        raise click.BadParameter(
            f"no function {func!r}: {guess}choose one of {', '.join(TARGETS)}, or give a formula with --expr",
            param_hint="'FUNC'",
        )
    activation = options.pop("activation") or (
        defaults.APPROX["construct_activation"] if method == "construct" else defaults.APPROX["activation"]
    )
    _check_network(ctx, method, activation, options["hidden"], CONSTRUCTIBLE)
    try:
        target = resolve_target(func, expr, domain)
    except FormulaError as error:
        raise click.BadParameter(f"{error}\n{error.pointer()}", param_hint="'--expr'") from None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--domain'" if domain else "'--expr'") from None

    as_json, quiet = options.pop("as_json"), options.pop("quiet")
    save, no_save, force = options.pop("save"), options.pop("no_save"), options.pop("force")
    watch, pace, serve = options.pop("watch"), options.pop("pace"), options.pop("serve")
    if no_save and save:
        raise click.UsageError("--save and --no-save contradict each other: choose one")
    task = ApproxTask()
    views = watched_views(task, watch)
    if options["engine"] == "scalar":
        options["dtype"] = "float64"  # the scalar engine computes in Python floats
    options.update(
        target=target.name, formula=target.formula, domain=[target.lo, target.hi], method=method, activation=activation
    )
    save_path = None if no_save else (save or store.default_model_path(task.name))
    title = target.label()
    config = RunConfig.from_dict(options)
    live = Live(task, config, views, pace, serve)
    with training_sink(as_json, quiet or method == "construct", title, live) as (emit, watching):
        outcome = run_approx(task, config, save_path, emit, force, watching)
    if not as_json:
        show_result(outcome, config, task.result + ((task.views["neurons"],) if show_neurons else ()))
        say_health(outcome.summary)
    if method == "construct" and not quiet and not as_json:
        model = outcome.summary["model"]
        where = f"model saved to {inert(model, 4096)}" if model else "model not saved"
        click.echo(f"built by hand in {outcome.summary['elapsed_s']:.2f} s (no training) · {where}", err=True)
    end_if_interrupted(outcome)


def _check_network(ctx, method, activation, hidden, constructible):
    """Usage errors for networks the method cannot make."""
    if not hidden:
        raise click.BadParameter(
            "a function approximator needs at least one hidden layer, e.g. --hidden 32", param_hint="'--hidden'"
        )
    if max(hidden) > MAX_NEURONS:
        raise click.BadParameter(f"at most {MAX_NEURONS:,} neurons per layer", param_hint="'--hidden'")
    if method == "train" and activation == "step":
        raise click.UsageError(
            "a step neuron cannot be trained by gradient descent: its slope is zero everywhere "
            "(and undefined at the jump), so no gradient ever reaches its weights.\n"
            "Build the network by hand instead: --method construct --activation step"
        )
    if method == "construct":
        if activation not in constructible:
            raise click.BadParameter(
                f"--method construct builds {', '.join(constructible)} neurons, not {activation}",
                param_hint="'--activation'",
            )
        if len(hidden) != 1:
            raise click.BadParameter(
                "--method construct builds one hidden layer: give one size, e.g. --hidden 50", param_hint="'--hidden'"
            )
        from click.core import ParameterSource

        given = [
            name
            for name in TRAINING_ONLY
            if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
        ]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise click.UsageError(f"{flags}: nothing is trained with --method construct (the weights are set by hand)")
