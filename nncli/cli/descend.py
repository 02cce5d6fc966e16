"""`nncli descend SURFACE`: optimizers racing downhill on a loss surface of two variables."""

import math

import click

from nncli.cli.options import OPTIMIZERS, PositiveFloat

MAX_STEPS = 100_000


class OptimizerNames(click.ParamType):
    """Optimizers as a comma-separated list: "sgd,momentum,adam"."""

    name = "names"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        names = tuple(part.strip() for part in str(value).split(","))
        for name in names:
            if name not in OPTIMIZERS:
                self.fail(f"{name!r} is not an optimizer; choose from {', '.join(OPTIMIZERS)}", param, ctx)
        if len(set(names)) < len(names):
            self.fail(f"{value!r} names an optimizer twice", param, ctx)
        return names


class Rates(click.ParamType):
    """One learning rate, or a comma-separated list of them: "0.02" or "0.02,0.02,0.1"."""

    name = "rate[,rate…]"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        return tuple(PositiveFloat().convert(part.strip(), param, ctx) for part in str(value).split(","))


class Point(click.ParamType):
    """X,Y: two finite numbers."""

    name = "x,y"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        parts = str(value).split(",")
        try:
            point = tuple(float(part) for part in parts)
        except ValueError:
            point = ()
        if len(point) != 2 or not all(map(math.isfinite, point)):
            self.fail(f"{value!r} is not X,Y (two finite numbers, e.g. -1.5,2)", param, ctx)
        return point


@click.command(short_help="Optimizers racing downhill on a 2-D loss surface.")
@click.argument("surface", required=False, metavar="[SURFACE]")
@click.option("--expr", default=None, metavar="FORMULA", help='Any formula in x and y instead, e.g. "x**2 + 3*y**2".')
@click.option(
    "--condition",
    type=click.FloatRange(min=1, max=1e6),
    default=None,
    help="bowl: K, the ratio of its steepest curvature to its flattest  [default: 20].",
)
@click.option(
    "--optimizer",
    "optimizers",
    type=OptimizerNames(),
    default=",".join(OPTIMIZERS),
    show_default=True,
    help="The optimizers to race, one or more of sgd, momentum (SGD with --momentum) and adam.",
)
@click.option(
    "--lr",
    "rates",
    type=Rates(),
    default=None,
    help="Learning rate: one for every optimizer, or one each, in --optimizer's order  [default: per surface].",
)
@click.option(
    "--momentum",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.9,
    show_default=True,
    help="The momentum optimizer's μ: how much of each step carries into the next.",
)
@click.option(
    "--steps",
    type=click.IntRange(min=1, max=MAX_STEPS),
    default=None,
    help="Steps each optimizer takes  [default: per surface].",
)
@click.option("--start", type=Point(), default=None, help="Where every optimizer starts  [default: per surface].")
@click.option(
    "--tolerance",
    type=PositiveFloat(),
    default=0.01,
    show_default=True,
    help="How close to a minimum (in x, y) counts as having reached it.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Write the race as JSON Lines to stdout, every point of every path."
)
@click.option("--quiet", "-q", is_flag=True, help="Show only the table.")
def descend(surface, expr, condition, optimizers, rates, momentum, steps, start, tolerance, as_json, quiet):
    """Race gradient-descent optimizers downhill on a loss surface of two variables, with
    nncli's own autograd and optimizers — the ones that train its networks.

    \b
    SURFACE:
      bowl        (x² + K·y²)/2: a long valley, K = --condition (default 20).
                  Its curvatures are 1 and K, so plain SGD diverges exactly
                  when --lr exceeds 2/K (2/λ_max): each step across the valley
                  overshoots by more than it corrects. Below that it crawls
                  along the floor; momentum does not.
      rosenbrock  (1 − x)² + 100·(y − x²)²: a curved valley,
                  minimum at (1, 1).
      himmelblau  (x² + y − 11)² + (x + y² − 7)²: four minima;
                  which one wins?
      saddle      x² − y²/2 + y⁴/4: a saddle point between two valleys.
    Or any formula in x and y with --expr.

    \b
    Examples:
      nncli descend bowl --condition 50 --optimizer sgd,momentum
      nncli descend bowl --condition 20 --optimizer sgd --lr 0.11
                                    (0.11 > 2/20: it diverges)
      nncli descend rosenbrock --optimizer sgd,momentum,adam
      nncli descend --expr "x**2 + y**2 + 2*sin(3*x)" --start 2,2

    On a terminal the race is drawn as it runs; then the picture and a table: the steps
    each optimizer took to come within --tolerance of a minimum, where it ended, and
    whether it diverged or left the domain (met a NaN: the formula undefined there).
    """
    from nncli.cli.output import emit_json, show, stdout_console
    from nncli.views.descend import descent_view
    from nncli.views.surfaces import Descent, race, region_holding

    chosen = _surface(surface, expr, condition)
    if rates is None:
        rates = tuple(chosen.lr[name] for name in optimizers)
    elif len(rates) == 1:
        rates = rates * len(optimizers)
    elif len(rates) != len(optimizers):
        raise click.BadParameter(
            f"give one learning rate, or one for each of the {len(optimizers)} optimizers ({','.join(optimizers)})",
            param_hint="'--lr'",
        )
    start = start or chosen.start
    at_start = chosen(*start)
    if not math.isfinite(at_start):
        problem = "is undefined" if math.isnan(at_start) else "overflows"
        raise click.BadParameter(
            f"f(x, y) = {chosen.formula} {problem} at the start ({start[0]:g}, {start[1]:g}): choose another",
            param_hint="'--start'",
        )
    steps = steps or chosen.steps
    region = region_holding(chosen.region, start)
    descents = [Descent(chosen, name, lr, momentum, start, region) for name, lr in zip(optimizers, rates)]
    if as_json:
        race(descents, steps)
        view = descent_view(chosen, descents, region, start, tolerance, columns=2)
        emit_json({"event": "start", **view.header(), "steps": steps})
        for path in view.paths:
            emit_json({"event": "path", **path.as_dict()})
        summary = [{k: v for k, v in p.as_dict().items() if k not in ("points", "values")} for p in view.paths]
        emit_json({"event": "summary", "paths": summary})
        return
    if quiet:
        race(descents, steps)
    else:
        _race_live(chosen, descents, region, start, tolerance, steps)
    console = stdout_console()
    view = descent_view(chosen, descents, region, start, tolerance, _columns(console))
    from nncli.render.descend import descent_picture, descent_table

    show(*(() if quiet else (descent_picture(view),)), descent_table(view))


def _surface(name, expr, condition):
    """The Surface asked for: a named one, or --expr's formula. Usage errors (exit 2)."""
    import difflib

    from nncli.formula import FormulaError
    from nncli.views.surfaces import DEFAULT_CONDITION, SURFACES, expression_surface, get_surface

    if (name is None) == (expr is None):
        choice = "not both" if name else 'e.g. `nncli descend bowl` or `nncli descend --expr "x**2 + 3*y**2"`'
        raise click.UsageError(f"give a surface ({', '.join(SURFACES)}) or a formula with --expr: {choice}")
    if condition is not None and name != "bowl":
        raise click.UsageError("--condition shapes the bowl; use it with `nncli descend bowl`")
    if expr is not None:
        try:
            surface = expression_surface(expr)
        except FormulaError as error:
            raise click.BadParameter(f"{error}\n{error.pointer()}", param_hint="'--expr'") from None
        if not surface.formula.names():
            raise click.BadParameter(
                f"{expr!r} uses neither x nor y: there is no slope to descend", param_hint="'--expr'"
            )
        return surface
    if name not in SURFACES:
        close = difflib.get_close_matches(name, SURFACES, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise click.BadParameter(
            f"no surface {name!r}: {hint}choose one of {', '.join(SURFACES)}, or give a formula with --expr",
            param_hint="'SURFACE'",
        )
    return get_surface(name, DEFAULT_CONDITION if condition is None else condition)


def _columns(console):
    """How many grid columns fit: a colour cell holds one, a glyph cell half of one."""
    in_colour = not console.no_color and console.color_system is not None
    room = max(console.width - 12, 20)
    return min(60, room) if in_colour else min(40, room // 2)


def _race_live(surface, descents, region, start, tolerance, steps):
    """Run the race, drawn on stderr as it runs if that is a terminal."""
    from dataclasses import replace

    from rich.console import Console

    from nncli.render import animates
    from nncli.render.descend import LiveRace
    from nncli.views.descend import descent_view, path_numbers
    from nncli.views.surfaces import race

    console = Console(stderr=True)
    if not animates(console):
        race(descents, steps)
        return
    grid = descent_view(surface, [], region, start, tolerance, _columns(console))

    def now():
        return replace(grid, paths=[path_numbers(d, surface.minima, tolerance) for d in descents])

    with LiveRace(console, now, steps) as live:
        race(descents, steps, live.step)
